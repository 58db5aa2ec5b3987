/**
 * WorkloadPlan: per catalog service, what Kubernetes runs — namespace, image reference,
 * replicas, autoscaling metrics, GPU placement, identities, how it drains and how many pods a
 * disruption may take, and its canary when the environment declares one. Pure (no cdk8s imports).
 */
import type { Environment, Protocol, Service, ServiceKind } from '../../environments/schema.ts';
import { canaryReplicas, platformKey } from '../../environments/schema/kubernetes.ts';
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

/** How a pod leaves: endpoints go first (preStop), then in-flight work drains, inside the grace period. */
export interface DrainPlan {
  /** Seconds the pod keeps serving after it is marked terminating, while endpoints leave every proxy. */
  readonly preStopSec: number;
  /** Seconds in-flight requests (REST) or open streams get once the process is told to stop. */
  readonly drainSec: number;
  /** preStop + drain + margin: the kubelet kills the pod after this. */
  readonly terminationGracePeriodSec: number;
}

/** A canary release: a second Deployment of the same service, its own autoscaler and budget. */
export interface CanaryPlan {
  /** Deployment, HPA and PDB name: `<service>-canary`. */
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy: ImagePullPolicy;
  /** Percent of in-mesh requests routed to the canary subset. */
  readonly weight: number;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly podLabels: Readonly<Record<string, string>>;
}

/** Pinned references (a digest, or a tag other than latest) never change: pull once per node. */
export type ImagePullPolicy = 'IfNotPresent' | 'Always';

export interface WorkloadPlan {
  readonly name: string;
  readonly namespace: string;
  readonly kind: ServiceKind;
  readonly protocol: Protocol;
  readonly image: string;
  readonly imagePullPolicy: ImagePullPolicy;
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
  /** Object labels (ServiceAccount, Deployment, Service, HPA). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the stable pods: `labels` plus the track (`<prefix>/track: stable`) the mesh's subsets select. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** What selects every pod of the service, stable and canary: the Service's selector, NetworkPolicy and mesh policy selectors. */
  readonly selector: Readonly<Record<string, string>>;
  readonly drain: DrainPlan;
  /** Pods a voluntary disruption (node drain, upgrade) may take at once: 1 always allows one eviction. */
  readonly maxUnavailable: number;
  readonly canary?: CanaryPlan;
}

export interface NamespacePlan {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface WorkloadsPlan {
  /** The catalog's `kubernetes.labelPrefix`: every platform label and annotation key starts with it. */
  readonly labelPrefix: string;
  readonly namespaces: readonly NamespacePlan[];
  readonly workloads: readonly WorkloadPlan[];
}

type ImageRef = Service['image'];

/** `<region>-docker.pkg.dev/<project>/<repository>/<image>:<tag>` (or `@sha256:…`). */
export function imageReference(env: Environment, svc: { readonly image: ImageRef }): string {
  const repo = `${env.gcp.region}-docker.pkg.dev/${env.gcp.projectId}/${env.gcp.artifactRegistry}/${svc.image.name}`;
  return svc.image.digest ? `${repo}@${svc.image.digest}` : `${repo}:${svc.image.tag ?? 'latest'}`;
}

export function pullPolicy(image: ImageRef): ImagePullPolicy {
  return image.digest !== undefined || (image.tag !== undefined && image.tag !== 'latest') ? 'IfNotPresent' : 'Always';
}

/** Endpoint removal reaches kube-proxy and every client sidecar (istiod's push) within this. */
const PRE_STOP_SEC = 10;
/** Open streams get at most this long: a rollout must not wait on a two-hour WebSocket (clients reconnect). */
const STREAM_DRAIN_CAP_SEC = 300;
const GRACE_MARGIN_SEC = 5;

/**
 * REST drains for its request time; streams (gRPC, WebSocket, SSE) for the longer of the request
 * time and the idle limit, capped: long enough for a unary call or a quiet stream to finish.
 */
export function drainFor(svc: Pick<Service, 'protocol' | 'timeouts'>): DrainPlan {
  const t = svc.timeouts;
  const drainSec = svc.protocol === 'http' ? t.requestSec : Math.min(t.maxStreamSec, STREAM_DRAIN_CAP_SEC, Math.max(t.requestSec, t.idleSec));
  return { preStopSec: PRE_STOP_SEC, drainSec, terminationGracePeriodSec: PRE_STOP_SEC + drainSec + GRACE_MARGIN_SEC };
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

/** Label values of the `<prefix>/track` label that DestinationRule subsets select. */
export const TRACKS = { stable: 'stable', canary: 'canary' } as const;

export function planWorkloads(env: Environment): WorkloadsPlan {
  const prefix = env.kubernetes.labelPrefix;
  const namespaces = [...new Set(env.services.map((s) => s.namespace))].sort().map(
    (name): NamespacePlan => ({
      name,
      labels: { 'istio-injection': 'enabled', [platformKey(prefix, 'environment')]: env.name },
    }),
  );
  const workloads = env.services.map((svc): WorkloadPlan => {
    const accountId = workloadAccountId(svc.name);
    const labels = { 'app.kubernetes.io/name': svc.name, 'app.kubernetes.io/part-of': 'api-platform', [platformKey(prefix, 'kind')]: svc.kind };
    const track = platformKey(prefix, 'track');
    const replicas = { min: svc.autoscaling.minReplicas, max: svc.autoscaling.maxReplicas };
    return {
      name: svc.name,
      namespace: svc.namespace,
      kind: svc.kind,
      protocol: svc.protocol,
      image: imageReference(env, svc),
      imagePullPolicy: pullPolicy(svc.image),
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
      replicas,
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
      labels,
      podLabels: { ...labels, [track]: TRACKS.stable },
      selector: { 'app.kubernetes.io/name': svc.name },
      drain: drainFor(svc),
      maxUnavailable: 1,
      ...(svc.canary
        ? {
            canary: {
              name: `${svc.name}-canary`,
              image: imageReference(env, svc.canary),
              imagePullPolicy: pullPolicy(svc.canary.image),
              weight: svc.canary.weight,
              replicas: canaryReplicas(replicas, svc.canary.weight, env.tier === 'production'),
              podLabels: { ...labels, [track]: TRACKS.canary },
            },
          }
        : {}),
    };
  });
  return { labelPrefix: prefix, namespaces, workloads };
}
