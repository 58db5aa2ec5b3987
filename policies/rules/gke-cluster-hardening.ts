/** GKE clusters: private nodes, Workload Identity, shielded nodes, default pool removed. */
import { block, get, type Rule } from '../engine.ts';

export const gkeClusterHardening: Rule = {
  id: 'GKE001',
  severity: 'error',
  description: 'GKE clusters have private nodes, Workload Identity, shielded nodes and no default node pool',
  check: ({ env, terraform }) =>
    terraform.resources
      .filter((r) => r.type === 'google_container_cluster')
      .flatMap((r) => {
        const target = { env, file: terraform.file, address: r.address };
        const problems: { message: string; remediation: string }[] = [];
        if (get(block(r.values.private_cluster_config), 'enable_private_nodes') !== true) {
          problems.push({
            message: 'nodes have public IP addresses (private_cluster_config.enable_private_nodes is not true)',
            remediation: 'set private_cluster_config.enable_private_nodes = true; egress goes through Cloud NAT',
          });
        }
        if (typeof get(block(r.values.workload_identity_config), 'workload_pool') !== 'string') {
          problems.push({
            message: 'Workload Identity is off: pods would use the node service account',
            remediation: 'set workload_identity_config.workload_pool = "<project>.svc.id.goog"',
          });
        }
        if (r.values.enable_shielded_nodes !== true) {
          problems.push({ message: 'shielded nodes are off', remediation: 'set enable_shielded_nodes = true' });
        }
        if (r.values.remove_default_node_pool !== true) {
          problems.push({
            message: 'the default node pool is kept (it runs with the default compute service account)',
            remediation: 'set remove_default_node_pool = true and declare node pools explicitly',
          });
        }
        return problems.map((p) => ({ target, ...p }));
      }),
};
