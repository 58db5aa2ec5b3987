/**
 * The catalog's objectives (`services[].slo`) and alert channels (`observability.alerting`): the
 * defaults by kind and tier, and bad values rejected with the path of the field — a latency
 * threshold that is not a bucket boundary of its SLI's histogram lists the valid ones.
 */
import { describe, expect, it } from 'vitest';
import dev from '../../environments/dev.ts';
import prod from '../../environments/prod.ts';
import type { EnvironmentInput } from '../../environments/schema.ts';
import { parseEnvironment } from '../../environments/load.ts';
import { KONG_REQUEST_LATENCY_BUCKETS_MS, ISTIO_REQUEST_DURATION_BUCKETS_MS, resolveServiceSlo } from '../../environments/slo-defaults.ts';
import { planOf } from '../plan-fixtures.ts';
import { renderGatewayRoutes } from '../../constructs/edge/gateway-routes.ts';

type ServiceInput = NonNullable<EnvironmentInput['services']>[number];

function problemsOf(base: EnvironmentInput, change: (env: EnvironmentInput) => void): string[] {
  const copy = structuredClone(base);
  change(copy);
  const result = parseEnvironment(copy.name, copy);
  if (result.ok) throw new Error('expected the environment to be rejected');
  return result.problems;
}
const service = (env: EnvironmentInput, name: string): ServiceInput => {
  const found = env.services?.find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

describe('objectives in the catalog', () => {
  it('fills every objective from kind and tier, so the catalog writes none', () => {
    const plan = planOf('prod');
    const bySlo = Object.fromEntries(plan.observability.slos.map((s) => [s.name, [s.source, s.objective, s.threshold?.value]]));
    expect(bySlo).toEqual({
      'orders-api-availability': ['kong', 99.9, undefined],
      'orders-api-latency': ['kong', 99, 250],
      'inventory-availability': ['istio', 99.9, undefined],
      'inventory-latency': ['istio', 99, 100],
      'chat-availability': ['gateway', 99.5, undefined],
      'market-feed-availability': ['gateway', 99.5, undefined],
      'llm-inference-availability': ['gateway', 99.5, undefined],
      'llm-inference-latency': ['gateway', 95, 5],
      'ingest-ingest-availability': ['gateway', 99.9, undefined],
      'ingest-ingest-latency': ['gateway', 99, 0.25],
      'event-enricher-freshness': ['pubsub', 99, undefined],
      'edge-availability': ['glb', 99.9, undefined],
    });
    // Streams have no latency objective; development pages nobody.
    expect(plan.observability.slos.some((s) => s.route === 'chat' && s.sli === 'latency')).toBe(false);
    expect(planOf('dev').observability.slos.every((s) => !s.severities.includes('page'))).toBe(true);
  });

  it('derives the gateway histogram buckets from its routes, so each gateway threshold is a boundary', () => {
    const plan = planOf('prod');
    const table = JSON.parse(renderGatewayRoutes(plan.routes, plan.edge)) as { metrics: { durationBucketsSeconds: number[] } };
    expect(table.metrics.durationBucketsSeconds).toEqual(plan.edge.gateway.durationBucketsSec);
    for (const slo of plan.observability.slos.filter((s) => s.source === 'gateway' && s.threshold)) expect(table.metrics.durationBucketsSeconds).toContain(slo.threshold!.value);
    // A new threshold on a gateway route becomes a bucket, no list to keep by hand.
    const custom = structuredClone(prod);
    service(custom, 'llm-inference').slo = { latency: { thresholdMs: 3200, percent: 90 } };
    const result = parseEnvironment('prod', custom);
    expect(result.ok).toBe(true);
    if (result.ok) expect(resolveServiceSlo('production', result.env.services.find((s) => s.name === 'llm-inference')!).latency?.thresholdMs).toBe(3200);
  });

  const cases: [string, EnvironmentInput, (env: EnvironmentInput) => void, string][] = [
    ['an objective of 100 %', prod, (e) => { service(e, 'orders-api').slo = { availability: 100 }; }, 'prod.services[0].slo.availability: must be below 100: an objective of 100 % leaves no error budget to alert on'],
    ['an objective of 0', prod, (e) => { service(e, 'orders-api').slo = { availability: 0 }; }, 'prod.services[0].slo.availability: must be a percentage above 0 and below 100 (e.g. 99.9)'],
    ['a latency percent above 100', prod, (e) => { service(e, 'orders-api').slo = { latency: { thresholdMs: 250, percent: 120 } }; }, 'prod.services[0].slo.latency.percent: must be below 100'],
    [
      'a Kong route threshold that is not one of Kong 3.9.3\'s buckets',
      prod,
      (e) => { service(e, 'orders-api').slo = { latency: { thresholdMs: 300, percent: 99 } }; },
      `prod.services[0].slo.latency.thresholdMs: 300 ms is not a bucket boundary of kong_request_latency_ms (Kong 3.9.3's prometheus plugin), so the SLI could not count requests under it; valid thresholds (ms): ${KONG_REQUEST_LATENCY_BUCKETS_MS.join(', ')}`,
    ],
    [
      'an internal service threshold that is not one of Istio\'s buckets',
      prod,
      (e) => { service(e, 'inventory').slo = { latency: { thresholdMs: 200, percent: 99 } }; },
      `prod.services[1].slo.latency.thresholdMs: 200 ms is not a bucket boundary of istio_request_duration_milliseconds (Istio's standard metrics at the server's sidecar), so the SLI could not count requests under it; valid thresholds (ms): ${ISTIO_REQUEST_DURATION_BUCKETS_MS.join(', ')}`,
    ],
    ['a latency objective on a WebSocket', prod, (e) => { service(e, 'chat').slo = { latency: { thresholdMs: 100, percent: 99 } }; }, 'prod.services[2].slo.latency: a websocket streaming has no latency objective'],
    ['freshness on an API', prod, (e) => { service(e, 'orders-api').slo = { freshness: { maxAgeSec: 60, percent: 99 } }; }, 'prod.services[0].slo.freshness: freshness is the objective of an event-consumer, not of a public-api'],
    ['production objectives that page with nowhere to page', prod, (e) => { delete e.observability!.alerting!.page; }, 'prod.observability.alerting.page: a production environment whose objectives page needs a page channel'],
    ['a webhook URL that carries a token', prod, (e) => { e.observability!.alerting!.page = { type: 'webhook', url: 'https://hooks.example.com/x?token=abc' }; }, 'prod.observability.alerting.page.url: must carry no credential'],
    ['a webhook URL with user info', dev, (e) => { e.observability!.alerting!.ticket = { type: 'webhook', url: 'https://user:pw@hooks.example.com/x' }; }, 'dev.observability.alerting.ticket.url: must carry no credential'],
    ['a Slack channel without #', dev, (e) => { e.observability!.alerting!.ticket = { type: 'slack', channel: 'platform', webhookSecretKey: 'slack' }; }, 'dev.observability.alerting.ticket.channel: must be a Slack channel like #platform-alerts'],
    ['a credential written where the Secret key goes', prod, (e) => { e.observability!.alerting!.page = { type: 'pagerduty', routingKeySecretKey: 'R0UT1NG KEY/with spaces' }; }, 'prod.observability.alerting.page.routingKeySecretKey: must be a key of the Secret "alertmanager-receivers"'],
  ];

  it.each(cases)('rejects %s, naming the field', (_what, base, change, expected) => {
    const problems = problemsOf(base, change);
    expect(problems.some((p) => p.startsWith(expected)), problems.join('\n')).toBe(true);
  });

  it('lets development page when it asks to, and production turn one objective\'s paging off', () => {
    const paged = structuredClone(dev);
    service(paged, 'orders-api').slo = { page: true };
    paged.observability = { alerting: { page: { type: 'slack', channel: '#platform-dev', webhookSecretKey: 'slack-platform-dev' } } };
    const devResult = parseEnvironment('dev', paged);
    expect(devResult.ok).toBe(true);
    if (devResult.ok) expect(resolveServiceSlo('development', devResult.env.services.find((s) => s.name === 'orders-api')!).page).toBe(true);
    const quiet = structuredClone(prod);
    service(quiet, 'market-feed').slo = { page: false };
    const prodResult = parseEnvironment('prod', quiet);
    expect(prodResult.ok).toBe(true);
    if (prodResult.ok) expect(resolveServiceSlo('production', prodResult.env.services.find((s) => s.name === 'market-feed')!).page).toBe(false);
  });
});
