/**
 * JWT validation at the workload, for routes whose proxy cannot check a JWKS (OSS Kong): Istio's
 * RequestAuthentication validates the token against the issuer's JWKS (keys fetched and rotated
 * by istiod, nothing stored here), and an AuthorizationPolicy lets requests in only from the
 * fronting edge proxy WITH a valid token from that issuer — or from the service's declared
 * callers (mTLS identities). A request without a token is denied: RequestAuthentication alone
 * only rejects invalid tokens, the policy is what makes one required.
 */
import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { AuthorizationPolicy, RequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1';

export interface WorkloadJwtProps {
  readonly namespace: string;
  /** Object name (the service's). */
  readonly name: string;
  /** Pod labels that select the workload. */
  readonly selector: Readonly<Record<string, string>>;
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audiences: readonly string[];
  /** SPIFFE principal of the edge proxy in front (`<trust domain>/ns/edge/sa/kong`). */
  readonly frontingPrincipal: string;
  /** Principals of in-mesh callers that may call without an end-user token. */
  readonly callerPrincipals: readonly string[];
}

export class WorkloadJwt extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadJwtProps) {
    super(scope, id);
    const metadata = { name: props.name, namespace: props.namespace };
    const selector = { matchLabels: { ...props.selector } };
    const requestAuthentication = new RequestAuthentication({
      metadata,
      spec: {
        selector,
        jwtRules: [
          { issuer: props.issuer, jwksUri: props.jwksUri, audiences: [...props.audiences], forwardOriginalToken: true },
        ],
      },
    });
    requestAuthentication.validate();
    new ApiObject(this, 'request-authentication', requestAuthentication.toJSON());

    const rules = [
      { from: [{ source: { principals: [props.frontingPrincipal], requestPrincipals: [`${props.issuer}/*`] } }] },
      ...(props.callerPrincipals.length > 0 ? [{ from: [{ source: { principals: [...props.callerPrincipals] } }] }] : []),
    ];
    const authorizationPolicy = new AuthorizationPolicy({ metadata, spec: { selector, action: 'ALLOW', rules } });
    authorizationPolicy.validate();
    new ApiObject(this, 'authorization-policy', authorizationPolicy.toJSON());
  }
}
