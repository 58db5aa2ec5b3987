/**
 * The environment's Cloud Monitoring dashboard (google_monitoring_dashboard's `dashboard_json`),
 * rendered from the plan: per SLO subject (a route, an in-mesh service, a consumer, the GLB) its
 * requests, error ratio against the burn rates that alert, latency against its threshold and the
 * error budget left; the edge gateway's open connections against its HPA's target and ceiling;
 * each Pub/Sub subscription's backlog and oldest unacked message; each GPU pool's duty cycle and
 * memory. Every widget is a PromQL query (timeSeriesQuery.prometheusQuery), and every number it
 * is drawn against is read from the plan. Pure: PlatformPlan in, the Dashboard resource out (the
 * shape of the Monitoring API v1 `Dashboard`, validated in test/ against its discovery document).
 */
import type { PlatformPlan } from '../platform-plan.ts';
import type { NodePoolPlan } from '../gcp/node-plan.ts';
import {
  BURN_WINDOWS,
  PERIOD_WINDOW,
  PUBSUB_BACKLOG,
  PUBSUB_OLDEST_AGE,
  WINDOW,
  errorRatioRecord,
  type ObservabilityPlan,
  type SloPlan,
} from './slo-plan.ts';

/**
 * The mosaic grid the Cloud Console builds and exports (48 columns; the discovery document's
 * description still says 1–12, the API has accepted 48 since the console moved to it).
 */
export const DASHBOARD_COLUMNS = 48;
/** The range every rate on the dashboard is taken over (the shortest alert window). */
export const DASHBOARD_RATE_WINDOW = '5m';

const CHART_HEIGHT = 16;
const HEADER_HEIGHT = 4;

// The subset of the Monitoring API v1 Dashboard resource this renderer emits (field names are the
// API's own; the discovery-document test rejects any other).
export interface Threshold {
  readonly label: string;
  readonly value: number;
  readonly color: 'YELLOW' | 'RED';
  readonly direction: 'ABOVE' | 'BELOW';
}
export interface DataSet {
  readonly timeSeriesQuery: { readonly prometheusQuery: string; readonly unitOverride?: string };
  readonly plotType: 'LINE' | 'STACKED_AREA';
  readonly targetAxis: 'Y1';
  readonly legendTemplate?: string;
  readonly minAlignmentPeriod: string;
}
export interface Widget {
  readonly title: string;
  readonly xyChart?: {
    readonly dataSets: readonly DataSet[];
    readonly thresholds?: readonly Threshold[];
    readonly yAxis: { readonly label: string; readonly scale: 'LINEAR' };
    readonly chartOptions: { readonly mode: 'COLOR' };
  };
  readonly sectionHeader?: { readonly subtitle: string; readonly dividerBelow: boolean };
}
/**
 * The API answers in proto3's canonical JSON: zero positions are omitted and a data set's
 * `targetAxis` comes back as Y1. The renderer writes that form, so what Terraform reads back
 * equals what it wrote (hashicorp/terraform-provider-google#16173: perpetual dashboard diffs).
 */
export interface Tile {
  readonly xPos?: number;
  readonly yPos?: number;
  readonly width: number;
  readonly height: number;
  readonly widget: Widget;
}
export interface Dashboard {
  readonly displayName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly mosaicLayout: { readonly columns: number; readonly tiles: readonly Tile[] };
}

/** A chart before layout. */
interface Chart {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly { readonly query: string; readonly legend?: string; readonly unit?: string }[];
  readonly thresholds?: readonly Threshold[];
}
interface Section {
  readonly title: string;
  readonly subtitle: string;
  readonly charts: readonly Chart[];
}

/** Floating-point noise off (14.4 × 0.001 = 0.014400000000000001). */
function num(n: number): number {
  return Number(n.toPrecision(12));
}

/** The plan's `[$window]` templates at the dashboard's range. */
export function atWindow(template: string, window: string = DASHBOARD_RATE_WINDOW): string {
  return template.split(`[${WINDOW}]`).join(`[${window}]`);
}

/** The share of requests an objective allows to fail: 1 - objective/100. */
export function errorBudget(slo: Pick<SloPlan, 'objective'>): number {
  return num(1 - slo.objective / 100);
}

/** `1 - slo:sli_error:ratio_rate30d / budget`: 1 = untouched, 0 = spent, below 0 = overspent. */
export function budgetRemainingQuery(plan: ObservabilityPlan, slo: SloPlan): string {
  return `1 - ${errorRatioRecord(PERIOD_WINDOW)}{slo="${slo.name}",env="${plan.env}"} / ${errorBudget(slo)}`;
}

/**
 * A latency SLO's quantile at its own objective (p99 for 99 %), from the histogram its error
 * ratio reads: the selector is taken from the plan's `<metric>_count{…}` series, never retyped.
 */
export function latencyQuantileQuery(slo: SloPlan): string {
  const { threshold, traffic } = slo;
  if (!threshold || !traffic) throw new Error(`SLO ${slo.name}: a latency chart needs a threshold and a request series`);
  const match = new RegExp(`${threshold.metric}_count\\{([^}]*)\\}`).exec(traffic);
  if (!match) throw new Error(`SLO ${slo.name}: its request series does not read ${threshold.metric}_count`);
  return `histogram_quantile(${num(slo.objective / 100)}, sum by (le) (rate(${threshold.metric}_bucket{${match[1]}}[${DASHBOARD_RATE_WINDOW}])))`;
}

/** One threshold per severity the SLO alerts with: the fastest burn rate of that severity, as an error ratio. */
function burnThresholds(slo: SloPlan): Threshold[] {
  const budget = errorBudget(slo);
  return slo.severities.map((severity) => {
    const factor = Math.max(...BURN_WINDOWS[severity].map((w) => w.factor));
    return {
      label: `${severity} at ${factor}× burn`,
      value: num(budget * factor),
      color: severity === 'page' ? 'RED' : 'YELLOW',
      direction: 'ABOVE',
    } as const;
  });
}

const SOURCE_NAMES: Readonly<Record<SloPlan['source'], string>> = {
  gateway: 'the edge gateway',
  kong: 'Kong',
  istio: "the server's Istio sidecar",
  pubsub: 'Pub/Sub (Cloud Monitoring)',
  glb: 'the global load balancer (Cloud Monitoring)',
};

function subjectOf(slo: SloPlan): string {
  return slo.route ?? slo.service;
}

function subjectSection(plan: ObservabilityPlan, subject: string, slos: readonly SloPlan[]): Section {
  const charts: Chart[] = [];
  const [first] = slos;
  const traffic = slos.find((s) => s.traffic)?.traffic;
  if (traffic) charts.push({ title: `${subject}: requests/s`, yLabel: 'requests/s', series: [{ query: atWindow(traffic), legend: 'requests/s' }] });
  for (const slo of slos.filter((s) => s.sli === 'availability' && s.errorRatio)) {
    charts.push({
      title: `${subject}: error ratio (objective ${slo.objective} %)`,
      yLabel: 'error ratio',
      series: [{ query: atWindow(slo.errorRatio ?? ''), legend: 'errors / requests', unit: '10^2.%' }],
      thresholds: burnThresholds(slo),
    });
  }
  for (const slo of slos.filter((s) => s.sli === 'latency' && s.threshold)) {
    const t = slo.threshold!;
    charts.push({
      title: `${subject}: p${slo.objective} latency (threshold ${t.value} ${t.unit})`,
      yLabel: t.unit,
      series: [{ query: latencyQuantileQuery(slo), legend: `p${slo.objective}`, unit: t.unit }],
      thresholds: [{ label: `threshold ${t.value} ${t.unit}`, value: t.value, color: 'RED', direction: 'ABOVE' }],
    });
  }
  charts.push({
    title: `${subject}: error budget left (${PERIOD_WINDOW})`,
    yLabel: 'budget left',
    series: slos.map((slo) => ({ query: budgetRemainingQuery(plan, slo), legend: slo.name, unit: '10^2.%' })),
    thresholds: [{ label: 'budget spent', value: 0, color: 'RED', direction: 'BELOW' }],
  });
  return { title: subject, subtitle: `Read at ${first ? SOURCE_NAMES[first.source] : ''}: ${slos.map((s) => `${s.sli} ${s.objective} %`).join(', ')}`, charts };
}

function gatewaySection(plan: PlatformPlan): Section {
  const { gateway, namespace } = plan.edge;
  // The HPA scales on the gateway's WebSocket sessions per pod (charts/edge-chart.ts); its
  // ceiling is the target per replica times the most replicas it may run.
  const sel = `gateway_active_connections{namespace="${namespace}",protocol="websocket"}`;
  const ceiling = gateway.targetConnectionsPerReplica * gateway.replicas.max;
  return {
    title: 'Edge gateway',
    subtitle: `Deployment ${namespace}/${gateway.name}: ${gateway.replicas.min}–${gateway.replicas.max} replicas, the HPA aims at ${gateway.targetConnectionsPerReplica} WebSocket sessions per pod`,
    charts: [
      {
        title: 'gateway: open WebSocket sessions per pod (HPA target)',
        yLabel: 'sessions',
        series: [{ query: `sum by (pod) (${sel})`, legend: '${labels.pod}' }],
        thresholds: [{ label: `HPA target ${gateway.targetConnectionsPerReplica}/pod`, value: gateway.targetConnectionsPerReplica, color: 'YELLOW', direction: 'ABOVE' }],
      },
      {
        title: `gateway: open WebSocket sessions in all (HPA ceiling ${ceiling})`,
        yLabel: 'sessions',
        series: [{ query: `sum(${sel})`, legend: 'all pods' }],
        thresholds: [{ label: `${gateway.replicas.max} replicas × ${gateway.targetConnectionsPerReplica}`, value: ceiling, color: 'RED', direction: 'ABOVE' }],
      },
      {
        title: 'gateway: open connections by protocol',
        yLabel: 'connections',
        series: [{ query: `sum by (protocol) (gateway_active_connections{namespace="${namespace}"})`, legend: '${labels.protocol}' }],
      },
    ],
  };
}

function pubsubSection(plan: PlatformPlan): Section | undefined {
  const subscriptions = plan.events.flatMap((t) => t.subscriptions.map((s) => s.name)).sort();
  if (subscriptions.length === 0) return undefined;
  const maxAge = new Map<string, number>();
  for (const slo of plan.observability.slos) {
    for (const sub of slo.subscriptions ?? []) if (slo.maxAgeSec !== undefined) maxAge.set(sub, slo.maxAgeSec);
  }
  const charts = subscriptions.flatMap((sub): Chart[] => {
    const sel = `{monitored_resource="pubsub_subscription",subscription_id="${sub}"}`;
    const limit = maxAge.get(sub);
    return [
      { title: `${sub}: backlog (undelivered messages)`, yLabel: 'messages', series: [{ query: `max(${PUBSUB_BACKLOG}${sel})`, legend: sub }] },
      {
        title: `${sub}: oldest unacked message age`,
        yLabel: 's',
        series: [{ query: `max(${PUBSUB_OLDEST_AGE}${sel})`, legend: sub, unit: 's' }],
        ...(limit !== undefined ? { thresholds: [{ label: `freshness limit ${limit} s`, value: limit, color: 'RED', direction: 'ABOVE' } as const] } : {}),
      },
    ];
  });
  return { title: 'Pub/Sub', subtitle: `Every subscription of ${plan.env.name} (Cloud Monitoring's Pub/Sub metrics)`, charts };
}

/**
 * GKE names a node `gke-<cluster>-<pool>-<hash>-<suffix>`, and GKE's managed DCGM metrics carry
 * the node's name: the pool's series are the nodes with its prefix.
 */
export function gpuPoolNodeSelector(clusterName: string, pool: Pick<NodePoolPlan, 'name'>): string {
  return `node=~"gke-${clusterName}-${pool.name}-.+"`;
}

function gpuSection(plan: PlatformPlan): Section | undefined {
  const pools = plan.nodes.pools.filter((p) => p.gpu);
  if (pools.length === 0) return undefined;
  const charts = pools.flatMap((pool): Chart[] => {
    const sel = `{${gpuPoolNodeSelector(plan.nodes.clusterName, pool)}}`;
    // DCGM_FI_DEV_GPU_UTIL reads nothing on MIG partitions; the graphics engine's activity (0–1) works on both.
    const duty = pool.gpu?.partitionSize ? `100 * avg by (node) (DCGM_FI_PROF_GR_ENGINE_ACTIVE${sel})` : `avg by (node) (DCGM_FI_DEV_GPU_UTIL${sel})`;
    return [
      { title: `GPU pool ${pool.name}: duty cycle (${pool.gpu?.type})`, yLabel: '%', series: [{ query: duty, legend: '${labels.node}', unit: '%' }] },
      {
        title: `GPU pool ${pool.name}: memory used`,
        yLabel: 'share used',
        series: [{ query: `max by (node) (DCGM_FI_DEV_FB_USED${sel} / (DCGM_FI_DEV_FB_USED${sel} + DCGM_FI_DEV_FB_FREE${sel}))`, legend: '${labels.node}', unit: '10^2.%' }],
      },
    ];
  });
  return { title: 'GPU pools', subtitle: `GKE managed DCGM metrics, per node of each pool of cluster ${plan.nodes.clusterName}`, charts };
}

function position(x: number, y: number): Pick<Tile, 'xPos' | 'yPos'> {
  return { ...(x > 0 ? { xPos: x } : {}), ...(y > 0 ? { yPos: y } : {}) };
}

function layout(sections: readonly Section[]): Tile[] {
  const tiles: Tile[] = [];
  let y = 0;
  for (const section of sections) {
    tiles.push({
      ...position(0, y),
      width: DASHBOARD_COLUMNS,
      height: HEADER_HEIGHT,
      widget: { title: section.title, sectionHeader: { subtitle: section.subtitle, dividerBelow: true } },
    });
    y += HEADER_HEIGHT;
    const n = section.charts.length;
    const perRow = n <= 4 ? Math.max(1, n) : n % 4 === 0 ? 4 : 3;
    const width = DASHBOARD_COLUMNS / perRow;
    section.charts.forEach((chart, i) => {
      const col = i % perRow;
      if (i > 0 && col === 0) y += CHART_HEIGHT;
      tiles.push({ ...position(col * width, y), width, height: CHART_HEIGHT, widget: chartWidget(chart) });
    });
    y += CHART_HEIGHT;
  }
  return tiles;
}

function chartWidget(chart: Chart): Widget {
  return {
    title: chart.title,
    xyChart: {
      dataSets: chart.series.map((s) => ({
        timeSeriesQuery: { prometheusQuery: s.query, ...(s.unit ? { unitOverride: s.unit } : {}) },
        plotType: 'LINE',
        targetAxis: 'Y1',
        ...(s.legend ? { legendTemplate: s.legend } : {}),
        minAlignmentPeriod: '60s',
      })),
      ...(chart.thresholds && chart.thresholds.length > 0 ? { thresholds: chart.thresholds } : {}),
      yAxis: { label: chart.yLabel, scale: 'LINEAR' },
      chartOptions: { mode: 'COLOR' },
    },
  };
}

export function renderDashboard(plan: PlatformPlan): Dashboard {
  const obs = plan.observability;
  const subjects = new Map<string, SloPlan[]>();
  for (const slo of obs.slos) subjects.set(subjectOf(slo), [...(subjects.get(subjectOf(slo)) ?? []), slo]);
  const sections: Section[] = [...subjects].map(([subject, slos]) => subjectSection(obs, subject, slos));
  sections.push(gatewaySection(plan));
  const pubsub = pubsubSection(plan);
  if (pubsub) sections.push(pubsub);
  const gpu = gpuSection(plan);
  if (gpu) sections.push(gpu);
  return {
    displayName: obs.dashboardName,
    labels: { env: obs.env, 'managed-by': 'cdktf' },
    mosaicLayout: { columns: DASHBOARD_COLUMNS, tiles: layout(sections) },
  };
}

/** `dashboard_json`: stable key order (the renderer's), so a synth diff shows only real changes. */
export function dashboardJson(plan: PlatformPlan): string {
  return JSON.stringify(renderDashboard(plan));
}

/** Every PromQL expression on the dashboard with the widget that draws it (promtool checks them all). */
export function dashboardQueries(dashboard: Dashboard): { readonly widget: string; readonly expr: string }[] {
  return dashboard.mosaicLayout.tiles.flatMap((tile) =>
    (tile.widget.xyChart?.dataSets ?? []).map((d) => ({ widget: tile.widget.title, expr: d.timeSeriesQuery.prometheusQuery })),
  );
}
