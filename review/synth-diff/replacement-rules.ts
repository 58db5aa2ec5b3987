/**
 * The curated list of replacement-prone attributes, per Terraform resource type and per
 * Kubernetes kind. A change at (or below) one of these paths ranks an update as `replace`,
 * right after destroys, with the rule's reason.
 *
 * Three effects, said plainly in each reason:
 * - `force-new`: the google provider marks the field ForceNew — Terraform destroys the resource
 *   and creates a new one (for a cluster or a node pool: every node, every pod on it).
 * - `recreates-nodes`: Terraform updates the node pool in place, but GKE applies the change by
 *   migrating every node of the pool to new VMs (a surge or blue-green node upgrade).
 * - `immutable`: the Kubernetes API server rejects the update (`field is immutable`); the object
 *   has to be deleted and recreated (kubectl apply fails; the k8s-<env> stack replaces it).
 *
 * Sources: the google provider we pin is 6.50.0 (@cdktf/provider-google 16.12.1), so every
 * Terraform entry was read from hashicorp/terraform-provider-google at tag v6.50.0 (the schema's
 * `ForceNew: true`); the `source` field names the file. Kubernetes entries cite the API
 * server's update validation in kubernetes/kubernetes.
 */
import { pathTouches } from './value-path.ts';
import type { AttributeChange } from './diff-model.ts';

export type ReplacementEffect = 'force-new' | 'recreates-nodes' | 'immutable' | 'reprovisions';

export interface ReplacementRule {
  /** Attribute path; a change at it, below it, or of a whole ancestor block matches. */
  readonly path: string;
  readonly effect: ReplacementEffect;
  /** Extra words after the effect, when the effect alone does not say why it matters. */
  readonly note?: string;
  /** Where the fact comes from. */
  readonly source: string;
}

const PROVIDER = 'hashicorp/terraform-provider-google@v6.50.0';
const NODE_CONFIG = `${PROVIDER} google/services/container/node_config.go`;
const NODE_POOL = `${PROVIDER} google/services/container/resource_container_node_pool.go`;
const CLUSTER = `${PROVIDER} google/services/container/resource_container_cluster.go`;
const COMPUTE = (file: string): string => `${PROVIDER} google/services/compute/${file}.go`;
const IAM_MEMBER = `${PROVIDER} google/tpgiamresource/resource_iam_member.go`;
/** GKE's UpdateNodePoolRequest: "Initiates an upgrade operation that migrates the nodes in the node pool". */
const NODE_POOL_UPDATE = 'googleapis/googleapis google/container/v1/cluster_service.proto (UpdateNodePoolRequest)';

const forceNew = (source: string, ...paths: string[]): ReplacementRule[] => paths.map((path) => ({ path, effect: 'force-new', source }));

/** ForceNew fields of the node_config block, shared by node pools and a cluster's default pool. */
const NODE_CONFIG_FORCE_NEW = [
  'guest_accelerator',
  'spot',
  'preemptible',
  'service_account',
  'oauth_scopes',
  'metadata',
  'min_cpu_platform',
  'shielded_instance_config',
  'local_ssd_count',
  'ephemeral_storage_local_ssd_config',
  'local_nvme_ssd_block_config',
  'secondary_boot_disks',
  'boot_disk_kms_key',
  'reservation_affinity',
  'advanced_machine_features',
  'sole_tenant_config',
  'host_maintenance_policy',
  'node_group',
  'confidential_nodes',
  'enable_confidential_storage',
  'local_ssd_encryption_mode',
  'max_run_duration',
  'flex_start',
].map((f) => `node_config.${f}`);

const iamMember = forceNew(IAM_MEMBER, 'role', 'member', 'condition');

export const TERRAFORM_REPLACEMENT_RULES: Readonly<Record<string, readonly ReplacementRule[]>> = {
  google_container_node_pool: [
    ...forceNew(NODE_POOL, 'name', 'name_prefix', 'location', 'cluster', 'project', 'initial_node_count', 'max_pods_per_node', 'placement_policy'),
    ...forceNew(NODE_POOL, 'network_config.create_pod_range', 'network_config.pod_range', 'network_config.pod_ipv4_cidr_block'),
    ...forceNew(NODE_CONFIG, ...NODE_CONFIG_FORCE_NEW),
    // Not ForceNew in 6.50.0: updated in place, which GKE carries out by replacing every node.
    ...['machine_type', 'disk_size_gb', 'disk_type', 'image_type'].map(
      (f): ReplacementRule => ({ path: `node_config.${f}`, effect: 'recreates-nodes', source: `${NODE_CONFIG}; ${NODE_POOL_UPDATE}` }),
    ),
    {
      path: 'node_config.taint',
      effect: 'recreates-nodes',
      note: 'and pods that no longer tolerate the new taints are evicted',
      source: `${NODE_CONFIG}; ${NODE_POOL_UPDATE}`,
    },
  ],
  google_container_cluster: [
    ...forceNew(CLUSTER, 'name', 'location', 'project', 'network', 'subnetwork', 'networking_mode', 'datapath_provider'),
    ...forceNew(CLUSTER, 'ip_allocation_policy', 'cluster_ipv4_cidr', 'default_max_pods_per_node', 'initial_node_count', 'node_pool'),
    ...forceNew(CLUSTER, 'private_cluster_config.enable_private_nodes', 'private_cluster_config.master_ipv4_cidr_block'),
    ...forceNew(CLUSTER, 'private_cluster_config.private_endpoint_subnetwork', 'description', 'enable_kubernetes_alpha', 'enable_tpu'),
    ...forceNew(CLUSTER, 'enable_autopilot', 'confidential_nodes', 'master_auth.client_certificate_config', 'user_managed_keys_config'),
    ...forceNew(NODE_CONFIG, ...NODE_CONFIG_FORCE_NEW),
  ],
  google_compute_network: forceNew(COMPUTE('resource_compute_network'), 'name', 'auto_create_subnetworks', 'project', 'description', 'internal_ipv6_range', 'network_profile'),
  google_compute_subnetwork: [
    ...forceNew(COMPUTE('resource_compute_subnetwork'), 'name', 'network', 'region', 'project', 'description', 'reserved_internal_range'),
    {
      path: 'secondary_ip_range',
      effect: 'reprovisions',
      note: 'updated in place by Terraform, but GKE refuses to change or drop a secondary range its cluster uses; moving pod or service ranges means a new cluster',
      source: COMPUTE('resource_compute_subnetwork'),
    },
  ],
  google_compute_router: forceNew(COMPUTE('resource_compute_router'), 'name', 'network', 'region', 'project'),
  google_compute_router_nat: forceNew(COMPUTE('resource_compute_router_nat'), 'name', 'router', 'region', 'project', 'type', 'endpoint_types', 'initial_nat_ips'),
  google_compute_firewall: forceNew(COMPUTE('resource_compute_firewall'), 'name', 'direction', 'project'),
  google_compute_global_address: forceNew(COMPUTE('resource_compute_global_address'), 'name', 'address', 'address_type', 'ip_version', 'network', 'prefix_length', 'purpose', 'project'),
  google_compute_security_policy: forceNew(COMPUTE('resource_compute_security_policy'), 'name', 'type', 'project'),
  google_compute_ssl_policy: forceNew(COMPUTE('resource_compute_ssl_policy'), 'name', 'description', 'project'),
  google_service_account: forceNew(`${PROVIDER} google/services/resourcemanager/resource_google_service_account.go`, 'account_id', 'project'),
  google_project_service: forceNew(`${PROVIDER} google/services/resourcemanager/resource_google_project_service.go`, 'service', 'project'),
  google_pubsub_topic: ['name', 'project'].map((path) => ({
    path,
    effect: 'force-new' as const,
    note: "a replaced topic detaches its subscriptions: they are recreated with it and their backlog (undelivered messages) is lost",
    source: `${PROVIDER} google/services/pubsub/resource_pubsub_topic.go`,
  })),
  // A new `definition` commits a new schema revision in place (`:commit`, at most 20 revisions); only name and project force a
  // new schema (read in resource_pubsub_schema.go on the provider main branch, Dec 2026: unchanged since schema revisions came).
  google_pubsub_schema: forceNew(`${PROVIDER} google/services/pubsub/resource_pubsub_schema.go`, 'name', 'project'),
  google_pubsub_subscription: forceNew(
    `${PROVIDER} google/services/pubsub/resource_pubsub_subscription.go`,
    'name',
    'topic',
    'project',
    'enable_message_ordering',
    'filter',
  ),
  google_artifact_registry_repository: forceNew(
    `${PROVIDER} google/services/artifactregistry/resource_artifact_registry_repository.go`,
    'repository_id',
    'format',
    'location',
    'mode',
    'kms_key_name',
    'project',
  ),
  google_project_iam_member: iamMember,
  google_service_account_iam_member: iamMember,
  google_pubsub_topic_iam_member: iamMember,
  google_pubsub_subscription_iam_member: iamMember,
};

const APPS = 'kubernetes/kubernetes pkg/apis/apps/validation/validation.go';
const CORE = 'kubernetes/kubernetes pkg/apis/core/validation/validation.go';
const BATCH = 'kubernetes/kubernetes pkg/apis/batch/validation/validation.go';
const immutable = (source: string, ...paths: string[]): ReplacementRule[] => paths.map((path) => ({ path, effect: 'immutable', source }));

export const KUBERNETES_REPLACEMENT_RULES: Readonly<Record<string, readonly ReplacementRule[]>> = {
  Deployment: immutable(`${APPS} (ValidateDeploymentUpdate)`, 'spec.selector'),
  ReplicaSet: immutable(`${APPS} (ValidateReplicaSetUpdate)`, 'spec.selector'),
  DaemonSet: immutable(`${APPS} (ValidateDaemonSetUpdate)`, 'spec.selector'),
  // "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy',
  // 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
  StatefulSet: immutable(`${APPS} (ValidateStatefulSetUpdate)`, 'spec.selector', 'spec.serviceName', 'spec.volumeClaimTemplates', 'spec.podManagementPolicy'),
  Job: immutable(`${BATCH} (ValidateJobSpecUpdate)`, 'spec.template', 'spec.selector', 'spec.completionMode'),
  PersistentVolumeClaim: [
    {
      path: 'spec',
      effect: 'immutable',
      note: 'a bound claim\'s spec is immutable except growing resources.requests (and volumeAttributesClassName)',
      source: `${CORE} (ValidatePersistentVolumeClaimUpdate)`,
    },
  ],
  Service: [
    ...immutable(`${CORE} (ValidateServiceUpdate)`, 'spec.clusterIP', 'spec.clusterIPs'),
    {
      path: 'spec.type',
      effect: 'reprovisions',
      note: 'a new type re-provisions how the Service is reached (node ports, a load balancer and its IP)',
      source: `${CORE} (ValidateServiceUpdate)`,
    },
  ],
};

const EFFECT_TEXT: Readonly<Record<ReplacementEffect, string>> = {
  'force-new': 'forces a new resource (destroyed and recreated)',
  'recreates-nodes': 'GKE recreates every node of the pool to apply it',
  immutable: 'immutable: the API server rejects the update, the object must be deleted and recreated',
  reprovisions: 'replacement-prone',
};

export function describeRule(rule: ReplacementRule): string {
  return rule.note ? `${EFFECT_TEXT[rule.effect]}: ${rule.note}` : EFFECT_TEXT[rule.effect];
}

/**
 * The reason an update is replacement-prone, or undefined: each matched rule once,
 * `node_config.machine_type: GKE recreates every node of the pool to apply it`.
 */
export function replacementReason(rules: readonly ReplacementRule[] | undefined, changes: readonly AttributeChange[]): string | undefined {
  if (!rules) return undefined;
  const hits = rules.filter((r) => changes.some((c) => pathTouches(c.path, r.path)));
  if (hits.length === 0) return undefined;
  return hits.map((r) => `${r.path}: ${describeRule(r)}`).join('; ');
}
