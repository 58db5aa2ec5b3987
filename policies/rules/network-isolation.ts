/**
 * Ingress isolation: every pod is selected by a NetworkPolicy that governs its ingress, so what
 * may reach it is what the policies allow — not every pod of the cluster.
 */
import { get, type KubernetesObject, type Rule } from '../engine.ts';
import { eachPod } from '../rule-scopes.ts';
import { matchLabelsOf, podLabelsOf, selects, type Labels } from '../pod-selection.ts';

/** A NetworkPolicy governs ingress when policyTypes lists Ingress, or is absent (then Ingress is implied). */
function governsIngress(policy: KubernetesObject): boolean {
  const types = get(policy, 'spec', 'policyTypes');
  return !Array.isArray(types) || types.includes('Ingress');
}

/** NetworkPolicies of the namespace that isolate these pods' ingress. */
export function ingressPoliciesFor(labels: Labels, namespace: string | undefined, objects: readonly KubernetesObject[]): KubernetesObject[] {
  return objects.filter((o) => {
    if (o.kind !== 'NetworkPolicy' || o.metadata.namespace !== namespace || !governsIngress(o)) return false;
    const selector = matchLabelsOf(get(o, 'spec', 'podSelector'));
    return selector !== undefined && selects(selector, labels);
  });
}

export const ingressIsolated: Rule = {
  id: 'K8S020',
  severity: 'error',
  description: 'Every pod is selected by a NetworkPolicy that governs its ingress (a default deny per namespace, then explicit allows)',
  rationale:
    'A pod no NetworkPolicy selects accepts connections from every pod in the cluster: one compromised workload can reach it on any port, mTLS or not. A default-deny policy per namespace turns every allowed path into a visible, reviewed decision.',
  remediation: 'give the namespace a default-deny ingress NetworkPolicy (podSelector: {}, policyTypes: [Ingress]) and allow the callers the catalog declares',
  equivalents: { trivy: ['KSV038'], kubeScore: ['pod-networkpolicy'], polaris: ['missingNetworkPolicy'], kyverno: ['require-netpol'] },
  check: (artifacts) => {
    const objects = artifacts.kubernetes.map((k) => k.object);
    return eachPod(({ object }) =>
      ingressPoliciesFor(podLabelsOf(object) ?? {}, object.metadata.namespace, objects).length > 0
        ? undefined
        : {
            message: `no NetworkPolicy in namespace ${object.metadata.namespace ?? 'default'} selects its pods: any pod of the cluster can connect to them`,
            remediation: 'add a default-deny ingress NetworkPolicy to the namespace, and allow only the callers the catalog declares',
          },
    )(artifacts);
  },
};
