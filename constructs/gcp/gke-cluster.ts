/**
 * GKE Standard cluster with the platform's secure defaults: private nodes, Workload Identity,
 * shielded nodes, Dataplane V2, release channel, maintenance window, default pool removed,
 * a dedicated least-privilege node service account, explicit logging and monitoring (with
 * Managed Prometheus), no client certificates, an IAM-only DNS control-plane endpoint, security posture scanning and Binary Authorization.
 * Node pools attach with `addNodePool`.
 */
import { Construct } from 'constructs';
import { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster/index.js';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member/index.js';
import type { Network } from './network.ts';
import type { NodePlan, NodePoolPlan } from './node-plan.ts';
import { NodePool } from './node-pool.ts';
import { serviceAccountId } from './service-account-id.ts';

export interface GkeClusterProps {
  readonly projectId: string;
  readonly network: Network;
  readonly nodes: NodePlan;
  readonly releaseChannel: 'RAPID' | 'REGULAR' | 'STABLE';
  readonly maintenanceWindow: { readonly start: string; readonly end: string; readonly recurrence: string };
  readonly controlPlaneCidr: string;
  readonly privateEndpoint: boolean;
  readonly authorizedNetworks: readonly { readonly name: string; readonly cidr: string }[];
  readonly deletionProtection: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

/** What GKE nodes need and nothing more (Google's hardening guide for node service accounts). */
const NODE_ROLES = [
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/monitoring.viewer',
  'roles/stackdriver.resourceMetadata.writer',
  'roles/artifactregistry.reader',
] as const;

export class GkeCluster extends Construct {
  readonly cluster: ContainerCluster;
  readonly nodeServiceAccount: ServiceAccount;
  /**
   * `<project>.svc.id.goog`, as a reference to the cluster's attribute: the pool exists only once
   * a Workload Identity cluster does, so bindings that use it must be created after the cluster.
   */
  readonly workloadPool: string;
  private readonly nodeLocations: readonly string[];

  constructor(scope: Construct, id: string, props: GkeClusterProps) {
    super(scope, id);
    this.nodeLocations = props.nodes.nodeLocations;
    this.nodeServiceAccount = new ServiceAccount(this, 'node-sa', {
      accountId: serviceAccountId(`${props.nodes.clusterName}-nodes`),
      displayName: `GKE nodes of ${props.nodes.clusterName}`,
    });
    for (const role of NODE_ROLES) {
      new ProjectIamMember(this, `node-sa-${role.replace(/^roles\//, '').replace(/\./g, '-')}`, {
        project: props.projectId,
        role,
        member: this.nodeServiceAccount.member,
      });
    }
    this.cluster = new ContainerCluster(this, 'cluster', {
      name: props.nodes.clusterName,
      location: props.nodes.location,
      // A zonal cluster's nodes live in its own zone; a regional one spreads over the chosen zones.
      nodeLocations: props.nodes.regional ? [...props.nodes.nodeLocations] : undefined,
      network: props.network.vpc.id,
      subnetwork: props.network.subnet.id,
      networkingMode: 'VPC_NATIVE',
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      deletionProtection: props.deletionProtection,
      datapathProvider: 'ADVANCED_DATAPATH',
      enableShieldedNodes: true,
      resourceLabels: { ...props.labels },
      releaseChannel: { channel: props.releaseChannel },
      workloadIdentityConfig: { workloadPool: `${props.projectId}.svc.id.goog` },
      ipAllocationPolicy: {
        clusterSecondaryRangeName: props.network.podRangeName,
        servicesSecondaryRangeName: props.network.serviceRangeName,
      },
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: props.privateEndpoint,
        masterIpv4CidrBlock: props.controlPlaneCidr,
      },
      // The DNS-based endpoint admits callers by IAM alone (container.clusters.connect, then
      // RBAC), from anywhere: CI deploys the cluster stacks through it. The IP endpoints stay as
      // closed as before (private in prod, authorized networks only); authorized networks do
      // not apply to the DNS endpoint, IAM does (README, Deploying an environment).
      controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
      masterAuthorizedNetworksConfig: {
        cidrBlocks: props.authorizedNetworks.map((n) => ({ cidrBlock: n.cidr, displayName: n.name })),
      },
      maintenancePolicy: {
        recurringWindow: {
          startTime: props.maintenanceWindow.start,
          endTime: props.maintenanceWindow.end,
          recurrence: props.maintenanceWindow.recurrence,
        },
      },
      addonsConfig: { httpLoadBalancing: { disabled: false }, horizontalPodAutoscaling: { disabled: false } },
      // Cloud Logging and Monitoring, configured explicitly; Google Managed Prometheus scrapes
      // PodMonitorings (the gateway's open connections feed its HPA). With GPU pools, GKE's managed
      // DCGM exporter: GPU duty cycle and memory (DCGM_FI_DEV_*) for the saturation alerts.
      loggingConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'WORKLOADS'] },
      monitoringConfig: {
        enableComponents: [
          'SYSTEM_COMPONENTS',
          'APISERVER',
          'SCHEDULER',
          'CONTROLLER_MANAGER',
          'HPA',
          'POD',
          'DEPLOYMENT',
          ...(props.nodes.pools.some((p) => p.gpu !== undefined) ? ['DCGM'] : []),
        ],
        managedPrometheus: { enabled: true },
      },
      // No client certificates: access goes through IAM (Google credentials), never a static cert.
      masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
      // Workload configuration audit and OS/language vulnerability scanning (GKE's free tier).
      securityPostureConfig: { mode: 'BASIC', vulnerabilityMode: 'VULNERABILITY_BASIC' },
      // The project's singleton policy decides (google_binary_authorization_policy in the stack);
      // its enforcement mode (enforce in production, dry run below) lives there.
      binaryAuthorization: { evaluationMode: 'PROJECT_SINGLETON_POLICY_ENFORCE' },
      // The default pool is created then removed; its settings must not force replacement.
      lifecycle: { ignoreChanges: ['node_config'] },
    });
    this.workloadPool = this.cluster.workloadIdentityConfig.workloadPool;
    for (const pool of props.nodes.pools) this.addNodePool(pool);
  }

  addNodePool(plan: NodePoolPlan): NodePool {
    return new NodePool(this, `pool-${plan.name}`, {
      cluster: this.cluster,
      serviceAccount: this.nodeServiceAccount,
      nodeLocations: plan.zones ?? this.nodeLocations,
      plan,
    });
  }
}
