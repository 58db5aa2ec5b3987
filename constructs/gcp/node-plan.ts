/**
 * NodePlan: the node pools an environment needs, with everything GKE must be told derived
 * once (locations, labels, taints, GPU settings). Pure: no cdktf here (DESIGN.md §8).
 */
import type { CpuPool, Environment, GpuPool } from '../../environments/schema.ts';
import type { AcceleratorType } from '../../environments/gpu-catalog.ts';

/** Every GPU node carries this taint; only pods that request GPUs tolerate it. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' } as const;
/** GKE's own node label naming the accelerator; GPU pods select on it. */
export const ACCELERATOR_LABEL = 'cloud.google.com/gke-accelerator';

export interface GpuSettings {
  readonly type: AcceleratorType;
  readonly count: number;
  readonly driverVersion: 'DEFAULT' | 'LATEST' | 'INSTALLATION_DISABLED';
  readonly partitionSize?: string;
  readonly sharing?: { readonly strategy: 'TIME_SHARING'; readonly maxSharedClientsPerGpu: number };
}

export interface NodePoolPlan {
  /** Construct id and GKE pool name. Public API: renaming it recreates the pool. */
  readonly name: string;
  readonly machineType: string;
  readonly spot: boolean;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly diskSizeGb: number;
  readonly diskType: string;
  /** Zones for the pool's nodes; undefined → the cluster's node locations. */
  readonly zones?: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { readonly key: string; readonly value: string; readonly effect: 'NO_SCHEDULE' }[];
  readonly gpu?: GpuSettings;
}

export interface NodePlan {
  readonly clusterName: string;
  /** Cluster location: the first zone for a zonal cluster, the region for a regional one. */
  readonly location: string;
  readonly regional: boolean;
  readonly nodeLocations: readonly string[];
  readonly pools: readonly NodePoolPlan[];
}

/** What every pool, CPU or GPU, takes from the catalog as it is. */
function commonPoolFields(p: CpuPool | GpuPool, labelPrefix: string): Pick<NodePoolPlan, 'name' | 'machineType' | 'spot' | 'minNodes' | 'maxNodes' | 'labels'> {
  return {
    name: p.name,
    machineType: p.machineType,
    spot: p.spot,
    minNodes: p.minNodes,
    maxNodes: p.maxNodes,
    labels: { [`${labelPrefix}/pool`]: p.name },
  };
}

export function planNodes(env: Environment): NodePlan {
  const { gke, gcp } = env;
  const location = gke.locationType === 'zonal' ? (gcp.zones[0] ?? gcp.region) : gcp.region;
  const cpu = gke.cpuPools.map(
    (p): NodePoolPlan => ({ ...commonPoolFields(p, env.kubernetes.labelPrefix), diskSizeGb: p.diskSizeGb, diskType: p.diskType, taints: [] }),
  );
  const gpu = gke.gpuPools.map(
    (p): NodePoolPlan => ({
      ...commonPoolFields(p, env.kubernetes.labelPrefix),
      // GPU nodes pull multi-GB model-serving images: a larger, faster boot disk.
      diskSizeGb: 200,
      diskType: 'pd-ssd',
      ...(p.zones ? { zones: p.zones } : {}),
      taints: [GPU_TAINT],
      gpu: {
        type: p.accelerator,
        count: p.count,
        driverVersion: p.driverVersion,
        ...(p.sharing?.strategy === 'mig' ? { partitionSize: p.sharing.partitionSize } : {}),
        ...(p.sharing?.strategy === 'time-sharing'
          ? { sharing: { strategy: 'TIME_SHARING', maxSharedClientsPerGpu: p.sharing.maxSharedClientsPerGpu } }
          : {}),
      },
    }),
  );
  return {
    clusterName: gke.clusterName,
    location,
    regional: gke.locationType === 'regional',
    nodeLocations: gke.locationType === 'zonal' ? [location] : gcp.zones,
    pools: [...cpu, ...gpu],
  };
}
