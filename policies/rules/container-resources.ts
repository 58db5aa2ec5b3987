/** Containers declare what they need (requests) and a memory ceiling (limit). */
import { get, type Rule } from '../engine.ts';
import { eachContainer, type Problem } from '../rule-scopes.ts';

export const containerResources: Rule = {
  id: 'K8S001',
  severity: 'error',
  description: 'Containers set CPU and memory requests and a memory limit',
  rationale:
    'Without requests the scheduler packs pods blindly and the HPA cannot compute utilisation; without a memory limit one leaking container starves its neighbours until the node kills them. A CPU limit is not required: it throttles latency-sensitive proxies while CPU sits idle.',
  remediation: 'set resources.requests.cpu, resources.requests.memory and resources.limits.memory',
  equivalents: {
    checkov: ['CKV_K8S_10', 'CKV_K8S_12', 'CKV_K8S_13'],
    trivy: ['KSV015', 'KSV016', 'KSV018'],
    kubeScore: ['container-resources'],
    polaris: ['cpuRequestsMissing', 'memoryRequestsMissing', 'memoryLimitsMissing'],
    kyverno: ['require-requests-limits'],
  },
  check: eachContainer('containers-and-init', ({ container }) => {
    const problems: Problem[] = [];
    const missing = (['cpu', 'memory'] as const).filter((r) => get(container, 'resources', 'requests', r) === undefined);
    if (missing.length > 0) {
      problems.push({
        message: `no ${missing.join(' or ')} request: the scheduler and HPA cannot reason about it`,
        remediation: `set resources.requests.${missing.join(' and resources.requests.')}`,
      });
    }
    if (get(container, 'resources', 'limits', 'memory') === undefined) {
      problems.push({ message: 'no memory limit', remediation: 'set resources.limits.memory' });
    }
    return problems;
  }),
};
