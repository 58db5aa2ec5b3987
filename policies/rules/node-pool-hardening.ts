/** Node pools: secure boot, GKE metadata server, and every GPU pool tainted for GPU pods only. */
import { block, get, type Rule } from '../engine.ts';

export const GPU_TAINT_KEY = 'nvidia.com/gpu';

export const nodePoolHardening: Rule = {
  id: 'GKE002',
  severity: 'error',
  description: 'Node pools use secure boot and the GKE metadata server; GPU pools carry the nvidia.com/gpu NoSchedule taint',
  check: ({ env, terraform }) =>
    terraform.resources
      .filter((r) => r.type === 'google_container_node_pool')
      .flatMap((r) => {
        const target = { env, file: terraform.file, address: r.address };
        const node = block(r.values.node_config);
        const problems: { message: string; remediation: string }[] = [];
        if (get(block(node?.shielded_instance_config), 'enable_secure_boot') !== true) {
          problems.push({ message: 'secure boot is off', remediation: 'set node_config.shielded_instance_config.enable_secure_boot = true' });
        }
        if (get(block(node?.workload_metadata_config), 'mode') !== 'GKE_METADATA') {
          problems.push({
            message: 'pods can reach the node metadata server (workload_metadata_config.mode is not GKE_METADATA)',
            remediation: 'set node_config.workload_metadata_config.mode = "GKE_METADATA"',
          });
        }
        const accelerators = Array.isArray(node?.guest_accelerator) ? node.guest_accelerator : [];
        const taints = Array.isArray(node?.taint) ? (node.taint as unknown[]) : [];
        const tainted = taints.some((t) => get(t, 'key') === GPU_TAINT_KEY && get(t, 'effect') === 'NO_SCHEDULE');
        if (accelerators.length > 0 && !tainted) {
          problems.push({
            message: 'GPU pool without the nvidia.com/gpu NoSchedule taint: any pod may land on expensive GPU nodes',
            remediation: 'add node_config.taint { key = "nvidia.com/gpu", value = "present", effect = "NO_SCHEDULE" }',
          });
        }
        return problems.map((p) => ({ target, ...p }));
      }),
};
