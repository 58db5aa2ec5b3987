// The environment's Cloud Monitoring dashboard: drawn from the plan (every number it is drawn
// against is the plan's), valid against the Monitoring API v1 discovery document's Dashboard
// schema (../shared, DESIGN.md §6; a misspelled field fails here, not at apply), and every PromQL
// query parsed by real promtool.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { Testing } from 'cdk8s';
import { buildChartsApp } from '../../../charts/platform-charts.ts';
import { describe, expect, it } from 'vitest';
import {
  budgetRemainingQuery,
  dashboardJson,
  dashboardQueries,
  errorBudget,
  renderDashboard,
  type Dashboard,
  type Widget,
} from '../../../constructs/observability/dashboard.ts';
import { planOf } from '../../plan-fixtures.ts';
import { PROMTOOL_SKIP, checkExpressions, havePromtool } from './promtool.ts';

const ENVS = ['dev', 'staging', 'prod'] as const;

const widgets = (d: Dashboard): Widget[] => d.mosaicLayout.tiles.map((t) => t.widget);
const chart = (d: Dashboard, title: string): NonNullable<Widget['xyChart']> => {
  const w = widgets(d).find((x) => x.title === title);
  if (!w?.xyChart) throw new Error(`no chart "${title}" (have: ${widgets(d).map((x) => x.title).join(' | ')})`);
  return w.xyChart;
};

describe('SLO dashboard', () => {
  it('draws every objective with its error budget left, from the recorded 30-day ratio', () => {
    for (const envName of ENVS) {
      const plan = planOf(envName);
      const queries = dashboardQueries(renderDashboard(plan)).map((q) => q.expr);
      for (const slo of plan.observability.slos) {
        expect(queries).toContain(budgetRemainingQuery(plan.observability, slo));
        expect(budgetRemainingQuery(plan.observability, slo)).toBe(
          `1 - slo:sli_error:ratio_rate30d{slo="${slo.name}",env="${envName}"} / ${Number((1 - slo.objective / 100).toPrecision(12))}`,
        );
      }
    }
  });

  it('draws each route\'s requests, errors against the burn rates that alert, and latency against its threshold', () => {
    const plan = planOf('prod');
    const d = renderDashboard(plan);
    const orders = plan.observability.slos.find((s) => s.name === 'orders-api-availability');
    const latency = plan.observability.slos.find((s) => s.name === 'orders-api-latency');
    if (!orders || !latency?.threshold) throw new Error('prod has no orders-api objectives');
    expect(chart(d, 'orders-api: requests/s').dataSets[0]?.timeSeriesQuery.prometheusQuery).toBe('sum(rate(kong_http_requests_total{route="orders-api"}[5m]))');
    const errors = chart(d, `orders-api: error ratio (objective ${orders.objective} %)`);
    expect(errors.dataSets[0]?.timeSeriesQuery.prometheusQuery).not.toContain('$window');
    // page at 14.4× the budget, ticket at 3×: the thresholds the alerts fire at.
    expect(errors.thresholds).toEqual([
      { label: 'page at 14.4× burn', value: 0.0144, color: 'RED', direction: 'ABOVE' },
      { label: 'ticket at 3× burn', value: 0.003, color: 'YELLOW', direction: 'ABOVE' },
    ]);
    const lat = chart(d, `orders-api: p${latency.objective} latency (threshold ${latency.threshold.value} ms)`);
    expect(lat.dataSets[0]?.timeSeriesQuery.prometheusQuery).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(kong_request_latency_ms_bucket{route="orders-api"}[5m])))',
    );
    expect(lat.thresholds?.[0]?.value).toBe(latency.threshold.value);
    // A gateway route's threshold is in the gateway histogram's unit, seconds.
    const ingest = plan.observability.slos.find((s) => s.name === 'ingest-ingest-latency');
    expect(chart(d, `ingest-ingest: p${ingest?.objective} latency (threshold 0.25 s)`).thresholds?.[0]?.value).toBe(0.25);
  });

  it('an environment without paging draws no page threshold', () => {
    const d = renderDashboard(planOf('dev'));
    const thresholds = widgets(d).flatMap((w) => w.xyChart?.thresholds ?? []);
    expect(thresholds.some((t) => t.label.startsWith('ticket'))).toBe(true);
    expect(thresholds.some((t) => t.label.startsWith('page'))).toBe(false);
  });

  it('draws the gateway\'s WebSocket sessions against its HPA target and ceiling, read from the edge plan', () => {
    for (const envName of ENVS) {
      const plan = planOf(envName);
      const { gateway } = plan.edge;
      const d = renderDashboard(plan);
      expect(chart(d, 'gateway: open WebSocket sessions per pod (HPA target)').thresholds?.[0]?.value).toBe(gateway.targetConnectionsPerReplica);
      const ceiling = gateway.targetConnectionsPerReplica * gateway.replicas.max;
      const all = chart(d, `gateway: open WebSocket sessions in all (HPA ceiling ${ceiling})`);
      expect(all.thresholds?.[0]?.value).toBe(ceiling);
      expect(all.dataSets[0]?.timeSeriesQuery.prometheusQuery).toBe('sum(gateway_active_connections{namespace="edge",protocol="websocket"})');
    }
  });

  it('draws the metric, label and target the synthesized gateway HPA scales on', () => {
    const plan = planOf('prod');
    const chartOf = buildChartsApp(plan, Testing.app().outdir).charts.find((c) => c.node.id === 'edge');
    if (!chartOf) throw new Error('no edge chart');
    type Json = Record<string, any>; // synthesized manifests are untyped JSON
    const hpa = (Testing.synth(chartOf) as Json[]).find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === plan.edge.gateway.name);
    const pods = (hpa?.spec.metrics as Json[]).find((m) => m.type === 'Pods')?.pods;
    // prometheus.googleapis.com|<metric>|gauge, selected by metric.labels.<label>
    const [, metric] = String(pods?.metric.name).split('|');
    const labels = Object.entries(pods?.metric.selector.matchLabels as Record<string, string>).map(([k, v]) => `${k.replace('metric.labels.', '')}="${v}"`);
    const perPod = chart(renderDashboard(plan), 'gateway: open WebSocket sessions per pod (HPA target)');
    expect(perPod.dataSets[0]?.timeSeriesQuery.prometheusQuery).toBe(`sum by (pod) (${metric}{namespace="${plan.edge.namespace}",${labels.join(',')}})`);
    expect(perPod.thresholds?.[0]?.value).toBe(Number(pods?.target.averageValue));
    expect(hpa?.spec.maxReplicas).toBe(plan.edge.gateway.replicas.max);
  });

  it('draws every subscription\'s backlog and oldest message, the consumer\'s freshness limit on its own', () => {
    const plan = planOf('prod');
    const d = renderDashboard(plan);
    const freshness = plan.observability.slos.find((s) => s.sli === 'freshness');
    for (const sub of plan.events.flatMap((t) => t.subscriptions.map((s) => s.name))) {
      expect(chart(d, `${sub}: backlog (undelivered messages)`).dataSets[0]?.timeSeriesQuery.prometheusQuery).toContain(`subscription_id="${sub}"`);
      const age = chart(d, `${sub}: oldest unacked message age`);
      if (freshness?.subscriptions?.includes(sub)) expect(age.thresholds?.[0]?.value).toBe(freshness.maxAgeSec);
      else expect(age.thresholds).toBeUndefined();
    }
  });

  it('draws each GPU pool\'s duty cycle and memory, MIG pools from the engine activity DCGM reports for them', () => {
    const plan = planOf('prod');
    const d = renderDashboard(plan);
    const gpuPools = plan.nodes.pools.filter((p) => p.gpu);
    expect(gpuPools.length).toBeGreaterThan(1);
    for (const pool of gpuPools) {
      const duty = chart(d, `GPU pool ${pool.name}: duty cycle (${pool.gpu?.type})`).dataSets[0]?.timeSeriesQuery.prometheusQuery;
      expect(duty).toContain(`node=~"gke-${plan.nodes.clusterName}-${pool.name}-.+"`);
      expect(duty).toContain(pool.gpu?.partitionSize ? 'DCGM_FI_PROF_GR_ENGINE_ACTIVE' : 'DCGM_FI_DEV_GPU_UTIL');
      expect(chart(d, `GPU pool ${pool.name}: memory used`).dataSets[0]?.timeSeriesQuery.prometheusQuery).toContain('DCGM_FI_DEV_FB_FREE');
    }
  });

  it('lays tiles out on the 48-column grid without overlaps', () => {
    for (const envName of ENVS) {
      const tiles = renderDashboard(planOf(envName)).mosaicLayout.tiles;
      // Zero positions are omitted, as the API returns them (no perpetual diff on read-back).
      expect(tiles.some((t) => t.xPos === 0 || t.yPos === 0)).toBe(false);
      const tiles0 = tiles.map((t) => ({ ...t, xPos: t.xPos ?? 0, yPos: t.yPos ?? 0 }));
      tiles0.forEach((a, i) => {
        expect(a.xPos + a.width, a.widget.title).toBeLessThanOrEqual(48);
        for (const b of tiles0.slice(i + 1)) {
          const apart = a.xPos + a.width <= b.xPos || b.xPos + b.width <= a.xPos || a.yPos + a.height <= b.yPos || b.yPos + b.height <= a.yPos;
          expect(apart, `${a.widget.title} overlaps ${b.widget.title}`).toBe(true);
        }
      });
    }
  });

  it('errorBudget is 1 - objective/100 without floating-point noise', () => {
    expect(errorBudget({ objective: 99.9 })).toBe(0.001);
    expect(errorBudget({ objective: 99.5 })).toBe(0.005);
  });
});

// --- The Monitoring API's own schema ------------------------------------------------------------

const DISCOVERY_ENV = process.env.MONITORING_DISCOVERY_DOC;
const discoveryPath = DISCOVERY_ENV ?? path.resolve(import.meta.dirname, '../../../../shared/schemas/google-monitoring/monitoring-v1.json');
const haveDiscovery = existsSync(discoveryPath);
if (!haveDiscovery && process.env.CI === 'true') {
  throw new Error(`the Monitoring API discovery document is required under CI=true: ${discoveryPath} (or set MONITORING_DISCOVERY_DOC)`);
}

interface DiscoverySchema {
  readonly type?: string;
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, DiscoverySchema>>;
  readonly additionalProperties?: DiscoverySchema;
  readonly items?: DiscoverySchema;
  readonly enum?: readonly string[];
  readonly format?: string;
}

/** A discovery schema as JSON Schema: `$ref: Name` → `#/definitions/Name`, closed objects. */
function jsonSchemaOf(s: DiscoverySchema): Record<string, unknown> {
  if (s.$ref) return { $ref: `#/definitions/${s.$ref}` };
  switch (s.type) {
    case 'object':
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, jsonSchemaOf(v)])),
        // Maps (e.g. Dashboard.labels) declare their values; every other object is closed: a misspelled field fails.
        additionalProperties: s.additionalProperties ? jsonSchemaOf(s.additionalProperties) : false,
      };
    case 'array':
      return { type: 'array', ...(s.items ? { items: jsonSchemaOf(s.items) } : {}) };
    case 'string':
      // int64/uint64 travel as decimal strings in the JSON mapping of proto3.
      if (s.format === 'int64' || s.format === 'uint64') return { type: 'string', pattern: '^-?[0-9]+$' };
      return { type: 'string', ...(s.enum ? { enum: [...s.enum] } : {}) };
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: s.type };
    case 'any':
    case undefined:
      return {};
    default:
      throw new Error(`discovery type ${s.type} has no JSON Schema mapping`);
  }
}

function dashboardValidator(discovery: { schemas: Readonly<Record<string, DiscoverySchema>> }) {
  const definitions = Object.fromEntries(Object.entries(discovery.schemas).map(([name, s]) => [name, jsonSchemaOf(s)]));
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile({ $ref: '#/definitions/Dashboard', definitions });
}

describe.skipIf(!haveDiscovery)(
  `dashboard JSON against the Monitoring API v1 discovery document${haveDiscovery ? '' : ` (skipped: ${discoveryPath} not found; set MONITORING_DISCOVERY_DOC)`}`,
  () => {
    const validate = dashboardValidator(haveDiscovery ? JSON.parse(readFileSync(discoveryPath, 'utf8')) : { schemas: {} });

    it.each(ENVS)('%s: the synthesized dashboard_json is a valid Dashboard', (envName) => {
      const doc: unknown = JSON.parse(dashboardJson(planOf(envName)));
      const ok = validate(doc);
      expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
    });

    it('rejects a misspelled field, a wrong enum value and a wrong type (minimal mutations)', () => {
      type Json = Record<string, any>; // any: free-form edits of the parsed JSON
      const good = JSON.parse(dashboardJson(planOf('prod'))) as Json;
      const firstChart = (doc: Json): Json => (doc.mosaicLayout.tiles as Json[]).find((t) => t.widget.xyChart) as Json;
      const mutations: Readonly<Record<string, (doc: Json) => void>> = {
        'timeSeriesQuery.prometheusQuerry': (doc) => {
          const q = firstChart(doc).widget.xyChart.dataSets[0].timeSeriesQuery;
          q.prometheusQuerry = q.prometheusQuery;
          delete q.prometheusQuery;
        },
        'dataSets[].plotType LINES': (doc) => { firstChart(doc).widget.xyChart.dataSets[0].plotType = 'LINES'; },
        'thresholds[].colour': (doc) => { const t = firstChart(doc).widget.xyChart.thresholds?.[0] ?? {}; t.colour = 'RED'; firstChart(doc).widget.xyChart.thresholds = [t]; },
        'tile width as a string': (doc) => { firstChart(doc).width = '16'; },
        'mosaicLayout.tile (singular)': (doc) => { doc.mosaicLayout.tile = doc.mosaicLayout.tiles; },
      };
      expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
      for (const [what, mutate] of Object.entries(mutations)) {
        const doc = JSON.parse(JSON.stringify(good)) as Json;
        mutate(doc);
        expect(validate(doc), what).toBe(false);
      }
    });
  },
);

describe.skipIf(!havePromtool)(`dashboard PromQL parses with promtool${PROMTOOL_SKIP}`, () => {
  it.each(ENVS)('%s: promtool check rules accepts every widget query', (envName) => {
    const queries = dashboardQueries(renderDashboard(planOf(envName)));
    expect(queries.length).toBeGreaterThan(20);
    const { status, output } = checkExpressions(queries.map((q) => q.expr));
    expect(status, output).toBe(0);
  });

  it('a broken query fails the same check (the check can fail)', () => {
    const { status } = checkExpressions(['sum(rate(gateway_requests_total{route="x"}[5m])']);
    expect(status).not.toBe(0);
  });
});
