/**
 * One catalog workload in Kubernetes: ServiceAccount (bound to its Google SA by Workload
 * Identity), a hardened Deployment, a Service with `appProtocol`, and an HPA on CPU plus the
 * kind's own signal (Pub/Sub backlog, GPU duty cycle). cdk8s-plus intent APIs where they have
 * a word for it; JSON patches on the L1 object only where they don't (GPU limits, gRPC probes).
 */
import { Construct } from 'constructs';
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Quantity } from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ScalingMetric, WorkloadPlan } from './workload-plan.ts';
import { cpuQuantity, memoryQuantity } from './quantities.ts';

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

export class Workload extends Construct {
  readonly serviceAccount: kplus.ServiceAccount;
  readonly deployment: kplus.Deployment;
  readonly service: kplus.Service;
  readonly autoscaler: kplus.HorizontalPodAutoscaler;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { plan } = props;
    const metadata = { name: plan.name, namespace: plan.namespace, labels: { ...plan.labels } };
    const grpc = plan.appProtocol === 'grpc';

    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { ...metadata, annotations: { 'iam.gke.io/gcp-service-account': plan.googleServiceAccount.email } },
      automountToken: false,
    });

    const startupFailures = Math.ceil(plan.startupBudgetSec / PROBE_PERIOD_SEC);
    const httpProbe = (path: string, failureThreshold = 3): kplus.Probe =>
      kplus.Probe.fromHttpGet(path, { port: plan.port, periodSeconds: Duration.seconds(PROBE_PERIOD_SEC), failureThreshold });
    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata,
      podMetadata: { labels: { ...plan.labels } },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: RUNTIME_UID, group: RUNTIME_UID, fsGroup: RUNTIME_UID },
      containers: [
        {
          name: plan.name,
          image: plan.image,
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
    const pod = ApiObject.of(this.deployment);
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
    if (plan.gpu) {
      const { gpu } = plan;
      // Patches pass through the L1 converter, so quantities must be Quantity objects, not strings.
      pod.addJsonPatch(
        JsonPatch.add('/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', Quantity.fromNumber(gpu.count)),
      );
      pod.addJsonPatch(JsonPatch.add('/spec/template/spec/nodeSelector', { ...gpu.nodeSelector }));
      this.deployment.scheduling.tolerate(
        kplus.Node.tainted(
          kplus.NodeTaintQuery.is(gpu.toleration.key, gpu.toleration.value, { effect: kplus.TaintEffect.NO_SCHEDULE }),
        ),
      );
    }

    this.service = this.deployment.exposeViaService({
      name: plan.name,
      serviceType: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: grpc ? 'grpc' : 'http', port: plan.port, targetPort: plan.port }],
    });
    ApiObject.of(this.service).addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', plan.appProtocol));

    this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'autoscaler', {
      metadata,
      target: this.deployment,
      minReplicas: plan.replicas.min,
      maxReplicas: plan.replicas.max,
      metrics: plan.metrics.map((m) => hpaMetric(m, plan)),
    });
  }
}
