/**
 * `platform-<env>`: the GCP platform of one environment, wired from its PlatformPlan.
 * Construct ids here become Terraform addresses — they are public API: renaming one
 * destroys and recreates real infrastructure.
 */
import { Construct } from 'constructs';
import { GcsBackend, LocalBackend, TerraformOutput, TerraformResource, TerraformStack, dependable } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { ProjectService } from '@cdktf/provider-google/lib/project-service/index.js';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project/index.js';
import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository/index.js';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { Network } from '../constructs/gcp/network.ts';
import { GkeCluster } from '../constructs/gcp/gke-cluster.ts';
import { WorkloadIdentity } from '../constructs/gcp/workload-identity.ts';
import { Topic } from '../constructs/gcp/pubsub-topic.ts';
import { CloudArmorPolicy } from '../constructs/gcp/cloud-armor-policy.ts';
import { PublicEntry } from '../constructs/gcp/public-entry.ts';
import { BinaryAuthorization } from '../constructs/gcp/binary-authorization.ts';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member/index.js';
import { MonitoringDashboard } from '../constructs/gcp/monitoring-dashboard.ts';
import { AccessLogSink } from '../constructs/gcp/access-log-sink.ts';

export function platformStackName(envName: string): string {
  return `platform-${envName}`;
}

/** APIs the platform uses; enabled by the stack so a fresh project deploys in one apply. */
const APIS = [
  'compute.googleapis.com',
  'container.googleapis.com',
  'artifactregistry.googleapis.com',
  'pubsub.googleapis.com',
  'iam.googleapis.com',
  'binaryauthorization.googleapis.com',
  'containersecurity.googleapis.com',
  'monitoring.googleapis.com',
  'bigquery.googleapis.com',
  'logging.googleapis.com',
  'cloudtrace.googleapis.com', // the collector's googlecloud exporter writes spans
] as const;

type Api = (typeof APIS)[number];

/**
 * The first resource of each kind an API serves. Everything else references one of these
 * (subnet → network, node pool → cluster, subscription → topic, IAM → account), so ordering
 * these after their API orders the whole graph on a fresh project.
 */
const NEEDS_API: Readonly<Record<string, readonly Api[]>> = {
  google_compute_network: ['compute.googleapis.com'],
  google_compute_global_address: ['compute.googleapis.com'],
  google_compute_security_policy: ['compute.googleapis.com'],
  google_compute_ssl_policy: ['compute.googleapis.com'],
  google_container_cluster: ['container.googleapis.com', 'compute.googleapis.com'],
  google_artifact_registry_repository: ['artifactregistry.googleapis.com'],
  google_pubsub_topic: ['pubsub.googleapis.com'],
  google_pubsub_schema: ['pubsub.googleapis.com'],
  google_service_account: ['iam.googleapis.com'],
  google_binary_authorization_policy: ['binaryauthorization.googleapis.com'],
  google_monitoring_dashboard: ['monitoring.googleapis.com'],
  google_bigquery_dataset: ['bigquery.googleapis.com'],
  google_logging_project_sink: ['logging.googleapis.com'],
  google_logging_project_exclusion: ['logging.googleapis.com'],
};

export interface PlatformStackProps {
  readonly plan: PlatformPlan;
}

export class PlatformStack extends TerraformStack {
  readonly network: Network;
  readonly gke: GkeCluster;
  readonly identities: ReadonlyMap<string, WorkloadIdentity>;
  readonly topics: ReadonlyMap<string, Topic>;
  readonly armor: CloudArmorPolicy;
  readonly publicEntry: PublicEntry;
  readonly dashboard: MonitoringDashboard;

  constructor(scope: Construct, props: PlatformStackProps) {
    const { env } = props.plan;
    super(scope, platformStackName(env.name));

    new GoogleProvider(this, 'google', {
      project: env.gcp.projectId,
      region: env.gcp.region,
      defaultLabels: { ...env.gcp.labels, 'managed-by': 'cdktf' },
    });
    if (env.gcp.stateBucket) {
      new GcsBackend(this, { bucket: env.gcp.stateBucket, prefix: `platform/${env.name}` });
    } else {
      // Relative to the stack's directory (cdktf.out/stacks/<stack>): state lives at the project
      // root, outside the synth output, so re-synthesizing never touches it — and no
      // machine-specific absolute path ends up in the generated JSON.
      new LocalBackend(this, { path: `../../../terraform.${platformStackName(env.name)}.tfstate` });
    }

    const apis = new Map<Api, ProjectService>(
      APIS.map((api) => [api, new ProjectService(this, `api-${api.split('.')[0]}`, { service: api, disableOnDestroy: false })]),
    );
    const project = new DataGoogleProject(this, 'project', { projectId: env.gcp.projectId });

    new ArtifactRegistryRepository(this, 'registry', {
      repositoryId: env.gcp.artifactRegistry,
      location: env.gcp.region,
      format: 'DOCKER',
      description: `Images deployed to ${env.name}`,
      // A pushed tag never moves: a deployed reference always means the same image.
      dockerConfig: { immutableTags: true },
    });

    this.network = new Network(this, 'network', {
      name: env.network.vpcName,
      region: env.gcp.region,
      nodeCidr: env.network.nodeCidr,
      podCidr: env.network.podCidr,
      serviceCidr: env.network.serviceCidr,
      ...(props.plan.edge.proxyOnlySubnet ? { proxyOnlySubnet: props.plan.edge.proxyOnlySubnet } : {}),
    });

    this.gke = new GkeCluster(this, 'gke', {
      projectId: env.gcp.projectId,
      network: this.network,
      nodes: props.plan.nodes,
      releaseChannel: env.gke.releaseChannel,
      maintenanceWindow: env.gke.maintenanceWindow,
      controlPlaneCidr: env.network.controlPlaneCidr,
      privateEndpoint: env.gke.privateEndpoint,
      authorizedNetworks: env.network.authorizedNetworks,
      deletionProtection: env.gke.deletionProtection,
      labels: env.gcp.labels,
    });

    const identities = new Map<string, WorkloadIdentity>();
    const addIdentity = (accountId: string, namespace: string, ksa: string): void => {
      identities.set(
        accountId,
        new WorkloadIdentity(this, `identity-${accountId}`, {
          accountId,
          namespace,
          kubernetesServiceAccount: ksa,
          workloadPool: this.gke.workloadPool,
        }),
      );
    };
    for (const w of props.plan.workloads.workloads) addIdentity(w.googleServiceAccount.accountId, w.namespace, w.serviceAccount);
    // The edge gateway always runs (charts/edge-chart.ts); its ServiceAccount names this account.
    const { edge } = props.plan;
    addIdentity(edge.gateway.googleServiceAccount.accountId, edge.namespace, edge.gateway.name);
    this.identities = identities;
    // The OpenTelemetry Collector (charts/telemetry-chart.ts) is the one writer of Cloud Trace:
    // its own account, Cloud Trace's agent role granted to that account by object.
    const collector = props.plan.observability.collector;
    const collectorIdentity = new WorkloadIdentity(this, 'identity-otel-collector', {
      accountId: collector.googleServiceAccount.accountId,
      namespace: collector.namespace,
      kubernetesServiceAccount: collector.name,
      workloadPool: this.gke.workloadPool,
    });
    new ProjectIamMember(this, 'otel-collector-cloudtrace-agent', { project: env.gcp.projectId, role: collector.role, member: collectorIdentity.member });

    // The metrics adapter reads Cloud Monitoring as its Kubernetes identity (Workload Identity
    // Federation: no Google service account); the names come from the same plan as its manifests.
    const adapter = props.plan.addons.metricsAdapter;
    new ProjectIamMember(this, 'metrics-adapter-monitoring-viewer', {
      project: env.gcp.projectId,
      role: adapter.role,
      member: `principal://iam.googleapis.com/projects/${project.number}/locations/global/workloadIdentityPools/${this.gke.workloadPool}/subject/${adapter.subject}`,
    });
    new BinaryAuthorization(this, 'binary-authorization', {
      projectId: env.gcp.projectId,
      admittedImages: props.plan.addons.admittedImages,
      enforce: env.tier === 'production',
    });

    const serviceAgent = { member: `serviceAccount:service-${project.number}@gcp-sa-pubsub.iam.gserviceaccount.com` };
    const topics = new Map<string, Topic>();
    for (const t of props.plan.events) {
      topics.set(
        t.name,
        new Topic(this, `topic-${t.name}`, {
          name: t.name,
          messageRetentionSec: t.messageRetentionSec,
          labels: env.gcp.labels,
          ...(t.contract ? { contract: t.contract } : {}),
        }),
      );
    }
    for (const t of props.plan.events) {
      const topic = topics.get(t.name) as Topic;
      for (const publisher of t.publishers) topic.grantPublish(publisher, identities.get(publisher) as WorkloadIdentity);
      for (const sub of t.subscriptions) {
        const dlq = sub.deadLetterTopic ? topics.get(sub.deadLetterTopic) : undefined;
        const subscription = topic.addSubscription(sub, dlq ? { deadLetter: { topic: dlq, serviceAgent } } : {});
        for (const subscriber of sub.subscribers) subscription.grantSubscribe(subscriber, identities.get(subscriber) as WorkloadIdentity);
      }
    }
    this.topics = topics;

    // The public entry: GKE builds the GLB from the Ingress (charts/entry-chart.ts), which names these.
    const { entry } = edge;
    const { armor } = env.edge;
    this.armor = new CloudArmorPolicy(this, 'edge-armor', {
      name: entry.securityPolicy,
      preview: armor.preview,
      verboseLogging: entry.verboseArmorLogs,
      adaptiveProtection: armor.adaptiveProtection,
    })
      .denyIpRanges(armor.denyIpRanges)
      .denyCountries(armor.denyCountries)
      .allowIpRanges(armor.allowIpRanges)
      .rateBasedBan(armor.rateBan);
    for (const { ruleSet, sensitivity } of armor.owasp) this.armor.preconfiguredWaf(ruleSet, sensitivity);
    this.publicEntry = new PublicEntry(this, 'edge-entry', {
      addressName: entry.address,
      sslPolicyName: entry.sslPolicy,
      minTlsVersion: env.edge.sslPolicy.minTlsVersion,
      profile: env.edge.sslPolicy.profile,
    });
    // Objectives, edge, Pub/Sub and GPUs of this environment on one page (constructs/observability/dashboard.ts).
    this.dashboard = new MonitoringDashboard(this, 'slo-dashboard', { plan: props.plan });
    // The edge's access logs kept in BigQuery, health checks kept out of ingestion.
    if (props.plan.observability.accessLogs.enabled) {
      new AccessLogSink(this, 'edge-access-logs', { plan: props.plan.observability.accessLogs, labels: env.gcp.labels });
    }
    this.dependOnApis(apis);

    new TerraformOutput(this, 'cluster_name', { value: this.gke.cluster.name });
    new TerraformOutput(this, 'cluster_location', { value: this.gke.cluster.location });
    // What the k8s-<env> stack (and kubectl) need to reach the cluster; the CA is public data.
    new TerraformOutput(this, 'cluster_endpoint', { value: this.gke.cluster.endpoint });
    new TerraformOutput(this, 'cluster_ca_certificate', { value: this.gke.cluster.masterAuth.clusterCaCertificate });
    new TerraformOutput(this, 'registry_url', {
      value: `${env.gcp.region}-docker.pkg.dev/${env.gcp.projectId}/${env.gcp.artifactRegistry}`,
    });
    new TerraformOutput(this, 'edge_ip_address', {
      value: this.publicEntry.address.address,
      description: `the public entry's static IP: point ${entry.domains.join(', ')} here (A records) so the managed certificate can be issued`,
    });
    new TerraformOutput(this, 'edge_security_policy', { value: this.armor.policy.name });
    new TerraformOutput(this, 'edge_ssl_policy', { value: this.publicEntry.sslPolicy.name });
    new TerraformOutput(this, 'edge_certificate', {
      value: entry.certificate,
      description: `GKE ManagedCertificate ${edge.namespace}/${entry.certificate} (status: kubectl describe managedcertificate -n ${edge.namespace} ${entry.certificate})`,
    });
  }

  /** Terraform resources in this stack (data sources and outputs excluded), without synthesizing it. */
  resourceCount(): number {
    return this.node.findAll().filter((node) => node instanceof TerraformResource).length;
  }

  private dependOnApis(apis: ReadonlyMap<Api, ProjectService>): void {
    for (const node of this.node.findAll()) {
      if (!(node instanceof TerraformResource)) continue;
      const needed = NEEDS_API[node.terraformResourceType];
      if (!needed) continue;
      node.dependsOn = [...(node.dependsOn ?? []), ...needed.map((api) => dependable(apis.get(api) as ProjectService))];
    }
  }
}
