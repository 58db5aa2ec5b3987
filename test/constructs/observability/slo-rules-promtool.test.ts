// The rendered SLO rules in real Prometheus tooling: every group of every environment passes
// `promtool check rules`, and `promtool test rules` proves the alert math on synthetic series —
// for a request route (Kong), stream routes (the gateway), a consumer (Pub/Sub freshness) — with
// the production windows (1 h, 6 h, 1 d, 3 d; a 30-day budget), not scaled ones.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOf } from '../../plan-fixtures.ts';
import { renderRules, type RuleGroup } from '../../../constructs/observability/slo-rules.ts';
import { requireTools, run } from './fixtures/prometheus-tools.ts';

const ENVS = ['dev', 'staging', 'prod'] as const;
const { missing, paths } = requireTools(['promtool'], 'promtool rule tests');
const suite = missing.length > 0 ? describe.skip : describe;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slo-promtool-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

suite('promtool check rules', () => {
  it.each(ENVS)('every rules object of %s is valid', async (envName) => {
    const objects = renderRules(planOf(envName).observability);
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Rules', 'GlobalRules']));
    const files: string[] = [];
    for (const o of objects) {
      const file = path.join(dir, `${envName}-${o.kind}-${o.namespace ?? 'all'}.yml`);
      await writeFile(file, stringify({ groups: o.groups }, { lineWidth: 0 }));
      files.push(file);
    }
    // One promtool for all of an environment's files: it reports each.
    const result = await run(paths.promtool, ['check', 'rules', ...files]);
    expect(result.code, result.output).toBe(0);
    expect(result.output.match(/SUCCESS/g)).toHaveLength(files.length);
  });
});

// --- promtool test rules ------------------------------------------------------------------------

const MIN = 1; // the series interval, in minutes

/** `count` samples rising by `step` per minute from `start` (promtool's expanding notation). */
function rising(start: number, step: number, count: number): string {
  return `${start}+${step}x${count}`;
}

/** A counter that rises by `perMin` for each of the `phases` in turn (minutes, increase per minute). */
function counter(phases: readonly [minutes: number, perMin: number][]): string {
  let value = 0;
  const parts: string[] = [];
  phases.forEach(([minutes, perMin], i) => {
    // Each phase starts one interval after the last sample of the previous one.
    if (i > 0) value += perMin;
    parts.push(rising(value, perMin, i === 0 ? minutes : minutes - 1));
    value += perMin * (i === 0 ? minutes : minutes - 1);
  });
  return parts.join(' ');
}

function gauge(phases: readonly [minutes: number, value: number][]): string {
  return phases.map(([minutes, v], i) => `${v}x${i === 0 ? minutes : minutes - 1}`).join(' ');
}

interface Alerted {
  readonly alertname: string;
  readonly severity: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The ALERTS series promtool records for a firing alert, in its label order. */
function alertsSample({ alertname, severity, labels }: Alerted): { labels: string; value: number } {
  const all = { alertname, alertstate: 'firing', ...labels, severity };
  const text = Object.entries(all)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return { labels: `ALERTS{${text}}`, value: 1 };
}

/** Rule groups of one environment that read the named SLOs (their own groups only), evaluated every minute. */
function groupsFor(envName: (typeof ENVS)[number], sloNames: readonly string[], extra: readonly string[] = []): RuleGroup[] {
  const groups = renderRules(planOf(envName).observability).flatMap((o) => o.groups);
  const wanted = new Set([...sloNames.map((n) => `slo-${n}`), ...extra]);
  const chosen = groups.filter((g) => wanted.has(g.name));
  expect(chosen.map((g) => g.name).sort()).toEqual([...wanted].sort());
  // The rendered 30 s interval, evaluated every minute here: the same expressions at half the cost.
  return chosen.map((g) => ({ ...g, interval: '1m' }));
}

interface Scenario {
  readonly name: string;
  readonly groups: readonly RuleGroup[];
  readonly series: Readonly<Record<string, string>>;
  /** At each time (minutes), the alerts expected to be firing: ALERTS for the listed alert names, exactly. */
  readonly checks: readonly { readonly atMin: number; readonly alertnames: readonly string[]; readonly firing: readonly Alerted[] }[];
}

async function promtoolTest(scenario: Scenario): Promise<void> {
  const slug = scenario.name.replace(/[^a-z0-9]+/gi, '-');
  const rulesFile = path.join(dir, `${slug}.rules.yml`);
  const testFile = path.join(dir, `${slug}.test.yml`);
  await writeFile(rulesFile, stringify({ groups: scenario.groups }, { lineWidth: 0 }));
  const promql = scenario.checks.flatMap((c) =>
    c.alertnames.map((alertname) => ({
      expr: `ALERTS{alertname="${alertname}",alertstate="firing"}`,
      eval_time: `${c.atMin}m`,
      exp_samples: c.firing.filter((f) => f.alertname === alertname).map(alertsSample),
    })),
  );
  await writeFile(
    testFile,
    stringify({
      rule_files: [path.basename(rulesFile)],
      evaluation_interval: '1m',
      tests: [{ interval: `${MIN}m`, input_series: Object.entries(scenario.series).map(([series, values]) => ({ series, values })), promql_expr_test: promql }],
    }),
  );
  const result = await run(paths.promtool, ['test', 'rules', testFile], { cwd: dir, timeoutMs: 170_000 });
  expect(result.code, `${scenario.name}\n${result.output}`).toBe(0);
  expect(result.output).toContain('SUCCESS');
}

const DAY = 24 * 60;
const prodLabels = (slo: string, service: string, sli: string, route?: string): Record<string, string> => ({
  env: 'prod',
  ...(route ? { route } : {}),
  service,
  sli,
  slo,
});

// Each scenario is its own promtool process: run them side by side.
// A few seconds each on a quiet machine; minutes when the machine is loaded, so the bound is wide.
(missing.length > 0 ? describe.skip : describe.concurrent)('promtool test rules: the alert math on synthetic series (prod windows)', { timeout: 180_000 }, () => {
  // orders-api via Kong: 99.9 % availability, so the budget is 0.1 % of requests.
  const orders = { alert: 'OrdersApiAvailabilityBudgetBurn', labels: prodLabels('orders-api-availability', 'orders-api', 'availability', 'orders-api') };
  const ok = 'kong_http_requests_total{route="orders-api",code="200",service="orders-api"}';
  const err = 'kong_http_requests_total{route="orders-api",code="500",service="orders-api"}';

  it('a request route burning at 15× pages within the workbook detection time of its 1 h window (1 h × 14.4/15 ≈ 58 min), not before', async () => {
    // A day of healthy traffic first: the 15× burn then fills the 1 h window gradually (an error
    // ratio of rates is independent of how much of a window holds data, so a burn from t=0 would page at once).
    const history = DAY;
    await promtoolTest({
      name: 'request-route-fast-burn',
      groups: groupsFor('prod', ['orders-api-availability']),
      // 1000 requests a minute; from `history` on, 1.5 % of them fail: 15× the 0.1 % budget.
      series: { [ok]: counter([[history, 1000], [120, 985]]), [err]: counter([[history, 0], [120, 15]]) },
      checks: [
        { atMin: history - 10, alertnames: [orders.alert], firing: [] },
        // The 5 m window is over 14.4× at once; the 1 h one is not yet: no page at 45 minutes.
        { atMin: history + 45, alertnames: [orders.alert], firing: [] },
        { atMin: history + 60, alertnames: [orders.alert], firing: [{ alertname: orders.alert, severity: 'page', labels: orders.labels }] },
      ],
    });
  });

  it('a request route burning at 1.2× opens a ticket but never pages', async () => {
    await promtoolTest({
      name: 'request-route-slow-burn',
      groups: groupsFor('prod', ['orders-api-availability']),
      // 0.12 % errors from the start for a day: 1.2× the budget, above the 1× ticket over 3 d and 6 h
      // (a ratio of rates reads the same over a 3 d window that holds one day of data).
      series: { [ok]: counter([[DAY, 9988]]), [err]: counter([[DAY, 12]]) },
      checks: [60, 6 * 60, 12 * 60, DAY - 5].map((atMin) => ({
        atMin,
        alertnames: [orders.alert],
        firing: [{ alertname: orders.alert, severity: 'ticket', labels: orders.labels }],
      })),
    });
  });

  it('zero traffic raises nothing (no series at all, or counters that stand still)', async () => {
    await promtoolTest({
      name: 'zero-traffic',
      groups: groupsFor('prod', ['orders-api-availability', 'orders-api-latency', 'chat-availability']),
      series: {
        [ok]: counter([[6 * 60, 0]]),
        [err]: counter([[6 * 60, 0]]),
        'kong_request_latency_ms_count{route="orders-api",service="orders-api"}': counter([[6 * 60, 0]]),
        'kong_request_latency_ms_bucket{route="orders-api",service="orders-api",le="250"}': counter([[6 * 60, 0]]),
      },
      checks: [30, 3 * 60, 6 * 60 - 5].map((atMin) => ({
        atMin,
        alertnames: [orders.alert, 'OrdersApiLatencyBudgetBurn', 'ChatAvailabilityBudgetBurn'],
        firing: [],
      })),
    });
  });

  it('an outage on one stream route alerts that route alone (SSE cut, WebSocket healthy)', async () => {
    const feed = { alert: 'MarketFeedAvailabilityBudgetBurn', labels: prodLabels('market-feed-availability', 'market-feed', 'availability', 'market-feed') };
    const history = 6 * 60;
    await promtoolTest({
      name: 'one-route-outage',
      groups: groupsFor('prod', ['market-feed-availability', 'chat-availability']),
      series: {
        // SSE streams: 200 when they end normally, "aborted" when cut. After 6 h every stream is cut.
        'gateway_requests_total{route="market-feed",protocol="sse",code="200"}': counter([[history, 50], [30, 0]]),
        'gateway_requests_total{route="market-feed",protocol="sse",code="aborted"}': counter([[history, 0], [30, 50]]),
        // WebSocket sessions end 101; a failed handshake would be a 5xx. Healthy throughout.
        'gateway_requests_total{route="chat",protocol="websocket",code="101"}': counter([[history + 30, 40]]),
      },
      checks: [
        { atMin: history - 5, alertnames: [feed.alert, 'ChatAvailabilityBudgetBurn'], firing: [] },
        // 100 % errors is 200× a 0.5 % budget: the 1 h window crosses 14.4× within minutes.
        // The slow-burn windows (2 h, 6 h) cross too: the ticket fires beside the page (Alertmanager inhibits it).
        {
          atMin: history + 10,
          alertnames: [feed.alert, 'ChatAvailabilityBudgetBurn'],
          firing: [
            { alertname: feed.alert, severity: 'page', labels: feed.labels },
            { alertname: feed.alert, severity: 'ticket', labels: feed.labels },
          ],
        },
      ],
    });
  });

  it('a consumer whose oldest unacked message ages past 5 minutes pages on freshness; dead letters open a ticket', async () => {
    const fresh = { alert: 'EventEnricherFreshnessBudgetBurn', labels: prodLabels('event-enricher-freshness', 'event-enricher', 'freshness') };
    const history = 6 * 60;
    const age = (sub: string): string => `pubsub_googleapis_com:subscription_oldest_unacked_message_age{monitored_resource="pubsub_subscription",subscription_id="${sub}"}`;
    const dead = 'pubsub_googleapis_com:subscription_dead_letter_message_count{monitored_resource="pubsub_subscription",subscription_id="ingest-enricher"}';
    await promtoolTest({
      name: 'consumer-freshness',
      groups: groupsFor('prod', ['event-enricher-freshness'], ['saturation-project']),
      series: {
        // 40 s old for 6 h, then the consumer stalls: 15 minutes old and growing.
        [age('ingest-enricher')]: gauge([[history, 40], [60, 900]]),
        [age('order-events-enricher')]: gauge([[history + 60, 20]]),
        // Three messages exhaust their attempts 30 minutes into the stall.
        [dead]: counter([[history + 30, 0], [30, 0.1]]),
      },
      checks: [
        { atMin: history - 5, alertnames: [fresh.alert, 'EventEnricherDeadLetters'], firing: [] },
        // Every minute is bad: the 5 m window is 100 %, the 1 h one passes 14.4 % of a 1 % budget after ~9 minutes.
        // With six hours of history the 2 h and 1 d windows pass 3× too: the ticket fires beside the page.
        {
          atMin: history + 12,
          alertnames: [fresh.alert],
          firing: [
            { alertname: fresh.alert, severity: 'page', labels: fresh.labels },
            { alertname: fresh.alert, severity: 'ticket', labels: fresh.labels },
          ],
        },
        {
          atMin: history + 40,
          alertnames: ['EventEnricherDeadLetters'],
          firing: [{ alertname: 'EventEnricherDeadLetters', severity: 'ticket', labels: { env: 'prod', service: 'event-enricher' } }],
        },
      ],
    });
  });
});
