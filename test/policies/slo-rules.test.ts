/**
 * SLO001–004 against the real synthesized prod output (the CLI's own synth) and minimal
 * mutations of it: each failing fixture breaks its rule and no other rule.
 */
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type EnvironmentArtifacts } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { mutateObject, readSynthesized, removeOutput, synthesize, type Json } from './synthesized.ts';

const IDS = ['SLO001', 'SLO002', 'SLO003', 'SLO004'];
const explain = (a: EnvironmentArtifacts, ids?: readonly string[]): string[] =>
  evaluate(ids ? RULES.filter((r) => ids.includes(r.id)) : RULES, [a]).map((f) => `${f.ruleId} ${f.target.address}: ${f.message}`);

/** A copy with every rule (in every GMP rules object) passed through `change`. */
function mutateRules(a: EnvironmentArtifacts, change: (rule: Json) => void): EnvironmentArtifacts {
  const copy = structuredClone(a);
  for (const { object } of copy.kubernetes) {
    if (!['Rules', 'ClusterRules', 'GlobalRules'].includes(object.kind)) continue;
    for (const g of (object as Json).spec.groups) for (const r of g.rules) change(r);
  }
  return copy;
}

const mutateAlertmanager = (a: EnvironmentArtifacts, change: (config: Json) => void): EnvironmentArtifacts =>
  mutateObject(a, 'ConfigMap', 'alertmanager-config', (o) => {
    const config = parse(o.data['alertmanager.yml']) as Json;
    change(config);
    o.data['alertmanager.yml'] = stringify(config);
  });

interface Case {
  readonly label: string;
  readonly fail: (good: EnvironmentArtifacts) => EnvironmentArtifacts;
  readonly finding: RegExp;
}

const CASES: readonly Case[] = [
  {
    label: 'SLO001: a public route whose objective does not page',
    fail: (a) => mutateRules(a, (r) => void (r.labels?.route === 'chat' && r.labels.severity === 'page' && (r.labels.severity = 'ticket'))),
    finding: /^SLO001 route\/chat: public route "chat" has no SLO alert of severity page/,
  },
  {
    label: 'SLO001: pages routed to a receiver that sends nowhere',
    fail: (a) => mutateAlertmanager(a, (c) => (c.route.routes = c.route.routes.filter((r: Json) => r.receiver !== 'page'))),
    finding: /^SLO001 Rules\/edge\/slos#\w+BudgetBurn: the page alert \w+ of route "[\w-]+" reaches no receiver that sends anywhere/,
  },
  {
    label: 'SLO002: a Kong latency threshold between two of its buckets',
    fail: (a) => mutateRules(a, (r) => void (r.expr = String(r.expr).replace('kong_request_latency_ms_bucket{route="orders-api",le="250"}', 'kong_request_latency_ms_bucket{route="orders-api",le="300"}'))),
    finding: /^SLO002 Rules\/edge\/slos#orders-api-latency: slo:sli_error:ratio_rate\w+ counts kong_request_latency_ms under le="300", which is not one of its boundaries \(Kong 3\.9\.3's prometheus plugin: 25, 50, 80/,
  },
  {
    label: 'SLO002: a gateway threshold the route table has no bucket for',
    fail: (a) => {
      const copy = structuredClone(a);
      const config = copy.edge.gatewayRoutes!.config as Json;
      config.metrics.durationBucketsSeconds = config.metrics.durationBucketsSeconds.filter((b: number) => b !== 5);
      return copy;
    },
    finding: /^SLO002 Rules\/edge\/slos#llm-inference-latency: .* counts gateway_request_duration_seconds under le="5", which is not one of its boundaries \(the gateway's route table/,
  },
  {
    label: 'SLO003: an alert whose runbook page is not in the repository',
    fail: (a) => ({ ...a, repoFiles: new Set([...(a.repoFiles ?? [])].filter((f) => !f.endsWith('/OrdersApiAvailabilityBudgetBurn.md'))) }),
    finding: /^SLO003 Rules\/edge\/slos#OrdersApiAvailabilityBudgetBurn: alert OrdersApiAvailabilityBudgetBurn's runbook_url \S+ names docs\/runbooks\/prod\/OrdersApiAvailabilityBudgetBurn\.md, which is not in the repository/,
  },
  {
    label: 'SLO004: a PagerDuty routing key written into the config',
    fail: (a) =>
      mutateAlertmanager(a, (c) => {
        const pd = c.receivers.find((r: Json) => r.name === 'page').pagerduty_configs[0];
        delete pd.routing_key_file;
        pd.routing_key = 'R0UT1NGK3Y';
      }),
    finding: /^SLO004 ConfigMap\/monitoring\/alertmanager-config: alertmanager\.yml has an inline credential at receivers\[1\]\.pagerduty_configs\[0\]\.routing_key/,
  },
  {
    label: 'SLO004: a webhook URL carrying its token',
    fail: (a) => mutateAlertmanager(a, (c) => (c.receivers.find((r: Json) => r.name === 'page').webhook_configs = [{ url: 'https://hooks.example.com/x?token=abc' }])),
    finding: /^SLO004 ConfigMap\/monitoring\/alertmanager-config: alertmanager\.yml has an inline credential at receivers\[1\]\.webhook_configs\[0\]\.url \(user info or query string\)/,
  },
];

describe('SLO rules over synthesized prod', () => {
  let out: string | undefined;
  let good: EnvironmentArtifacts;

  beforeAll(async () => {
    out = await synthesize(['prod']);
    good = await readSynthesized(out, 'prod');
  }, 180_000);
  afterAll(() => removeOutput(out));

  it('prod as synthesized passes every SLO rule (runbooks committed, thresholds on buckets, pages routed, no credential)', () => {
    expect(explain(good, IDS)).toEqual([]);
    expect(good.repoFiles?.size).toBeGreaterThan(10);
  });

  it.each(CASES.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const before = new Set(explain(good));
    const added = explain(c.fail(good)).filter((f) => !before.has(f));
    expect(added.filter((f) => !IDS.some((id) => f.startsWith(`${id} `))), 'the mutation breaks only SLO rules').toEqual([]);
    expect(added).toContainEqual(expect.stringMatching(c.finding));
  });

  it('SLO001 judges production only (development pages nobody by design)', () => {
    const fail = CASES[0]!.fail(good);
    expect(evaluate(RULES.filter((r) => r.id === 'SLO001'), [{ ...fail, tier: 'development' }])).toEqual([]);
  });
});
