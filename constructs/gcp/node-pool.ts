/**
 * One GKE node pool from a NodePoolPlan: CPU pools, or GPU pools with `guest_accelerator`,
 * driver installation, time-sharing/MIG, and the `nvidia.com/gpu` NoSchedule taint.
 */
import { Construct } from 'constructs';
import { ContainerNodePool } from '@cdktf/provider-google/lib/container-node-pool/index.js';
import type { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster/index.js';
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import type { NodePoolPlan } from './node-plan.ts';

export interface NodePoolProps {
  readonly cluster: ContainerCluster;
  readonly serviceAccount: ServiceAccount;
  readonly nodeLocations: readonly string[];
  readonly plan: NodePoolPlan;
}

export class NodePool extends Construct {
  readonly pool: ContainerNodePool;

  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    const { plan } = props;
    this.pool = new ContainerNodePool(this, 'pool', {
      name: plan.name,
      cluster: props.cluster.id,
      location: props.cluster.location,
      nodeLocations: [...props.nodeLocations],
      // total_*: the catalog's bounds are for the whole pool (min/max_node_count are per zone).
      autoscaling: { totalMinNodeCount: plan.minNodes, totalMaxNodeCount: plan.maxNodes, locationPolicy: plan.spot ? 'ANY' : 'BALANCED' },
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { maxSurge: 1, maxUnavailable: 0, strategy: 'SURGE' },
      nodeConfig: {
        machineType: plan.machineType,
        spot: plan.spot,
        diskSizeGb: plan.diskSizeGb,
        diskType: plan.diskType,
        imageType: 'COS_CONTAINERD',
        serviceAccount: props.serviceAccount.email,
        oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        metadata: { 'disable-legacy-endpoints': 'true' },
        labels: { ...plan.labels },
        taint: plan.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
        ...(plan.gpu
          ? {
              guestAccelerator: [
                {
                  type: plan.gpu.type,
                  count: plan.gpu.count,
                  gpuPartitionSize: plan.gpu.partitionSize,
                  gpuDriverInstallationConfig: { gpuDriverVersion: plan.gpu.driverVersion },
                  gpuSharingConfig: plan.gpu.sharing
                    ? { gpuSharingStrategy: plan.gpu.sharing.strategy, maxSharedClientsPerGpu: plan.gpu.sharing.maxSharedClientsPerGpu }
                    : undefined,
                },
              ],
            }
          : {}),
      },
    });
  }
}
