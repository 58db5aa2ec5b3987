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

export const managedPrometheus: Rule = {
  id: 'GKE013',
  severity: 'error',
  description: 'GKE clusters run Google Managed Prometheus (the gateway HPA and PodMonitorings need it)',
  rationale:
    'The edge gateway scales on its open connections, a Prometheus gauge that only Managed Prometheus collects (from the PodMonitoring the charts ship); without it that HPA never sees its metric.',
  remediation: 'set monitoring_config.managed_prometheus.enabled = true',
  equivalents: {},
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r) =>
    get(block(get(block(r.values.monitoring_config), 'managed_prometheus')), 'enabled') === true
      ? undefined
      : { message: 'Managed Prometheus is off: PodMonitorings are not scraped', remediation: 'set monitoring_config.managed_prometheus.enabled = true' },
  ),
};

export const gpuMetrics: Rule = {
  id: 'GKE016',
  severity: 'error',
  description: "GKE clusters with GPU pools collect GKE's managed DCGM metrics (GPU duty cycle and memory)",
  rationale:
    'GPU inference saturates on the GPU, not the CPU: its duty cycle and framebuffer memory are what the saturation alerts and the dashboard read, and GKE exports them (DCGM_FI_DEV_*) only when monitoring_config enables the DCGM component. Without it a full GPU looks idle to the platform.',
  remediation: 'add "DCGM" to monitoring_config.enable_components (with managed_prometheus.enabled = true) on a cluster that has GPU pools',
  equivalents: {},
  catalogKeys: ['gpuPools', 'gke'],
  check: (artifacts) => {
    const accelerators = (r: { values: Readonly<Record<string, unknown>> }): unknown => get(block(r.values.node_config), 'guest_accelerator');
    const hasGpus = artifacts.terraform.resources.some((r) => r.type === 'google_container_node_pool' && Array.isArray(accelerators(r)) && (accelerators(r) as unknown[]).length > 0);
    if (!hasGpus) return [];
    return artifacts.terraform.resources
      .filter((r) => CLUSTER.includes(r.type))
      .flatMap((r) => {
        if (components(r.values.monitoring_config).includes('DCGM')) return [];
        return [
          {
            target: { env: artifacts.env, file: artifacts.terraform.file, address: r.address },
            message: 'the cluster has GPU pools but does not collect DCGM metrics: GPU duty cycle and memory are invisible to the saturation alerts',
            remediation: 'add "DCGM" to monitoring_config.enable_components in constructs/gcp/gke-cluster.ts',
          },
        ];
      });
  },
};

export const securityPosture: Rule = {
  id: 'GKE014',
  severity: 'error',
  description: 'GKE clusters audit workload configuration and scan images for vulnerabilities (security posture)',
  rationale:
    'Security posture reports misconfigured workloads and known vulnerabilities in the images that run, continuously, where a deploy-time check would see each image once.',
  remediation: 'set security_posture_config { mode = "BASIC", vulnerability_mode = "VULNERABILITY_BASIC" } (or ENTERPRISE)',
  equivalents: {},
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r) => {
    const posture = block(r.values.security_posture_config);
    const mode = get(posture, 'mode');
    const vulnerability = get(posture, 'vulnerability_mode');
    if ((mode === 'BASIC' || mode === 'ENTERPRISE') && typeof vulnerability === 'string' && vulnerability !== 'VULNERABILITY_DISABLED') return undefined;
    return {
      message: `security posture is ${JSON.stringify(mode ?? 'unset')} with vulnerability scanning ${JSON.stringify(vulnerability ?? 'unset')}`,
      remediation: 'set security_posture_config { mode = "BASIC", vulnerability_mode = "VULNERABILITY_BASIC" }',
    };
  }),
};

export const binaryAuthorization: Rule = {
  id: 'GKE015',
  severity: 'error',
  description: 'GKE clusters admit images through Binary Authorization: a deny-by-default project policy, enforced in production',
  rationale:
    'Without an admission policy any image anyone can push or name runs in the cluster. The project policy allows the environment registry and the pinned vendor images only; lower tiers run it in dry run so what production would block shows up in their audit logs first.',
  remediation:
    'set binary_authorization.evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE" and a google_binary_authorization_policy whose default rule denies (enforced in production)',
  equivalents: { checkov: ['CKV_GCP_66'] },
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r, artifacts) => {
    if (get(block(r.values.binary_authorization), 'evaluation_mode') !== 'PROJECT_SINGLETON_POLICY_ENFORCE') {
      return {
        message: 'the cluster does not evaluate a Binary Authorization policy',
        remediation: 'set binary_authorization.evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"',
      };
    }
    const policy = artifacts.terraform.resources.find((p) => p.type === 'google_binary_authorization_policy');
    const rule = block(policy?.values.default_admission_rule);
    const evaluation = get(rule, 'evaluation_mode');
    if (policy === undefined || (evaluation !== 'ALWAYS_DENY' && evaluation !== 'REQUIRE_ATTESTATION')) {
      return {
        message: policy === undefined ? 'no google_binary_authorization_policy: the project default admits every image' : `the default admission rule is ${JSON.stringify(evaluation)}: every image is admitted`,
        remediation: 'add a google_binary_authorization_policy whose default_admission_rule denies (ALWAYS_DENY) or requires attestations',
      };
    }
    // The tier comes from the catalog; an environment missing from it is judged as production.
    if (artifacts.tier !== undefined && artifacts.tier !== 'production') return undefined;
    return get(rule, 'enforcement_mode') === 'ENFORCED_BLOCK_AND_AUDIT_LOG'
      ? undefined
      : {
          message: `production runs the admission policy as ${JSON.stringify(get(rule, 'enforcement_mode'))}: nothing is blocked`,
          remediation: 'set default_admission_rule.enforcement_mode = "ENFORCED_BLOCK_AND_AUDIT_LOG" in production',
        };
  }),
};

export const GKE_CLUSTER_FEATURE_RULES: readonly Rule[] = [
  gpuMetrics,
  workloadIdentity,
  shieldedNodes,
  dataplaneV2,
  releaseChannel,
  clusterLogging,
  clusterMonitoring,
  noDefaultNodePool,
  managedPrometheus,
  securityPosture,
  binaryAuthorization,
];
