/** GKE node pools: metadata, boot integrity, self-healing, image and identity of every node. */
import { block, get, type Rule, type TerraformResource } from '../engine.ts';
import { eachResource } from '../rule-scopes.ts';

const POOL = ['google_container_node_pool'];

function nodeConfig(r: TerraformResource): Record<string, unknown> | undefined {
  return block(r.values.node_config);
}

export const gkeMetadataServer: Rule = {
  id: 'GKE020',
  severity: 'error',
  description: 'Node pools run the GKE metadata server (pods cannot read node credentials)',
  rationale:
    'Without the GKE metadata server, any pod can query the Compute Engine metadata server for the node service account token and the kubelet bootstrap credentials.',
  remediation: 'set node_config.workload_metadata_config.mode = "GKE_METADATA"',
  equivalents: { checkov: ['CKV_GCP_69'], trivy: ['AVD-GCP-0057'] },
  catalogKeys: ['cpuPools', 'gke'],
  check: eachResource(POOL, (r) =>
    get(block(nodeConfig(r)?.workload_metadata_config), 'mode') === 'GKE_METADATA'
      ? undefined
      : {
          message: 'pods can reach the node metadata server (workload_metadata_config.mode is not GKE_METADATA)',
          remediation: 'set node_config.workload_metadata_config.mode = "GKE_METADATA"',
        },
  ),
};

export const secureBoot: Rule = {
  id: 'GKE021',
  severity: 'error',
  description: 'Node pools boot with Secure Boot',
  rationale: 'Secure Boot refuses unsigned boot components, so a rootkit cannot persist in the node\'s boot chain.',
  remediation: 'set node_config.shielded_instance_config.enable_secure_boot = true',
  equivalents: { checkov: ['CKV_GCP_68'] },
  catalogKeys: ['cpuPools', 'gke'],
  check: eachResource(POOL, (r) =>
    get(block(nodeConfig(r)?.shielded_instance_config), 'enable_secure_boot') === true
      ? undefined
      : { message: 'secure boot is off', remediation: 'set node_config.shielded_instance_config.enable_secure_boot = true' },
  ),
};

export const integrityMonitoring: Rule = {
  id: 'GKE022',
  severity: 'error',
  description: 'Node pools have integrity monitoring on',
  rationale: 'Integrity monitoring compares each boot against a known-good baseline and reports a node whose boot sequence changed.',
  remediation: 'set node_config.shielded_instance_config.enable_integrity_monitoring = true',
  equivalents: { checkov: ['CKV_GCP_72'] },
  catalogKeys: ['cpuPools', 'gke'],
  check: eachResource(POOL, (r) =>
    get(block(nodeConfig(r)?.shielded_instance_config), 'enable_integrity_monitoring') === true
      ? undefined
      : {
          message: 'integrity monitoring is off',
          remediation: 'set node_config.shielded_instance_config.enable_integrity_monitoring = true',
        },
  ),
};

export const autoRepair: Rule = {
  id: 'GKE023',
  severity: 'error',
  description: 'Node pools repair unhealthy nodes automatically',
  rationale: 'Without auto-repair a node that fails its health checks stays in the pool, and its pods stay unschedulable or broken until someone notices.',
  remediation: 'set management.auto_repair = true',
  equivalents: { checkov: ['CKV_GCP_9'], trivy: ['AVD-GCP-0063'] },
  catalogKeys: ['cpuPools', 'gke'],
  check: eachResource(POOL, (r) =>
    get(block(r.values.management), 'auto_repair') === true
      ? undefined
      : { message: 'auto-repair is off', remediation: 'set management.auto_repair = true' },
  ),
};

export const autoUpgrade: Rule = {
  id: 'GKE024',
  severity: 'error',
  description: 'Node pools upgrade automatically with their release channel',
  rationale:
    'Nodes that do not upgrade fall behind the control plane and miss kernel and container-runtime security patches; release channels require auto-upgrade.',
  remediation: 'set management.auto_upgrade = true',
  equivalents: { checkov: ['CKV_GCP_10'], trivy: ['AVD-GCP-0058'] },
  catalogKeys: ['cpuPools', 'gke'],
  check: eachResource(POOL, (r) =>
    get(block(r.values.management), 'auto_upgrade') === true
      ? undefined
      : { message: 'auto-upgrade is off', remediation: 'set management.auto_upgrade = true' },
  ),
};

export const cosContainerd: Rule = {
  id: 'GKE025',
  severity: 'error',
  description: 'Node pools run Container-Optimized OS with containerd (COS_CONTAINERD)',
  rationale:
    'COS is a minimal, read-only, auto-updated OS hardened for containers; other images carry a larger attack surface, and Docker-based images are no longer supported.',
  remediation: 'set node_config.image_type = "COS_CONTAINERD"',
  equivalents: { checkov: ['CKV_GCP_22'], trivy: ['AVD-GCP-0054'] },
  catalogKeys: ['cpuPools', 'gke'],
  check: eachResource(POOL, (r) => {
    const image = get(nodeConfig(r), 'image_type');
    return typeof image === 'string' && image.toUpperCase() === 'COS_CONTAINERD'
      ? undefined
      : { message: `node image is ${JSON.stringify(image ?? 'unset')}, not COS_CONTAINERD`, remediation: 'set node_config.image_type = "COS_CONTAINERD"' };
  }),
};

const DEFAULT_COMPUTE_SA = /-compute@developer\.gserviceaccount\.com$/;

export const noDefaultServiceAccount: Rule = {
  id: 'GKE026',
  severity: 'error',
  description: 'Node pools run as a dedicated service account, not the Compute Engine default',
  rationale:
    'The default compute service account has the Editor role on the project in most organisations: every node, and every pod that reaches its credentials, could change anything.',
  remediation: 'set node_config.service_account to a dedicated account with only the node roles (logging, monitoring, registry read)',
  equivalents: { checkov: ['CKV2_GCP_1'], trivy: ['AVD-GCP-0050'] },
  catalogKeys: ['cpuPools', 'gke'],
  check: eachResource(POOL, (r) => {
    const account = get(nodeConfig(r), 'service_account');
    if (typeof account === 'string' && account !== '' && account !== 'default' && !DEFAULT_COMPUTE_SA.test(account)) return undefined;
    return {
      message: `nodes run as ${typeof account === 'string' && account !== '' ? account : 'the default compute service account'}`,
      remediation: 'set node_config.service_account to the cluster\'s dedicated node service account',
    };
  }),
};

export const GKE_NODE_POOL_RULES: readonly Rule[] = [gkeMetadataServer, secureBoot, integrityMonitoring, autoRepair, autoUpgrade, cosContainerd, noDefaultServiceAccount];
