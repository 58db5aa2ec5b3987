/**
 * One NetworkPolicy from its NetworkPolicyPlan: ingress isolation for the pods it selects, and
 * the allows the catalog implies (peer pods by namespace and name label, whole namespaces,
 * address ranges), each on its own ports. A plan without allows is a default deny.
 */
import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, type NetworkPolicyPeer } from 'cdk8s-plus-28/lib/imports/k8s.js';
import { NAMESPACE_NAME_LABEL, type NetworkPolicyPlan, type Peer } from './network-plan.ts';

function peer(p: Peer): NetworkPolicyPeer {
  switch (p.kind) {
    case 'pods':
      return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } }, podSelector: { matchLabels: { ...p.labels } } };
    case 'namespace':
      return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } } };
    case 'cidr':
      return { ipBlock: { cidr: p.cidr } };
  }
}

export class IngressPolicy extends Construct {
  constructor(scope: Construct, id: string, plan: NetworkPolicyPlan) {
    super(scope, id);
    new KubeNetworkPolicy(this, 'network-policy', {
      metadata: { name: plan.name, namespace: plan.namespace },
      spec: {
        podSelector: Object.keys(plan.podSelector).length > 0 ? { matchLabels: { ...plan.podSelector } } : {},
        policyTypes: ['Ingress'],
        ingress: plan.allows.map((a) => ({
          ports: a.ports.map((port) => ({ protocol: 'TCP', port: IntOrString.fromNumber(port) })),
          from: a.from.map(peer),
        })),
      },
    });
  }
}
