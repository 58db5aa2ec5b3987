/**
 * WorkloadPlan: per catalog service, what Kubernetes runs — namespace, image reference,
 * replicas, autoscaling metrics, GPU placement, identities. Pure (no cdk8s imports).
 */
import type { Environment, Protocol, Service, ServiceKind } from '../../environments/schema.ts';
import { ACCELERATOR_LABEL, GPU_TAINT } from '../gcp/node-plan.ts';
import { serviceAccountId } from '../gcp/service-account-id.ts';

/**
 * Service `appProtocol` per catalog protocol, in the names Istio's protocol selection reads
 * (`grpc` → HTTP/2; WebSocket upgrades and SSE ride `http`).
 */
const APP_PROTOCOL: Readonly<Record<Protocol, string>> = {
  http: 'http',
  grpc: 'grpc',
  websocket: 'http',
  sse: 'http',
};

export type ScalingMetric =
  | { readonly type: 'cpu'; readonly averageUtilization: number }
  | { readonly type: 'pubsub-backlog'; readonly subscription: string; readonly averageValue: number }
  | { readonly type: 'gpu-duty-cycle'; readonly averageValue: number };

export interface WorkloadPlan {
  readonly name: string;
  readonly namespace: string;
  readonly kind: ServiceKind;
  readonly image: string;
  readonly port: number;
  readonly appProtocol: string;
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu?: string; readonly memory: string };
  };
  readonly replicas: { readonly min: number; readonly max: number };
  /** How long the container may take to start before the kubelet restarts it (model loading!). */
  readonly startupBudgetSec: number;
  readonly metrics: readonly ScalingMetric[];
  /** Kubernetes ServiceAccount name and the Google service account it impersonates. */
  readonly serviceAccount: string;
  readonly googleServiceAccount: { readonly accountId: string; readonly email: string };
  readonly gpu?: {
    readonly count: number;
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly toleration: { readonly key: string; readonly operator: 'Equal'; readonly value: string; readonly effect: 'NoSchedule' };
  };
  readonly labels: Readonly<Record<string, string>>;
}

export interface NamespacePlan {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface WorkloadsPlan {
  readonly namespaces: readonly NamespacePlan[];
  readonly workloads: readonly WorkloadPlan[];
}

/** `<region>-docker.pkg.dev/<project>/<repository>/<image>:<tag>` (or `@sha256:…`). */
export function imageReference(env: Environment, svc: Service): string {
  const repo = `${env.gcp.region}-docker.pkg.dev/${env.gcp.projectId}/${env.gcp.artifactRegistry}/${svc.image.name}`;
  return svc.image.digest ? `${repo}@${svc.image.digest}` : `${repo}:${svc.image.tag ?? 'latest'}`;
}

/** Workloads get `wl-<service name>`. */
export function workloadAccountId(serviceName: string): string {
  return serviceAccountId(`wl-${serviceName}`);
}

/** Inference servers load multi-GB weights onto the GPU before they listen. */
const INFERENCE_STARTUP_SEC = 600;
const STARTUP_SEC = 120;

function metricsFor(svc: Service): ScalingMetric[] {
  const metrics: ScalingMetric[] = [{ type: 'cpu', averageUtilization: svc.autoscaling.cpuPercent }];
  const backlog = svc.autoscaling.backlogPerReplica;
  if (backlog !== undefined) {
    for (const subscription of svc.subscribes) metrics.push({ type: 'pubsub-backlog', subscription, averageValue: backlog });
  }
  if (svc.autoscaling.gpuDutyCycle !== undefined) {
    metrics.push({ type: 'gpu-duty-cycle', averageValue: svc.autoscaling.gpuDutyCycle });
  }
  return metrics;
}

export function planWorkloads(env: Environment): WorkloadsPlan {
  const namespaces = [...new Set(env.services.map((s) => s.namespace))].sort().map(
    (name): NamespacePlan => ({
      name,
      labels: { 'istio-injection': 'enabled', 'platform.acme.example/environment': env.name },
    }),
  );
  const workloads = env.services.map((svc): WorkloadPlan => {
    const accountId = workloadAccountId(svc.name);
    return {
      name: svc.name,
      namespace: svc.namespace,
      kind: svc.kind,
      image: imageReference(env, svc),
      port: svc.port,
      appProtocol: APP_PROTOCOL[svc.protocol],
      resources: {
        requests: { cpu: svc.resources.cpu, memory: svc.resources.memory },
        // Memory limit = request unless set: the OOM killer, not the neighbour, pays for overuse.
        limits: {
          ...(svc.resources.cpuLimit ? { cpu: svc.resources.cpuLimit } : {}),
          memory: svc.resources.memoryLimit ?? svc.resources.memory,
        },
      },
      replicas: { min: svc.autoscaling.minReplicas, max: svc.autoscaling.maxReplicas },
      startupBudgetSec: svc.kind === 'inference' ? INFERENCE_STARTUP_SEC : STARTUP_SEC,
      metrics: metricsFor(svc),
      serviceAccount: svc.name,
      googleServiceAccount: { accountId, email: `${accountId}@${env.gcp.projectId}.iam.gserviceaccount.com` },
      ...(svc.gpu
        ? {
            gpu: {
              count: svc.gpu.count,
              nodeSelector: { [ACCELERATOR_LABEL]: svc.gpu.accelerator },
              toleration: { key: GPU_TAINT.key, operator: 'Equal', value: GPU_TAINT.value, effect: 'NoSchedule' },
            },
          }
        : {}),
      labels: { 'app.kubernetes.io/name': svc.name, 'app.kubernetes.io/part-of': 'api-platform', 'platform.acme.example/kind': svc.kind },
    };
  });
  return { namespaces, workloads };
}
