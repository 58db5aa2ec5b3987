/**
 * One ALLOW AuthorizationPolicy per service: each rule names its sources — mTLS identities
 * (and, for Kong-fronted JWT routes, the token issuer a request must also carry), or plaintext
 * address ranges outside the mesh — and the serving ports. No rule allows every source; a
 * policy without rules admits nothing (Istio denies what no ALLOW policy matches).
 */
import { Construct } from 'constructs';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1';
import type { AuthorizationPolicyPlan } from './mesh-plan.ts';
import { istioObject } from './istio-object.ts';

export class ServiceAuthorization extends Construct {
  constructor(scope: Construct, id: string, plan: AuthorizationPolicyPlan) {
    super(scope, id);
    const rules = plan.rules.map((r) => ({
      from: [
        {
          source: {
            ...(r.principals ? { principals: [...r.principals] } : {}),
            ...(r.requestPrincipals ? { requestPrincipals: [...r.requestPrincipals] } : {}),
            ...(r.ipBlocks ? { ipBlocks: [...r.ipBlocks] } : {}),
          },
        },
      ],
      to: [{ operation: { ports: r.ports.map(String) } }],
    }));
    istioObject(
      this,
      'authorization-policy',
      new AuthorizationPolicy({
        metadata: { name: plan.name, namespace: plan.namespace },
        spec: { selector: { matchLabels: { ...plan.selector } }, action: 'ALLOW', ...(rules.length > 0 ? { rules } : {}) },
      }),
    );
  }
}
