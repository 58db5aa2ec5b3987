/**
 * EDGE005 — a gateway route without authentication is reported (a warning): the catalog allows
 * `auth: { type: 'none', reason }` only with a written reason, and a reviewer should see each one.
 */
import type { Rule } from '../engine.ts';
import { edgeTarget, gatewayRouteAddress } from './edge-addresses.ts';
import { catalogOf, edgeView } from './edge-configs.ts';

export const edgeGatewayAuth: Rule = {
  id: 'EDGE005',
  severity: 'warning',
  description: 'Every public gateway route authenticates (jwt or api-key); auth "none" is reported with its route',
  rationale:
    'A route on the public load balancer with no authentication is open to the internet. The catalog accepts auth "none" only with a written reason (environments/schema: a reason of at least 10 characters), so it is a deliberate choice — but one a reviewer should see on every report, and confirm still holds, rather than find out from traffic.',
  remediation: 'give the route jwt or key-auth in the catalog; if it must stay open (a health or public status route), keep its reason current and waive this finding with an expiry date',
  equivalents: {},
  catalogKeys: ['services', 'topics'],
  check: (artifacts) => {
    const view = edgeView(artifacts.edge);
    return (view.gateway?.routes ?? [])
      .filter((r) => r.auth.type === 'none')
      .map((r) => ({
        target: edgeTarget(artifacts, 'gatewayRoutes', gatewayRouteAddress(r.name)),
        message: `gateway route "${r.name}" (${r.kind}, ${r.match.host ?? '*'}${r.match.pathPrefix}) is public with auth "none": anyone can call it; the catalog requires a reason for auth "none" — confirm it still holds`,
        remediation: `give "${r.name}" jwt or key-auth in the catalog, or keep its reason current and waive EDGE005 for it with an expiry date`,
        catalog: catalogOf(view, r.name),
      }));
  },
};
