import { describe, expect, it } from 'vitest';
import { App, Testing } from 'cdktf';
import { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster/index.js';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork/index.js';
import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription/index.js';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member/index.js';
import { PlatformStack } from '../../infra/platform-stack.ts';
import { planOf } from '../plan-fixtures.ts';

interface TfJson {
  terraform: { backend: Record<string, unknown> };
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

function synthStack(envName: 'dev' | 'staging' | 'prod'): { json: string; tf: TfJson } {
  const stack = new PlatformStack(new App({ stackTraces: false }), { plan: planOf(envName) });
  const json = Testing.synth(stack);
  return { json, tf: JSON.parse(json) as TfJson };
}

const resourcesOf = (tf: TfJson, type: string): Record<string, unknown>[] => Object.values(tf.resource[type] ?? {});
/** cdktf's matchers compare nested blocks exactly; for deep subsets read the JSON and use toMatchObject. */
const resourceNamed = (tf: TfJson, type: string, name: string): Record<string, unknown> | undefined =>
  resourcesOf(tf, type).find((r) => r.name === name);

describe('platform-<env> stack', () => {
  it('builds a private, Workload-Identity, Dataplane V2 cluster with the default pool removed', () => {
    const { json } = synthStack('prod');
    expect(json).toHaveResourceWithProperties(ContainerCluster, {
      name: 'platform-prod',
      location: 'europe-west4',
      node_locations: ['europe-west4-a', 'europe-west4-b', 'europe-west4-c'],
      remove_default_node_pool: true,
      datapath_provider: 'ADVANCED_DATAPATH',
      enable_shielded_nodes: true,
      deletion_protection: true,
      private_cluster_config: { enable_private_nodes: true, enable_private_endpoint: true, master_ipv4_cidr_block: '172.16.30.0/28' },
      workload_identity_config: { workload_pool: 'acme-platform-prod.svc.id.goog' },
      release_channel: { channel: 'STABLE' },
    });
    expect(json).toHaveResourceWithProperties(ComputeSubnetwork, {
      ip_cidr_range: '10.30.0.0/20',
      secondary_ip_range: [
        { range_name: 'pods', ip_cidr_range: '10.32.0.0/14' },
        { range_name: 'services', ip_cidr_range: '10.36.0.0/20' },
      ],
    });
  });

  it('makes dev zonal, spot and deletable', () => {
    const { json, tf } = synthStack('dev');
    expect(json).toHaveResourceWithProperties(ContainerCluster, { location: 'europe-west4-a', deletion_protection: false });
    expect(resourcesOf(tf, 'google_container_cluster')[0]).not.toHaveProperty('node_locations');
    expect(resourceNamed(tf, 'google_container_node_pool', 'general')).toMatchObject({
      autoscaling: { total_min_node_count: 1, total_max_node_count: 3, location_policy: 'ANY' },
      node_config: { machine_type: 'e2-standard-4', spot: true },
    });
  });

  it('creates GPU pools that scale from zero, install drivers, share GPUs and carry the GPU taint', () => {
    const { tf } = synthStack('prod');
    expect(resourceNamed(tf, 'google_container_node_pool', 'h100-mig')).toMatchObject({
      node_locations: ['europe-west4-b', 'europe-west4-c'],
      autoscaling: { total_min_node_count: 0, total_max_node_count: 2 },
      node_config: {
        machine_type: 'a3-highgpu-1g',
        guest_accelerator: [
          { type: 'nvidia-h100-80gb', count: 1, gpu_partition_size: '1g.10gb', gpu_driver_installation_config: { gpu_driver_version: 'LATEST' } },
        ],
        taint: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }],
      },
    });
    expect(resourceNamed(synthStack('dev').tf, 'google_container_node_pool', 'l4')).toMatchObject({
      node_config: { guest_accelerator: [{ gpu_sharing_config: { gpu_sharing_strategy: 'TIME_SHARING', max_shared_clients_per_gpu: 4 } }] },
    });
  });

  it('uses a GCS backend when the environment names a state bucket, and local state at the project root otherwise', () => {
    expect(synthStack('prod').tf.terraform.backend).toEqual({ gcs: { bucket: 'acme-platform-tfstate-prod', prefix: 'platform/prod' } });
    expect(synthStack('dev').tf.terraform.backend).toEqual({ local: { path: '../../../terraform.platform-dev.tfstate' } });
  });

  it('wires Pub/Sub: dead-letter topics with their own subscription, and least-privilege grants', () => {
    const { json, tf } = synthStack('prod');
    expect(resourceNamed(tf, 'google_pubsub_subscription', 'ingest-enricher')).toMatchObject({
      ack_deadline_seconds: 60,
      dead_letter_policy: { dead_letter_topic: '${google_pubsub_topic.topic-ingest-dead-letter_topic_F27824FB.id}', max_delivery_attempts: 10 },
    });
    expect(json).toHaveResourceWithProperties(PubsubSubscription, { name: 'ingest-dead-letter-inspect' });
    const topicGrants = resourcesOf(tf, 'google_pubsub_topic_iam_member').map((g) => [g.role, g.member]);
    expect(topicGrants).toContainEqual(['roles/pubsub.publisher', '${google_service_account.identity-wl-orders-api_sa_63E1D477.member}']);
    // The edge gateway may publish to the ingest topic and nothing else.
    const gatewayGrants = Object.entries(tf.resource.google_pubsub_topic_iam_member ?? {}).filter(([k]) => k.includes('wl-edge-gateway'));
    expect(gatewayGrants.map(([, g]) => g.topic)).toEqual(['${google_pubsub_topic.topic-ingest_topic_60A00B45.name}']);
  });

  it('binds one Google service account per workload to its Kubernetes ServiceAccount, after the cluster exists', () => {
    const { json } = synthStack('prod');
    // The pool is read from the cluster: the binding cannot be created before the cluster has made it.
    expect(json).toHaveResourceWithProperties(ServiceAccountIamMember, {
      role: 'roles/iam.workloadIdentityUser',
      member: 'serviceAccount:${google_container_cluster.gke_cluster_C5D95197.workload_identity_config[0].workload_pool}[ml/llm-inference]',
    });
    expect(json).toHaveResourceWithProperties(ContainerCluster, { workload_identity_config: { workload_pool: 'acme-platform-prod.svc.id.goog' } });
  });

  it('orders first resources after the APIs they need, so a fresh project applies in one go', () => {
    const { tf } = synthStack('prod');
    expect(resourcesOf(tf, 'google_container_cluster')[0]?.depends_on).toEqual([
      'google_project_service.api-container',
      'google_project_service.api-compute',
    ]);
    expect(resourcesOf(tf, 'google_compute_network')[0]?.depends_on).toEqual(['google_project_service.api-compute']);
    for (const topic of resourcesOf(tf, 'google_pubsub_topic')) expect(topic.depends_on).toEqual(['google_project_service.api-pubsub']);
    for (const sa of resourcesOf(tf, 'google_service_account')) expect(sa.depends_on).toEqual(['google_project_service.api-iam']);
  });

  it('keeps Terraform addresses stable (they are public API: a rename recreates infrastructure)', () => {
    const { tf } = synthStack('prod');
    const addresses = Object.entries(tf.resource).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));
    expect(addresses).toEqual(
      expect.arrayContaining([
        'google_container_cluster.gke_cluster_C5D95197',
        'google_compute_network.network_vpc_4E8F0223',
        'google_container_node_pool.gke_pool-general_pool_24F96D36',
        'google_artifact_registry_repository.registry',
      ]),
    );
  });

  it.each(['dev', 'staging', 'prod'] as const)('%s: hardens the cluster (logging, monitoring with Managed Prometheus, no client certificates, posture, Binary Authorization)', (envName) => {
    const { tf } = synthStack(envName);
    const cluster = resourcesOf(tf, 'google_container_cluster')[0];
    expect(cluster).toMatchObject({
      logging_config: { enable_components: ['SYSTEM_COMPONENTS', 'WORKLOADS'] },
      monitoring_config: { managed_prometheus: { enabled: true } },
      master_auth: { client_certificate_config: { issue_client_certificate: false } },
      security_posture_config: { mode: 'BASIC', vulnerability_mode: 'VULNERABILITY_BASIC' },
      binary_authorization: { evaluation_mode: 'PROJECT_SINGLETON_POLICY_ENFORCE' },
    });
    const cidrs = (cluster?.master_authorized_networks_config as { cidr_blocks: { cidr_block: string }[] }).cidr_blocks.map((b) => b.cidr_block);
    expect(cidrs.length).toBeGreaterThan(0);
    expect(cidrs.some((c) => c.endsWith('/0'))).toBe(false);
    const [policy] = resourcesOf(tf, 'google_binary_authorization_policy');
    expect(policy?.default_admission_rule).toEqual({
      evaluation_mode: 'ALWAYS_DENY',
      enforcement_mode: envName === 'prod' ? 'ENFORCED_BLOCK_AND_AUDIT_LOG' : 'DRYRUN_AUDIT_LOG_ONLY',
    });
    const patterns = (policy?.admission_whitelist_patterns as { name_pattern: string }[]).map((p) => p.name_pattern);
    expect(patterns).toEqual(expect.arrayContaining([`europe-west4-docker.pkg.dev/acme-platform-${envName}/platform/*`, 'docker.io/library/kong:3.9.3', 'docker.io/nginxinc/nginx-unprivileged:1.28.3-alpine']));
    expect(resourcesOf(tf, 'google_artifact_registry_repository')[0]).toMatchObject({ docker_config: { immutable_tags: true } });
    // The metrics adapter's Kubernetes identity reads Cloud Monitoring (Workload Identity Federation).
    expect(resourcesOf(tf, 'google_project_iam_member').find((m) => m.role === 'roles/monitoring.viewer' && String(m.member).startsWith('principal://'))?.member).toBe(
      `principal://iam.googleapis.com/projects/\${data.google_project.project.number}/locations/global/workloadIdentityPools/\${google_container_cluster.gke_cluster_C5D95197.workload_identity_config[0].workload_pool}/subject/ns/custom-metrics/sa/custom-metrics-stackdriver-adapter`,
    );
    expect(Object.keys((tf as unknown as { output: Record<string, unknown> }).output)).toEqual(expect.arrayContaining(['cluster_endpoint', 'cluster_ca_certificate', 'cluster_location']));
    // The OpenTelemetry Collector: its own account, Cloud Trace's agent role on it by object, impersonated by telemetry/otel-collector only.
    expect(patterns).toContain('docker.io/otel/opentelemetry-collector-contrib:0.131.0');
    expect(resourcesOf(tf, 'google_service_account').filter((a) => a.account_id === 'otel-collector')).toHaveLength(1);
    const traceGrants = resourcesOf(tf, 'google_project_iam_member').filter((m) => m.role === 'roles/cloudtrace.agent');
    expect(traceGrants).toHaveLength(1);
    expect(String(traceGrants[0]?.member)).toMatch(/^\$\{google_service_account\.identity-otel-collector_sa_[0-9A-F]+\.member\}$/);
    expect(resourcesOf(tf, 'google_service_account_iam_member').map((m) => String(m.member))).toContainEqual(
      'serviceAccount:${google_container_cluster.gke_cluster_C5D95197.workload_identity_config[0].workload_pool}[telemetry/otel-collector]',
    );
    expect(resourcesOf(tf, 'google_project_service').map((s) => s.service)).toContain('cloudtrace.googleapis.com');
  });
});
