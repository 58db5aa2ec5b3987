/**
 * One catalog workload in Kubernetes: ServiceAccount (bound to its Google SA by Workload
 * Identity), a hardened Deployment that drains before it stops, a Service with `appProtocol`
 * selecting every pod of the service, an HPA on CPU plus the kind's own signal (Pub/Sub backlog,
 * GPU duty cycle) and a PDB that always allows one eviction — and, when the environment
 * declares a canary, a second Deployment (`<name>-canary`) with its own HPA and PDB behind the
 * same Service and identity. cdk8s-plus intent APIs where they have a word for it; JSON patches
 * on the L1 object only where they don't (GPU limits, gRPC probes, the preStop sleep).
 */
import { Construct } from 'constructs';
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IntOrString, KubePodDisruptionBudget, Quantity } from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ScalingMetric, WorkloadPlan } from './workload-plan.ts';
import { cpuQuantity, memoryQuantity } from './quantities.ts';
import { addPostConversionPatch } from './post-conversion-patch.ts';

/** Containers run as this uid/gid (distroless "nonroot"). */
export const RUNTIME_UID = 65532;
const PROBE_PERIOD_SEC = 10;

function hpaMetric(metric: ScalingMetric, plan: WorkloadPlan): kplus.Metric {
  switch (metric.type) {
    case 'cpu':
      return kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(metric.averageUtilization));
    case 'pubsub-backlog':
      return kplus.Metric.external({
        name: 'pubsub.googleapis.com|subscription|num_undelivered_messages',
        labelSelector: kplus.LabelSelector.of({ labels: { 'resource.labels.subscription_id': metric.subscription } }),
        target: kplus.MetricTarget.averageValue(metric.averageValue),
      });
    case 'gpu-duty-cycle':
      return kplus.Metric.external({
        name: 'kubernetes.io|container|accelerator|duty_cycle',
        labelSelector: kplus.LabelSelector.of({
          // The container is named after its service, so this counts this workload's GPUs only.
          labels: { 'resource.labels.namespace_name': plan.namespace, 'resource.labels.container_name': plan.name },
        }),
        target: kplus.MetricTarget.averageValue(metric.averageValue),
      });
  }
}

export interface WorkloadProps {
  readonly plan: WorkloadPlan;
}

/** What differs between the stable Deployment and its canary. */
interface Track {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy: WorkloadPlan['imagePullPolicy'];
  readonly podLabels: Readonly<Record<string, string>>;
  readonly replicas: { readonly min: number; readonly max: number };
}

export class Workload extends Construct {
  readonly serviceAccount: kplus.ServiceAccount;
  readonly deployment: kplus.Deployment;
  readonly service: kplus.Service;
  readonly autoscaler: kplus.HorizontalPodAutoscaler;
  readonly canary?: kplus.Deployment;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { plan } = props;
    const metadata = { name: plan.name, namespace: plan.namespace, labels: { ...plan.labels } };
    const grpc = plan.appProtocol === 'grpc';

    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { ...metadata, annotations: { 'iam.gke.io/gcp-service-account': plan.googleServiceAccount.email } },
      automountToken: false,
    });

    const stable: Track = { name: plan.name, image: plan.image, imagePullPolicy: plan.imagePullPolicy, podLabels: plan.podLabels, replicas: plan.replicas };
    this.deployment = this.track('', stable, plan);

    this.service = this.deployment.exposeViaService({
      name: plan.name,
      serviceType: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: grpc ? 'grpc' : 'http', port: plan.port, targetPort: plan.port }],
    });
    const service = ApiObject.of(this.service);
    service.addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', plan.appProtocol));
    // Every pod of the service, stable and canary: the mesh splits traffic between them by subset.
    service.addJsonPatch(JsonPatch.replace('/spec/selector', { ...plan.selector }));

    this.autoscaler = this.scaling('', this.deployment, stable, plan);
    this.budget('', this.deployment, plan);

    if (plan.canary) {
      const { canary } = plan;
      this.canary = this.track('canary-', canary, plan);
      this.scaling('canary-', this.canary, canary, plan);
      this.budget('canary-', this.canary, plan);
    }
  }

  /** A hardened Deployment of the service's pods (the stable track, or its canary). */
  private track(idPrefix: string, track: Track, plan: WorkloadPlan): kplus.Deployment {
    const grpc = plan.appProtocol === 'grpc';
    const startupFailures = Math.ceil(plan.startupBudgetSec / PROBE_PERIOD_SEC);
    const httpProbe = (path: string, failureThreshold = 3): kplus.Probe =>
      kplus.Probe.fromHttpGet(path, { port: plan.port, periodSeconds: Duration.seconds(PROBE_PERIOD_SEC), failureThreshold });
    const deployment = new kplus.Deployment(this, `${idPrefix}deployment`, {
      metadata: { name: track.name, namespace: plan.namespace, labels: { ...plan.labels } },
      podMetadata: { labels: { ...track.podLabels } },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(plan.drain.terminationGracePeriodSec),
      securityContext: { ensureNonRoot: true, user: RUNTIME_UID, group: RUNTIME_UID, fsGroup: RUNTIME_UID },
      containers: [
        {
          name: plan.name,
          image: track.image,
          imagePullPolicy: track.imagePullPolicy === 'IfNotPresent' ? kplus.ImagePullPolicy.IF_NOT_PRESENT : kplus.ImagePullPolicy.ALWAYS,
          portNumber: plan.port,
          securityContext: {
            ensureNonRoot: true,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            user: RUNTIME_UID,
            group: RUNTIME_UID,
            // No service needs a Linux capability (ports are above 1024), nor a rare syscall.
            capabilities: { drop: [kplus.Capability.ALL] },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
          resources: {
            cpu: {
              request: cpuQuantity(plan.resources.requests.cpu),
              ...(plan.resources.limits.cpu ? { limit: cpuQuantity(plan.resources.limits.cpu) } : {}),
            },
            memory: {
              request: memoryQuantity(plan.resources.requests.memory),
              limit: memoryQuantity(plan.resources.limits.memory),
            },
          },
          // Liveness and readiness wait for startup to succeed; startup gets the kind's budget.
          ...(grpc
            ? {}
            : { readiness: httpProbe('/readyz'), liveness: httpProbe('/healthz'), startup: httpProbe('/healthz', startupFailures) }),
        },
      ],
    });
    const pod = ApiObject.of(deployment);
    if (grpc) {
      // Native gRPC health checking (grpc.health.v1), which cdk8s-plus has no word for.
      const probe = { grpc: { port: plan.port }, periodSeconds: PROBE_PERIOD_SEC, failureThreshold: 3 };
      pod.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/readinessProbe', probe));
      pod.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/livenessProbe', probe));
      // Replaces cdk8s-plus' default TCP startup probe (3 × 10 s would kill a loading model server).
      pod.addJsonPatch(
        JsonPatch.add('/spec/template/spec/containers/0/startupProbe', { ...probe, failureThreshold: startupFailures }),
      );
    }
    // Keep serving while the endpoint leaves every proxy, then drain (the images have no shell:
    // the kubelet's own sleep action, not `sleep` in the container). The mesh's native sidecar
    // stops after the app container, so in-flight requests keep their proxy.
    addPostConversionPatch(
      pod,
      JsonPatch.add('/spec/template/spec/containers/0/lifecycle', { preStop: { sleep: { seconds: plan.drain.preStopSec } } }),
    );
    if (plan.gpu) {
      const { gpu } = plan;
      // Patches pass through the L1 converter, so quantities must be Quantity objects, not strings.
      pod.addJsonPatch(
        JsonPatch.add('/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', Quantity.fromNumber(gpu.count)),
      );
      pod.addJsonPatch(JsonPatch.add('/spec/template/spec/nodeSelector', { ...gpu.nodeSelector }));
      deployment.scheduling.tolerate(
        kplus.Node.tainted(
          kplus.NodeTaintQuery.is(gpu.toleration.key, gpu.toleration.value, { effect: kplus.TaintEffect.NO_SCHEDULE }),
        ),
      );
    }
    return deployment;
  }

  private scaling(idPrefix: string, target: kplus.Deployment, track: Track, plan: WorkloadPlan): kplus.HorizontalPodAutoscaler {
    return new kplus.HorizontalPodAutoscaler(this, `${idPrefix}autoscaler`, {
      metadata: { name: track.name, namespace: plan.namespace, labels: { ...plan.labels } },
      target,
      minReplicas: track.replicas.min,
      maxReplicas: track.replicas.max,
      metrics: plan.metrics.map((m) => hpaMetric(m, plan)),
    });
  }

  /** maxUnavailable (1): a node drain can always evict one pod, whatever the HPA's minimum. */
  private budget(idPrefix: string, target: kplus.Deployment, plan: WorkloadPlan): void {
    new KubePodDisruptionBudget(this, `${idPrefix}disruption-budget`, {
      metadata: { name: target.name, namespace: plan.namespace, labels: { ...plan.labels } },
      spec: { maxUnavailable: IntOrString.fromNumber(plan.maxUnavailable), selector: { matchLabels: target.matchLabels } },
    });
  }
}
