/**
 * NamespaceQuotaPlan: per namespace the platform runs pods in, its ResourceQuota — sized from
 * what its workloads may run at their maximum replicas plus a rollout's surge, with the mesh
 * sidecar counted in every pod, unless the catalog overrides a figure — and its LimitRange
 * (containers that declare nothing get the catalog's default service size). GPU quota where GPU
 * workloads run, zero elsewhere. Pure: reads the derived plan.
 */
import type { PlatformPlan } from '../platform-plan.ts';
import { MESH_SIDECAR_REQUESTS, cpuMillis, memoryMebibytes } from '../../environments/schema/kubernetes.ts';
import { DEFAULT_SERVICE_RESOURCES } from '../../environments/schema/service.ts';

/** Deployments roll with maxSurge 25%: a namespace at maximum scale briefly runs a quarter more pods. */
const ROLLOUT_SURGE = 0.25;

export interface QuotaPlan {
  /** requests.cpu, e.g. "12400m". */
  readonly cpu: string;
  /** requests.memory, e.g. "20480Mi". */
  readonly memory: string;
  readonly pods: number;
  /** requests.nvidia.com/gpu. */
  readonly gpus: number;
}

export interface NamespaceQuotaPlan {
  readonly namespace: string;
  readonly quota: QuotaPlan;
  /** Defaults for containers that set no requests or limits (a sidecar injected by a tool, a debug container). */
  readonly containerDefaults: { readonly cpu: string; readonly memory: string };
}

interface PodShape {
  readonly maxReplicas: number;
  readonly cpu: string;
  readonly memory: string;
  readonly gpus: number;
}

function sized(pods: readonly PodShape[], meshed: boolean): QuotaPlan {
  const sidecarCpu = meshed ? cpuMillis(MESH_SIDECAR_REQUESTS.cpu) : 0;
  const sidecarMiB = meshed ? memoryMebibytes(MESH_SIDECAR_REQUESTS.memory) : 0;
  let cpu = 0;
  let memory = 0;
  let count = 0;
  let gpus = 0;
  for (const p of pods) {
    const n = Math.ceil(p.maxReplicas * (1 + ROLLOUT_SURGE));
    cpu += n * (cpuMillis(p.cpu) + sidecarCpu);
    memory += n * (memoryMebibytes(p.memory) + sidecarMiB);
    count += n;
    gpus += n * p.gpus;
  }
  return { cpu: `${cpu}m`, memory: `${Math.ceil(memory)}Mi`, pods: count, gpus };
}

export function planNamespaceQuotas(plan: PlatformPlan): NamespaceQuotaPlan[] {
  const { env, edge } = plan;
  const byNamespace = new Map<string, PodShape[]>();
  const add = (ns: string, shape: PodShape): void => void byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), shape]);
  for (const w of plan.workloads.workloads) {
    const shape = { cpu: w.resources.requests.cpu, memory: w.resources.requests.memory, gpus: w.gpu?.count ?? 0 };
    add(w.namespace, { ...shape, maxReplicas: w.replicas.max });
    if (w.canary) add(w.namespace, { ...shape, maxReplicas: w.canary.replicas.max });
  }
  for (const proxy of [edge.nginx, edge.kong, edge.gateway]) {
    add(edge.namespace, { maxReplicas: proxy.replicas.max, cpu: proxy.resources.cpu, memory: proxy.resources.memory, gpus: 0 });
  }
  return [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, pods]) => {
      const override = env.kubernetes.namespaces[namespace]?.quota ?? {};
      return {
        namespace,
        // Every namespace here runs sidecars (istio-injection: enabled).
        quota: { ...sized(pods, true), ...Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined)) },
        containerDefaults: { ...DEFAULT_SERVICE_RESOURCES },
      };
    });
}
