/**
 * The platform's Alertmanager (namespace `monitoring`): ServiceAccount without a token, the
 * rendered config in a ConfigMap (it names files only), the receivers' Secret mounted read-only,
 * a hardened Deployment (non-root, read-only root FS, no capabilities, RuntimeDefault seccomp),
 * a Service for GMP's rule-evaluator, a headless Service the replicas gossip over, and a PDB
 * that always allows one eviction. The config is a checksum in the pod template: a change rolls.
 */
import { Construct } from 'constructs';
import {
  IntOrString,
  KubeConfigMap,
  KubeDeployment,
  KubePodDisruptionBudget,
  KubeService,
  KubeServiceAccount,
  Quantity,
} from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { AlertmanagerPlan } from '../observability/alertmanager-plan.ts';
import { NAME_LABEL } from './network-plan.ts';
import { hardenedContainerSecurity, hardenedPodSecurity } from './hardened-security.ts';
import { configChecksumAnnotation } from './config-checksum.ts';

export interface AlertmanagerProps {
  readonly plan: AlertmanagerPlan;
  /** alertmanager.yml, as rendered by constructs/observability/alertmanager-config.ts. */
  readonly config: string;
  /** The platform's label prefix: the pod template carries `<prefix>/config-checksum`, so a config change rolls it. */
  readonly labelPrefix: string;
}

const CONFIG_DIR = '/etc/alertmanager/config';

export class Alertmanager extends Construct {
  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const { plan } = props;
    const ns = plan.namespace;
    const labels = { [NAME_LABEL]: plan.name, 'app.kubernetes.io/part-of': 'api-platform' };
    const selector = { [NAME_LABEL]: plan.name };
    new KubeServiceAccount(this, 'service-account', { metadata: { name: plan.name, namespace: ns, labels }, automountServiceAccountToken: false });
    new KubeConfigMap(this, 'config', { metadata: { name: plan.configMap, namespace: ns, labels }, data: { 'alertmanager.yml': props.config } });
    const peers =
      plan.replicas > 1 ? [`--cluster.peer=${plan.peerService}.${ns}.svc.cluster.local:${plan.ports.cluster}`] : ['--cluster.listen-address=']; // one replica: no gossip
    new KubeDeployment(this, 'deployment', {
      metadata: { name: plan.name, namespace: ns, labels },
      spec: {
        replicas: plan.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: configChecksumAnnotation(props.labelPrefix, props.config) },
          spec: {
            serviceAccountName: plan.name,
            automountServiceAccountToken: false,
            securityContext: hardenedPodSecurity(plan.uid),
            containers: [
              {
                name: plan.name,
                image: plan.image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  `--config.file=${CONFIG_DIR}/alertmanager.yml`,
                  '--storage.path=/alertmanager',
                  `--web.listen-address=:${plan.ports.web}`,
                  ...(plan.replicas > 1 ? [`--cluster.listen-address=0.0.0.0:${plan.ports.cluster}`] : []),
                  ...peers,
                ],
                ports: [
                  { name: 'web', containerPort: plan.ports.web },
                  ...(plan.replicas > 1 ? [{ name: 'cluster', containerPort: plan.ports.cluster }] : []),
                ],
                resources: { requests: { cpu: Quantity.fromString('50m'), memory: Quantity.fromString('64Mi') }, limits: { memory: Quantity.fromString('256Mi') } },
                readinessProbe: { httpGet: { path: '/-/ready', port: IntOrString.fromNumber(plan.ports.web) }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/-/healthy', port: IntOrString.fromNumber(plan.ports.web) }, periodSeconds: 20, failureThreshold: 3 },
                securityContext: hardenedContainerSecurity(plan.uid),
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'receivers', mountPath: plan.receiverSecretDir, readOnly: true },
                  { name: 'storage', mountPath: '/alertmanager' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: plan.configMap } },
              // Created outside this repo: until it exists the pod waits (ContainerCreating) rather than run without its receivers.
              { name: 'receivers', secret: { secretName: plan.receiverSecret, defaultMode: 0o440 } },
              { name: 'storage', emptyDir: { sizeLimit: Quantity.fromString('256Mi') } },
            ],
          },
        },
      },
    });
    new KubeService(this, 'service', {
      metadata: { name: plan.name, namespace: ns, labels },
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'web', port: plan.ports.web, targetPort: IntOrString.fromNumber(plan.ports.web), protocol: 'TCP', appProtocol: 'http' }] },
    });
    if (plan.replicas > 1) {
      new KubeService(this, 'peers', {
        metadata: { name: plan.peerService, namespace: ns, labels },
        spec: {
          clusterIp: 'None',
          publishNotReadyAddresses: true,
          selector,
          ports: [{ name: 'cluster', port: plan.ports.cluster, targetPort: IntOrString.fromNumber(plan.ports.cluster), protocol: 'TCP' }],
        },
      });
    }
    new KubePodDisruptionBudget(this, 'disruption-budget', {
      metadata: { name: plan.name, namespace: ns, labels },
      spec: { maxUnavailable: IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });
  }
}
