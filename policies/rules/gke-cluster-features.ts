/** GKE clusters: identity, node integrity, network policy, upgrades, observability, the default pool. */
import { block, get, type Rule } from '../engine.ts';
import { eachResource } from '../rule-scopes.ts';

const CLUSTER = ['google_container_cluster'];

function components(value: unknown): string[] {
  const list = get(block(value), 'enable_components');
  return Array.isArray(list) ? list.map(String) : [];
}

export const workloadIdentity: Rule = {
  id: 'GKE004',
  severity: 'error',
  description: 'GKE clusters have Workload Identity (pods get their own Google identity)',
  rationale:
    'Without Workload Identity every pod acts as the node service account, so one compromised pod holds every permission any workload on that node needs.',
  remediation: 'set workload_identity_config.workload_pool = "<project>.svc.id.goog"',
  equivalents: {},
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r) =>
    typeof get(block(r.values.workload_identity_config), 'workload_pool') === 'string'
      ? undefined
      : {
          message: 'Workload Identity is off: pods would use the node service account',
          remediation: 'set workload_identity_config.workload_pool = "<project>.svc.id.goog"',
        },
  ),
};

export const shieldedNodes: Rule = {
  id: 'GKE005',
  severity: 'error',
  description: 'GKE clusters use shielded nodes',
  rationale:
    'Shielded GKE nodes prove their identity to the control plane, so an attacker who steals node bootstrap credentials cannot impersonate a node and read its secrets.',
  remediation: 'set enable_shielded_nodes = true',
  equivalents: { checkov: ['CKV_GCP_71'], trivy: ['AVD-GCP-0055'] },
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r) =>
    r.values.enable_shielded_nodes === true ? undefined : { message: 'shielded nodes are off', remediation: 'set enable_shielded_nodes = true' },
  ),
};

export const dataplaneV2: Rule = {
  id: 'GKE006',
  severity: 'error',
  description: 'GKE clusters run Dataplane V2 (NetworkPolicy enforced by eBPF)',
  rationale:
    'NetworkPolicy objects are only enforced by a dataplane that implements them; without Dataplane V2 (or Calico) the default-deny policies the charts ship are silently ignored.',
  remediation: 'set datapath_provider = "ADVANCED_DATAPATH" (a replacement: plan it on a new cluster)',
  equivalents: { checkov: ['CKV_GCP_12'], trivy: ['AVD-GCP-0056'] },
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r) =>
    r.values.datapath_provider === 'ADVANCED_DATAPATH'
      ? undefined
      : {
          message: `datapath_provider is ${JSON.stringify(r.values.datapath_provider ?? 'unset')}: NetworkPolicy is not enforced`,
          remediation: 'set datapath_provider = "ADVANCED_DATAPATH"',
        },
  ),
};

const CHANNELS = ['RAPID', 'REGULAR', 'STABLE', 'EXTENDED'];

export const releaseChannel: Rule = {
  id: 'GKE007',
  severity: 'error',
  description: 'GKE clusters are enrolled in a release channel',
  rationale:
    'Outside a release channel, control plane and node versions are pinned by hand and fall behind on security patches; a channel keeps them supported and upgraded in the maintenance window.',
  remediation: 'set release_channel.channel to RAPID, REGULAR or STABLE (gke.releaseChannel in the environment)',
  equivalents: { checkov: ['CKV_GCP_70'] },
  catalogKeys: ['releaseChannel', 'gke'],
  check: eachResource(CLUSTER, (r) => {
    const channel = get(block(r.values.release_channel), 'channel');
    return typeof channel === 'string' && CHANNELS.includes(channel)
      ? undefined
      : {
          message: `release channel is ${JSON.stringify(channel ?? 'unset')}`,
          remediation: 'set gke.releaseChannel in the environment (RAPID, REGULAR or STABLE)',
        };
  }),
};

export const clusterLogging: Rule = {
  id: 'GKE008',
  severity: 'error',
  description: 'GKE clusters send system and workload logs to Cloud Logging, configured explicitly',
  rationale:
    'Logs are the record of an incident. Left unset, what a cluster logs is whatever GKE defaults to on the day it is created, invisible in review and free to drift; `none` turns them off.',
  remediation: 'set logging_config.enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]',
  equivalents: { checkov: ['CKV_GCP_1'], trivy: ['AVD-GCP-0060'] },
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r) => {
    const enabled = components(r.values.logging_config);
    const service = r.values.logging_service;
    if (service === 'none') return { message: 'logging is off (logging_service = "none")', remediation: 'remove logging_service = "none"; set logging_config' };
    if (enabled.includes('SYSTEM_COMPONENTS') && enabled.includes('WORKLOADS')) return undefined;
    if (enabled.length === 0 && service === 'logging.googleapis.com/kubernetes') return undefined;
    return {
      message:
        enabled.length > 0
          ? `logging_config.enable_components is [${enabled.join(', ')}]: system or workload logs are not collected`
          : 'logging is not configured: the cluster logs whatever GKE defaults to at creation',
      remediation: 'set logging_config.enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"] in constructs/gcp/gke-cluster.ts',
    };
  }),
};

export const clusterMonitoring: Rule = {
  id: 'GKE009',
  severity: 'error',
  description: 'GKE clusters send system metrics to Cloud Monitoring, configured explicitly',
  rationale:
    'The HPAs on Pub/Sub backlog and GPU duty cycle, and every alert, read Cloud Monitoring; left unset, what a cluster reports is GKE\'s default of the day, and `none` turns it off.',
  remediation: 'set monitoring_config.enable_components = ["SYSTEM_COMPONENTS"] (and managed_prometheus.enabled = true)',
  equivalents: { checkov: ['CKV_GCP_8'], trivy: ['AVD-GCP-0052'] },
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r) => {
    const enabled = components(r.values.monitoring_config);
    const service = r.values.monitoring_service;
    if (service === 'none') return { message: 'monitoring is off (monitoring_service = "none")', remediation: 'remove monitoring_service = "none"; set monitoring_config' };
    if (enabled.includes('SYSTEM_COMPONENTS')) return undefined;
    if (enabled.length === 0 && service === 'monitoring.googleapis.com/kubernetes') return undefined;
    return {
      message:
        enabled.length > 0
          ? `monitoring_config.enable_components is [${enabled.join(', ')}]: system metrics are not collected`
          : 'monitoring is not configured: the cluster reports whatever GKE defaults to at creation',
      remediation: 'set monitoring_config.enable_components = ["SYSTEM_COMPONENTS"] in constructs/gcp/gke-cluster.ts',
    };
  }),
};

export const noDefaultNodePool: Rule = {
  id: 'GKE012',
  severity: 'error',
  description: 'The default node pool is removed; node pools are declared explicitly',
  rationale:
    'The default pool is created with the Compute Engine default service account and none of the pool settings the other rules check, and it cannot be changed in place.',
  remediation: 'set remove_default_node_pool = true and declare node pools as google_container_node_pool resources',
  equivalents: {},
  catalogKeys: ['cpuPools', 'gke'],
  check: eachResource(CLUSTER, (r) =>
    r.values.remove_default_node_pool === true
      ? undefined
      : {
          message: 'the default node pool is kept (it runs with the default compute service account)',
          remediation: 'set remove_default_node_pool = true and declare node pools explicitly',
        },
  ),
};

export const GKE_CLUSTER_FEATURE_RULES: readonly Rule[] = [
  workloadIdentity,
  shieldedNodes,
  dataplaneV2,
  releaseChannel,
  clusterLogging,
  clusterMonitoring,
  noDefaultNodePool,
];
