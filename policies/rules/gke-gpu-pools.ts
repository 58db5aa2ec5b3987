/** GKE GPU pools: reserved for GPU pods by a taint, drivers installed, scaled on demand. */
import { block, get, type Rule, type TerraformResource } from '../engine.ts';
import { eachResource, type Judged } from '../rule-scopes.ts';

/** The taint GPU pools carry and GPU pods tolerate: nvidia.com/gpu=present:NoSchedule. */
export const GPU_TAINT_KEY = 'nvidia.com/gpu';
export const GPU_TAINT_VALUE = 'present';

const POOL = ['google_container_node_pool'];

function accelerators(r: TerraformResource): unknown[] {
  const list = get(block(r.values.node_config), 'guest_accelerator');
  return Array.isArray(list) ? list : [];
}

/** Judges GPU pools only (those with a guest accelerator). */
function eachGpuPool(judge: (r: TerraformResource) => Judged): Rule['check'] {
  return eachResource(POOL, (r) => (accelerators(r).length > 0 ? judge(r) : undefined));
}

export const gpuTaint: Rule = {
  id: 'GKE040',
  severity: 'error',
  description: 'GPU pools carry the nvidia.com/gpu=present:NoSchedule taint',
  rationale: 'Untainted GPU nodes accept any pod: ordinary workloads fill expensive GPU nodes and keep them from scaling down.',
  remediation: 'add node_config.taint { key = "nvidia.com/gpu", value = "present", effect = "NO_SCHEDULE" }',
  equivalents: {},
  catalogKeys: ['gpuPools', 'gke'],
  check: eachGpuPool((r) => {
    const taints = get(block(r.values.node_config), 'taint');
    const tainted = (Array.isArray(taints) ? taints : []).some(
      (t) => get(t, 'key') === GPU_TAINT_KEY && get(t, 'value') === GPU_TAINT_VALUE && get(t, 'effect') === 'NO_SCHEDULE',
    );
    return tainted
      ? undefined
      : {
          message: 'GPU pool without the nvidia.com/gpu=present:NoSchedule taint: any pod may land on expensive GPU nodes',
          remediation: 'add node_config.taint { key = "nvidia.com/gpu", value = "present", effect = "NO_SCHEDULE" }',
        };
  }),
};

const DRIVER_VERSIONS = ['DEFAULT', 'LATEST'];

export const gpuDriverInstallation: Rule = {
  id: 'GKE041',
  severity: 'error',
  description: 'GPU pools install the NVIDIA driver (gpu_driver_installation_config)',
  rationale:
    'Without GKE-managed driver installation the nodes come up with GPUs no pod can use until someone runs a driver DaemonSet by hand, and driver versions drift from the node image.',
  remediation: 'set guest_accelerator.gpu_driver_installation_config.gpu_driver_version = "LATEST" (or "DEFAULT")',
  equivalents: {},
  catalogKeys: ['gpuPools', 'gke'],
  check: eachGpuPool((r) =>
    accelerators(r)
      .filter((acc) => !DRIVER_VERSIONS.includes(String(get(block(get(acc, 'gpu_driver_installation_config')), 'gpu_driver_version'))))
      .map((acc) => ({
        message: `${String(get(acc, 'type'))}: no driver installation (gpu_driver_version is ${JSON.stringify(
          get(block(get(acc, 'gpu_driver_installation_config')), 'gpu_driver_version') ?? 'unset',
        )})`,
        remediation: 'set gpu_driver_installation_config.gpu_driver_version = "LATEST" or "DEFAULT"',
      })),
  ),
};

export const gpuAutoscaling: Rule = {
  id: 'GKE042',
  severity: 'error',
  description: 'GPU pools autoscale (GPUs are paid for only while pods need them)',
  rationale: 'A fixed-size GPU pool bills its accelerators around the clock whether or not inference runs; the autoscaler adds and removes GPU nodes with demand.',
  remediation: 'add an autoscaling block with total_min_node_count (0 where cold starts are acceptable) and total_max_node_count > 0',
  equivalents: {},
  catalogKeys: ['gpuPools', 'gke'],
  check: eachGpuPool((r) => {
    const autoscaling = block(r.values.autoscaling);
    const max = Number(get(autoscaling, 'total_max_node_count') ?? get(autoscaling, 'max_node_count') ?? 0);
    return autoscaling !== undefined && max > 0
      ? undefined
      : {
          message: autoscaling === undefined ? 'GPU pool has a fixed size (no autoscaling block)' : 'GPU pool autoscaling allows no nodes (max 0)',
          remediation: 'set autoscaling { total_min_node_count = 0, total_max_node_count = N }',
        };
  }),
};

export const GKE_GPU_POOL_RULES: readonly Rule[] = [gpuTaint, gpuDriverInstallation, gpuAutoscaling];
