/**
 * A namespace's ResourceQuota and LimitRange, from its NamespaceQuotaPlan: requests (CPU,
 * memory, GPUs) and pods capped at what its workloads may run at full scale during a rollout,
 * and defaults for containers that declare no requests or limits.
 */
import { Construct } from 'constructs';
import { KubeLimitRange, KubeResourceQuota, Quantity } from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { NamespaceQuotaPlan } from './namespace-plan.ts';

export class NamespaceQuota extends Construct {
  constructor(scope: Construct, id: string, plan: NamespaceQuotaPlan) {
    super(scope, id);
    const { quota } = plan;
    new KubeResourceQuota(this, 'resource-quota', {
      metadata: { name: 'workloads', namespace: plan.namespace },
      spec: {
        hard: {
          'requests.cpu': Quantity.fromString(quota.cpu),
          'requests.memory': Quantity.fromString(quota.memory),
          pods: Quantity.fromNumber(quota.pods),
          // Zero where no GPU workload runs: nothing else may claim a GPU node's accelerators.
          'requests.nvidia.com/gpu': Quantity.fromNumber(quota.gpus),
        },
      },
    });
    const { cpu, memory } = plan.containerDefaults;
    new KubeLimitRange(this, 'limit-range', {
      metadata: { name: 'container-defaults', namespace: plan.namespace },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: Quantity.fromString(cpu), memory: Quantity.fromString(memory) },
            // Memory limit = request, as for catalog services: the OOM killer, not the neighbour, pays for overuse.
            default: { memory: Quantity.fromString(memory) },
          },
        ],
      },
    });
  }
}
