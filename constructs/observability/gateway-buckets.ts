/**
 * The edge gateway's request-duration buckets: its base set plus the latency threshold of every
 * route it answers, so each gateway SLO's threshold is a bucket boundary by construction
 * (derived, not hoped for). The edge plan carries the result into gateway-routes.json; the SLO
 * plan reads it from there. Pure.
 */
import type { Environment } from '../../environments/schema.ts';
import { GATEWAY_BASE_BUCKETS_SEC, resolveIngestSlo, resolveServiceSlo } from '../../environments/slo-defaults.ts';
import type { RoutePlan } from '../edge/route-plan.ts';

export function gatewayDurationBuckets(env: Environment, routes: readonly RoutePlan[]): number[] {
  const byName = new Map(env.services.map((s) => [s.name, s]));
  const thresholdsSec = routes
    .filter((r) => r.via === 'gateway')
    .flatMap((r) => {
      const svc = r.upstream ? byName.get(r.upstream.service) : undefined;
      const slo = svc ? resolveServiceSlo(env.tier, svc) : r.protocol === 'events' ? resolveIngestSlo(env.tier) : undefined;
      return slo?.latency ? [slo.latency.thresholdMs / 1000] : [];
    });
  return [...new Set([...GATEWAY_BASE_BUCKETS_SEC, ...thresholdsSec])].sort((a, b) => a - b);
}
