/**
 * JWT validation at the workload, for routes whose proxy cannot check a JWKS (OSS Kong): Istio's
 * RequestAuthentication validates the token against the issuer's JWKS (keys fetched and rotated
 * by istiod, nothing stored here). It only rejects INVALID tokens: the service's
 * AuthorizationPolicy (service-authorization.ts) is what requires one, by admitting Kong only
 * with a request principal from this issuer.
 */
import { Construct } from 'constructs';
import { RequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1';
import type { RequestAuthenticationPlan } from './mesh-plan.ts';
import { istioObject } from './istio-object.ts';

export class WorkloadJwt extends Construct {
  constructor(scope: Construct, id: string, plan: RequestAuthenticationPlan) {
    super(scope, id);
    istioObject(
      this,
      'request-authentication',
      new RequestAuthentication({
        metadata: { name: plan.name, namespace: plan.namespace },
        spec: {
          selector: { matchLabels: { ...plan.selector } },
          jwtRules: [{ issuer: plan.issuer, jwksUri: plan.jwksUri, audiences: [...plan.audiences], forwardOriginalToken: true }],
        },
      }),
    );
  }
}
