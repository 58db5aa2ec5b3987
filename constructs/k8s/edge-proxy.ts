/**
 * One edge proxy (Nginx, Kong or the edge gateway) in the `edge` namespace: ServiceAccount,
 * hardened Deployment, Service with `appProtocol` per port, HPA, and a PDB that always allows
 * one eviction. What differs per proxy (command, env, volumes, probes, ports) comes in as props;
 * names, replicas, drain budget and uid come from its EdgeProxyPlan, so nothing is typed twice.
 */
import { Construct } from 'constructs';
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IntOrString, KubePodDisruptionBudget } from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { EdgeProxyPlan } from '../edge/edge-plan.ts';
import { cpuQuantity, memoryQuantity } from './quantities.ts';

export interface EdgeProxyPort {
  readonly name: string;
  readonly port: number;
  /** Kubernetes `appProtocol` (Istio and the GLB read it): `http`, `kubernetes.io/h2c`, `https`. */
  readonly appProtocol: string;
}

export interface EdgeProxyProps {
  readonly plan: EdgeProxyPlan;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly EdgeProxyPort[];
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly mounts?: readonly kplus.VolumeMount[];
  readonly initContainers?: readonly kplus.ContainerProps[];
  readonly readiness: kplus.Probe;
  readonly liveness: kplus.Probe;
  readonly preStop?: readonly string[];
  /** Pod-template annotations (config checksums: a changed config rolls the pods). */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  readonly serviceAnnotations?: Readonly<Record<string, string>>;
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /** HPA metrics besides CPU. */
  readonly extraMetrics?: readonly kplus.Metric[];
}

/** Non-root, read-only root FS, no privilege escalation, no capabilities, the runtime's seccomp profile. */
export function hardenedSecurityContext(uid: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    privileged: false,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    user: uid,
    group: uid,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

export class EdgeProxy extends Construct {
  readonly serviceAccount: kplus.ServiceAccount;
  readonly deployment: kplus.Deployment;
  readonly service: kplus.Service;
  readonly autoscaler: kplus.HorizontalPodAutoscaler;

  constructor(scope: Construct, id: string, props: EdgeProxyProps) {
    super(scope, id);
    const { plan } = props;
    const metadata = { name: plan.name, namespace: props.namespace, labels: { ...props.labels } };
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { ...metadata, annotations: { ...props.serviceAccountAnnotations } },
      automountToken: false,
    });
    const resources: kplus.ContainerResources = {
      cpu: { request: cpuQuantity(plan.resources.cpu) },
      memory: { request: memoryQuantity(plan.resources.memory), limit: memoryQuantity(plan.resources.memoryLimit) },
    };
    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata,
      podMetadata: { labels: { ...props.labels }, annotations: { ...props.podAnnotations } },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(plan.terminationGracePeriodSec),
      securityContext: { ensureNonRoot: true, user: plan.uid, group: plan.uid, fsGroup: plan.uid },
      initContainers: props.initContainers?.map((c) => ({
        ...c,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        securityContext: hardenedSecurityContext(plan.uid),
        resources,
      })),
      containers: [
        {
          name: plan.name,
          image: plan.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: props.ports.map((p) => ({ name: p.name, number: p.port })),
          ...(props.command ? { command: [...props.command] } : {}),
          ...(props.args ? { args: [...props.args] } : {}),
          envVariables: Object.fromEntries(Object.entries(props.env ?? {}).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
          volumeMounts: [...(props.mounts ?? [])],
          securityContext: hardenedSecurityContext(plan.uid),
          resources,
          readiness: props.readiness,
          liveness: props.liveness,
          ...(props.preStop ? { lifecycle: { preStop: kplus.Handler.fromCommand([...props.preStop]) } } : {}),
        },
      ],
    });

    this.service = new kplus.Service(this, 'service', {
      metadata: { ...metadata, annotations: { ...props.serviceAnnotations } },
      selector: this.deployment,
      type: kplus.ServiceType.CLUSTER_IP,
      ports: props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
    });
    props.ports.forEach((p, i) => ApiObject.of(this.service).addJsonPatch(JsonPatch.add(`/spec/ports/${i}/appProtocol`, p.appProtocol)));

    this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'autoscaler', {
      metadata,
      target: this.deployment,
      minReplicas: plan.replicas.min,
      maxReplicas: plan.replicas.max,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70)), ...(props.extraMetrics ?? [])],
    });

    // maxUnavailable 1: a drain can always evict one pod, whatever the replica count.
    new KubePodDisruptionBudget(this, 'disruption-budget', {
      metadata,
      spec: { maxUnavailable: IntOrString.fromNumber(1), selector: { matchLabels: this.deployment.matchLabels } },
    });
  }
}
