/**
 * The platform's OpenTelemetry Collector (namespace `telemetry`): a ServiceAccount without a
 * token that impersonates the collector's Google service account (Workload Identity annotation),
 * the rendered config in a ConfigMap, a hardened Deployment (non-root, read-only root FS, no
 * capabilities, RuntimeDefault seccomp, resources, probes on the health_check extension), a
 * Service with the OTLP ports and a PDB that always allows one eviction. The config is a checksum
 * in the pod template: a change rolls.
 */
import { Construct } from 'constructs';
import { IntOrString, KubeConfigMap, KubeDeployment, KubePodDisruptionBudget, KubeService, KubeServiceAccount, Quantity } from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { CollectorPlan } from '../observability/collector-plan.ts';
import { NAME_LABEL } from './network-plan.ts';
import { hardenedContainerSecurity, hardenedPodSecurity } from './hardened-security.ts';
import { configChecksumAnnotation } from './config-checksum.ts';

export interface OtelCollectorProps {
  readonly plan: CollectorPlan;
  /** config.yaml, as rendered by constructs/observability/collector-config.ts. */
  readonly config: string;
  /** The platform's label prefix: the pod template carries `<prefix>/config-checksum`, so a config change rolls it. */
  readonly labelPrefix: string;
}

const CONFIG_DIR = '/etc/otelcol';

export class OtelCollector extends Construct {
  constructor(scope: Construct, id: string, props: OtelCollectorProps) {
    super(scope, id);
    const { plan } = props;
    const ns = plan.namespace;
    const labels = { [NAME_LABEL]: plan.name, 'app.kubernetes.io/part-of': 'api-platform' };
    const selector = { [NAME_LABEL]: plan.name };
    new KubeServiceAccount(this, 'service-account', {
      metadata: { name: plan.name, namespace: ns, labels, annotations: { 'iam.gke.io/gcp-service-account': plan.googleServiceAccount.email } },
      automountServiceAccountToken: false,
    });
    new KubeConfigMap(this, 'config', { metadata: { name: plan.configMap, namespace: ns, labels }, data: { 'config.yaml': props.config } });
    const health = { httpGet: { path: '/', port: IntOrString.fromNumber(plan.ports.health) } };
    new KubeDeployment(this, 'deployment', {
      metadata: { name: plan.name, namespace: ns, labels },
      spec: {
        replicas: plan.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: configChecksumAnnotation(props.labelPrefix, props.config) },
          spec: {
            serviceAccountName: plan.name,
            // Workload Identity needs no Kubernetes API token: GKE's metadata server answers for the pod.
            automountServiceAccountToken: false,
            securityContext: hardenedPodSecurity(plan.uid),
            containers: [
              {
                name: plan.name,
                image: plan.image,
                imagePullPolicy: 'IfNotPresent',
                args: [`--config=${CONFIG_DIR}/config.yaml`],
                // The Go runtime keeps its heap under memory_limiter's limit.
                env: [{ name: 'GOMEMLIMIT', value: `${plan.memoryLimitMib}MiB` }],
                ports: [
                  { name: 'otlp-grpc', containerPort: plan.ports.otlpGrpc },
                  { name: 'otlp-http', containerPort: plan.ports.otlpHttp },
                  { name: 'health', containerPort: plan.ports.health },
                ],
                resources: {
                  requests: { cpu: Quantity.fromString('100m'), memory: Quantity.fromString('256Mi') },
                  limits: { memory: Quantity.fromString(`${plan.memoryLimitMib + 112}Mi`) },
                },
                readinessProbe: { ...health, periodSeconds: 10 },
                livenessProbe: { ...health, periodSeconds: 20, failureThreshold: 3 },
                securityContext: hardenedContainerSecurity(plan.uid),
                volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: plan.configMap } }],
          },
        },
      },
    });
    new KubeService(this, 'service', {
      metadata: { name: plan.name, namespace: ns, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          // Names and appProtocols tell Istio's sidecars (the senders) what they carry.
          { name: 'grpc-otlp', port: plan.ports.otlpGrpc, targetPort: IntOrString.fromNumber(plan.ports.otlpGrpc), protocol: 'TCP', appProtocol: 'grpc' },
          { name: 'http-otlp', port: plan.ports.otlpHttp, targetPort: IntOrString.fromNumber(plan.ports.otlpHttp), protocol: 'TCP', appProtocol: 'http' },
        ],
      },
    });
    new KubePodDisruptionBudget(this, 'disruption-budget', {
      metadata: { name: plan.name, namespace: ns, labels },
      spec: { maxUnavailable: IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });
  }
}
