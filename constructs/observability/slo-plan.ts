/**
 * SloPlan: every objective of an environment, derived once from the catalog and the route plan —
 * where its SLI is read (the proxy that answers the route, the server's sidecar, Pub/Sub, the
 * GLB), the PromQL of its error ratio, its threshold as the exact bucket boundary of its source,
 * which Rules object it lives in (a GMP `Rules` object only sees its own namespace's metrics),
 * and where its alerts go. Rules, Alertmanager routing, dashboards, runbooks, `npm run slos` and
 * the policies all read this plan, so they cannot disagree. Pure.
 */
import type { Environment, Service } from '../../environments/schema.ts';
import type { AlertChannel } from '../../environments/schema/slo.ts';
import {
  LATENCY_METRIC,
  SLO_PERIOD_DAYS,
  resolveIngestSlo,
  resolveServiceSlo,
  type ResolvedSlo,
  type SliSource,
} from '../../environments/slo-defaults.ts';
import type { RoutePlan } from '../edge/route-plan.ts';
import type { EdgePlan } from '../edge/edge-plan.ts';
import { planAlertmanager, type AlertmanagerPlan } from './alertmanager-plan.ts';

export type SliKind = 'availability' | 'latency' | 'freshness';
export type Severity = 'page' | 'ticket';

/** Where a rule group lives: a `Rules` object sees only its namespace, `GlobalRules` the project (Cloud Monitoring metrics). */
export type RulesScope = { readonly kind: 'Rules'; readonly namespace: string } | { readonly kind: 'ClusterRules' } | { readonly kind: 'GlobalRules' };

/** The PromQL placeholder each error-ratio template carries for its range, e.g. `[$window]`. */
export const WINDOW = '$window';

export interface SloThreshold {
  /** In the metric's own unit. */
  readonly value: number;
  readonly unit: 'ms' | 's';
  readonly metric: string;
  /** The `le` label value as the source exposes it. */
  readonly le: string;
}

export interface SloPlan {
  /** Unique per environment: `<service or route>-<sli>`; the `slo` label of every series and alert. */
  readonly name: string;
  /** The alert both severities fire as (its runbook is `docs/runbooks/<env>/<alert>.md`). */
  readonly alert: string;
  readonly service: string;
  /** The namespace of the workload the objective protects (the edge's for ingest routes and the GLB). */
  readonly namespace: string;
  readonly route?: string;
  readonly protocol: RoutePlan['protocol'] | 'glb' | 'pubsub';
  readonly sli: SliKind;
  readonly source: SliSource | 'glb';
  /** Percent. */
  readonly objective: number;
  readonly threshold?: SloThreshold;
  /** Event consumers: the oldest unacked message's age limit, in seconds. */
  readonly maxAgeSec?: number;
  readonly subscriptions?: readonly string[];
  readonly scope: RulesScope;
  /**
   * `ratio`: `errorRatio` is a PromQL ratio over `[$window]`. `time-slice`: `badNow` is 1 while
   * the objective is missed, 0 otherwise, and each window's ratio is its average over time.
   */
  readonly mode: 'ratio' | 'time-slice';
  readonly errorRatio?: string;
  readonly badNow?: string;
  /** Requests per second over `[$window]` (absent for time slices): what the dashboard draws. */
  readonly traffic?: string;
  readonly severities: readonly Severity[];
  /** What the SLI counts, in one sentence (summaries, runbooks, `npm run slos`). */
  readonly description: string;
}

export interface BurnWindow {
  readonly long: string;
  readonly short: string;
  /** Burn rate: how many times faster than the budget allows (1 = the budget lasts exactly the period). */
  readonly factor: number;
}

/** The SRE workbook's multi-window, multi-burn-rate alerts for a 30-day budget. */
export const BURN_WINDOWS: Readonly<Record<Severity, readonly BurnWindow[]>> = {
  page: [
    { long: '1h', short: '5m', factor: 14.4 },
    { long: '6h', short: '30m', factor: 6 },
  ],
  ticket: [
    { long: '1d', short: '2h', factor: 3 },
    { long: '3d', short: '6h', factor: 1 },
  ],
};

/** Every window a recording rule is needed for, shortest first. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export const PERIOD_WINDOW = `${SLO_PERIOD_DAYS}d`;

export interface SaturationAlert {
  readonly alert: string;
  readonly scope: RulesScope;
  readonly expr: string;
  readonly for: string;
  readonly severity: Severity;
  readonly service: string;
  readonly summary: string;
  readonly description: string;
}

export interface ObservabilityPlan {
  readonly env: string;
  readonly projectId: string;
  readonly slos: readonly SloPlan[];
  readonly saturation: readonly SaturationAlert[];
  /** `gateway_request_duration_seconds` buckets: the base set plus every gateway route's threshold. */
  readonly gatewayBucketsSec: readonly number[];
  readonly alerting: {
    readonly page?: AlertChannel;
    readonly ticket?: AlertChannel;
    readonly runbookBaseUrl: string;
  };
  /** Namespaces whose Istio sidecars are scraped (the servers of mesh-measured objectives). */
  readonly sidecarNamespaces: readonly string[];
  readonly dashboardName: string;
  readonly alertmanager: AlertmanagerPlan;
}

const GRPC_SERVER_ERRORS = '2|4|12|13|14|15'; // UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS

/** `orders-api-availability` → `OrdersApiAvailabilityBudgetBurn`. */
function alertName(name: string, suffix: string): string {
  return `${name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}${suffix}`;
}

/** `(errors or 0 * total) / total`: no errors counted yet reads 0, no traffic reads NaN (never alerts). */
function ratio(errors: string, total: string): string {
  return `(${errors} or 0 * ${total}) / ${total}`;
}

function rate(selector: string): string {
  return `sum(rate(${selector}[${WINDOW}]))`;
}

function gatewayErrorCodes(protocol: RoutePlan['protocol']): string {
  if (protocol === 'grpc') return GRPC_SERVER_ERRORS;
  if (protocol === 'websocket' || protocol === 'sse') return '5..|aborted';
  return '5..';
}

function requestDescription(protocol: RoutePlan['protocol']): string {
  if (protocol === 'websocket') return 'WebSocket sessions that end normally (a failed handshake or a cut session counts against it)';
  if (protocol === 'sse') return 'SSE streams that end normally (a failed request or a cut stream counts against it)';
  if (protocol === 'grpc') return 'gRPC calls that end without a server-side status (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS)';
  if (protocol === 'events') return 'event POSTs answered without a 5xx (published, or refused for the client\'s fault)';
  return 'requests answered without a 5xx';
}

function thresholdOf(source: 'gateway' | 'kong' | 'istio', thresholdMs: number): SloThreshold {
  if (source === 'gateway') {
    const value = thresholdMs / 1000;
    return { value, unit: 's', metric: LATENCY_METRIC.gateway, le: String(value) };
  }
  return { value: thresholdMs, unit: 'ms', metric: LATENCY_METRIC[source], le: String(thresholdMs) };
}

/** What differs between request SLIs of one subject (a route at its proxy, a service at its sidecar). */
interface RequestSli {
  /** The SLO name prefix: the route or service name. */
  readonly subject: string;
  readonly common: Pick<SloPlan, 'service' | 'namespace' | 'route' | 'protocol' | 'source' | 'scope' | 'mode' | 'severities'>;
  /** Request rates over `[$window]`: the failed ones and all of them. */
  readonly errors: string;
  readonly total: string;
  readonly latencySource: 'gateway' | 'kong' | 'istio';
  /** The label matchers (without braces) that select the subject's series of the latency histogram. */
  readonly latencyMatchers: string;
  readonly availabilityDescription: string;
  readonly latencyDescription: (thresholdMs: number, metric: string) => string;
}

/** The availability and latency objectives of one request/response subject, as resolved. */
function requestSlos(resolved: ResolvedSlo, sli: RequestSli): SloPlan[] {
  const out: SloPlan[] = [];
  if (resolved.availability !== undefined) {
    const name = `${sli.subject}-availability`;
    out.push({
      ...sli.common,
      name,
      alert: alertName(name, 'BudgetBurn'),
      sli: 'availability',
      objective: resolved.availability,
      errorRatio: ratio(sli.errors, sli.total),
      traffic: sli.total,
      description: sli.availabilityDescription,
    });
  }
  if (resolved.latency) {
    const name = `${sli.subject}-latency`;
    const threshold = thresholdOf(sli.latencySource, resolved.latency.thresholdMs);
    const good = rate(`${threshold.metric}_bucket{${sli.latencyMatchers},le="${threshold.le}"}`);
    const count = rate(`${threshold.metric}_count{${sli.latencyMatchers}}`);
    out.push({
      ...sli.common,
      name,
      alert: alertName(name, 'BudgetBurn'),
      sli: 'latency',
      objective: resolved.latency.percent,
      threshold,
      errorRatio: `1 - ${good} / ${count}`,
      traffic: count,
      description: sli.latencyDescription(resolved.latency.thresholdMs, threshold.metric),
    });
  }
  return out;
}

function severitiesOf(resolved: ResolvedSlo): Severity[] {
  return resolved.page ? ['page', 'ticket'] : ['ticket'];
}

function routeSlos(route: RoutePlan, resolved: ResolvedSlo, serviceName: string, namespace: string, edgeNamespace: string): SloPlan[] {
  const source = route.via; // the proxy that answers the route
  const requests = source === 'gateway' ? 'gateway_requests_total' : 'kong_http_requests_total';
  const errorCodes = source === 'gateway' ? gatewayErrorCodes(route.protocol) : '5..';
  const at = source === 'gateway' ? 'the edge gateway' : 'Kong';
  const matchers = `route="${route.name}"`;
  return requestSlos(resolved, {
    subject: route.name,
    common: { service: serviceName, namespace, route: route.name, protocol: route.protocol, source, scope: { kind: 'Rules', namespace: edgeNamespace }, mode: 'ratio', severities: severitiesOf(resolved) },
    errors: rate(`${requests}{${matchers},code=~"${errorCodes}"}`),
    total: rate(`${requests}{${matchers}}`),
    latencySource: source,
    latencyMatchers: matchers,
    availabilityDescription: `Share of ${requestDescription(route.protocol)} on route ${route.name} (${route.host}${route.pathPrefix}), at ${at}.`,
    latencyDescription: (ms, metric) => `Share of requests on route ${route.name} answered within ${ms} ms, from ${metric} at ${at}.`,
  });
}

function meshSlos(svc: Service, resolved: ResolvedSlo): SloPlan[] {
  const server = `reporter="destination",destination_service_name="${svc.name}",destination_service_namespace="${svc.namespace}"`;
  const errorsLabel = svc.protocol === 'grpc' ? `grpc_response_status=~"${GRPC_SERVER_ERRORS}"` : 'response_code=~"5.."';
  return requestSlos(resolved, {
    subject: svc.name,
    common: { service: svc.name, namespace: svc.namespace, protocol: svc.protocol, source: 'istio', scope: { kind: 'Rules', namespace: svc.namespace }, mode: 'ratio', severities: severitiesOf(resolved) },
    errors: rate(`istio_requests_total{${server},${errorsLabel}}`),
    total: rate(`istio_requests_total{${server}}`),
    latencySource: 'istio',
    latencyMatchers: server,
    availabilityDescription: `Share of in-mesh ${svc.protocol === 'grpc' ? 'gRPC calls without a server-side status' : 'requests without a 5xx'} to ${svc.name}, at its own sidecar (Istio's standard metrics).`,
    latencyDescription: (ms) => `Share of in-mesh requests to ${svc.name} answered within ${ms} ms, at its own sidecar.`,
  });
}

/** Cloud Monitoring's Pub/Sub metrics, as GMP's PromQL names them. */
export const PUBSUB_OLDEST_AGE = 'pubsub_googleapis_com:subscription_oldest_unacked_message_age';
export const PUBSUB_DEAD_LETTERS = 'pubsub_googleapis_com:subscription_dead_letter_message_count';
export const PUBSUB_BACKLOG = 'pubsub_googleapis_com:subscription_num_undelivered_messages';
export const GLB_REQUESTS = 'loadbalancing_googleapis_com:https_request_count';

function subscriptionSelector(subs: readonly string[]): string {
  const ids = subs.length === 1 ? `subscription_id="${subs[0]}"` : `subscription_id=~"${subs.join('|')}"`;
  return `{monitored_resource="pubsub_subscription",${ids}}`;
}

function consumerSlos(svc: Service, resolved: ResolvedSlo): SloPlan[] {
  if (!resolved.freshness || svc.subscribes.length === 0) return [];
  const name = `${svc.name}-freshness`;
  const subs = [...svc.subscribes].sort();
  return [
    {
      name,
      alert: alertName(name, 'BudgetBurn'),
      service: svc.name,
      namespace: svc.namespace,
      protocol: 'pubsub',
      sli: 'freshness',
      source: 'pubsub',
      objective: resolved.freshness.percent,
      maxAgeSec: resolved.freshness.maxAgeSec,
      subscriptions: subs,
      scope: { kind: 'GlobalRules' },
      mode: 'time-slice',
      badNow: `max(${PUBSUB_OLDEST_AGE}${subscriptionSelector(subs)}) > bool ${resolved.freshness.maxAgeSec}`,
      severities: severitiesOf(resolved),
      description: `Share of minutes in which the oldest unacked message of ${subs.join(', ')} is younger than ${resolved.freshness.maxAgeSec} s (Cloud Monitoring's Pub/Sub metrics).`,
    },
  ];
}

export function planObservability(env: Environment, routes: readonly RoutePlan[], edge: EdgePlan): ObservabilityPlan {
  const edgeNamespace = edge.namespace;
  const slos: SloPlan[] = [];
  const sidecarNamespaces = new Set<string>();
  const byService = new Map(env.services.map((s) => [s.name, s]));
  for (const route of routes) {
    const svc = route.upstream ? byService.get(route.upstream.service) : undefined;
    if (svc) slos.push(...routeSlos(route, resolveServiceSlo(env.tier, svc), svc.name, svc.namespace, edgeNamespace));
    else if (route.protocol === 'events') slos.push(...routeSlos(route, resolveIngestSlo(env.tier), route.name, edgeNamespace, edgeNamespace));
  }
  for (const svc of env.services) {
    if (svc.route) continue; // answered at the edge
    const resolved = resolveServiceSlo(env.tier, svc);
    if (svc.kind === 'event-consumer') slos.push(...consumerSlos(svc, resolved));
    else {
      slos.push(...meshSlos(svc, resolved));
      sidecarNamespaces.add(svc.namespace);
    }
  }
  // The edge as a whole, at the GLB: every request the platform answered publicly.
  const edgeSlo = resolveIngestSlo(env.tier);
  const glbSel = (extra: string): string => `${GLB_REQUESTS}{monitored_resource="https_lb_rule"${extra}}`;
  slos.push({
    name: 'edge-availability',
    alert: 'EdgeAvailabilityBudgetBurn',
    service: 'edge',
    namespace: edgeNamespace,
    protocol: 'glb',
    sli: 'availability',
    source: 'glb',
    objective: edgeSlo.availability ?? 99.9,
    scope: { kind: 'GlobalRules' },
    mode: 'ratio',
    errorRatio: ratio(rate(glbSel(',response_code_class="500"')), rate(glbSel(''))),
    traffic: rate(glbSel('')),
    severities: severitiesOf(edgeSlo),
    description: `Share of requests the global load balancer answered without a 5xx, for every route of ${env.name} (Cloud Monitoring's load-balancer metrics).`,
  });

  const gatewayBucketsSec = edge.gateway.durationBucketsSec;

  const saturation: SaturationAlert[] = [];
  for (const svc of env.services.filter((s) => s.kind === 'event-consumer' && s.subscribes.length > 0)) {
    const subs = [...svc.subscribes].sort();
    saturation.push({
      alert: alertName(`${svc.name}-dead-letters`, ''),
      scope: { kind: 'GlobalRules' },
      expr: `sum(rate(${PUBSUB_DEAD_LETTERS}${subscriptionSelector(subs)}[10m])) > 0`,
      for: '0m',
      severity: 'ticket',
      service: svc.name,
      summary: `${svc.name} in ${env.name}: messages of ${subs.join(', ')} are going to the dead-letter topic`,
      description: 'A message that exhausted its delivery attempts was forwarded to the dead-letter topic: it will not be processed until it is replayed.',
    });
  }
  if (env.gke.gpuPools.length > 0) {
    saturation.push(
      {
        alert: 'GpuDutyCycleSaturated',
        scope: { kind: 'ClusterRules' },
        // Whole GPUs report DCGM_FI_DEV_GPU_UTIL (percent); MIG partitions report nothing there, only
        // the profiling field DCGM_FI_PROF_GR_ENGINE_ACTIVE (a ratio), so both are read.
        expr: 'max by (node) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[15m])) > 90 or max by (node) (avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE[15m])) > 0.9',
        for: '15m',
        severity: 'ticket',
        service: 'gpu-pools',
        summary: `GPUs of {{ $labels.node }} in ${env.name} have averaged over 90 % busy for 15 minutes, and stayed there for 15 more: inference latency will follow`,
        description: 'GKE managed DCGM metrics: the GPU duty cycle is near its ceiling; the inference HPA scales on it, so replicas are at their limit or the pool cannot grow.',
      },
      {
        alert: 'GpuMemoryNearlyFull',
        scope: { kind: 'ClusterRules' },
        expr: 'max by (node) (DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)) > 0.95',
        for: '10m',
        severity: 'ticket',
        service: 'gpu-pools',
        summary: `GPU memory of {{ $labels.node }} in ${env.name} is over 95 % used`,
        description: 'GKE managed DCGM metrics: framebuffer memory is nearly exhausted; the next model load or batch will fail with out-of-memory.',
      },
    );
  }
  const alerting = env.observability.alerting;
  return {
    env: env.name,
    projectId: env.gcp.projectId,
    slos,
    saturation,
    gatewayBucketsSec,
    alerting: {
      ...(alerting.page ? { page: alerting.page } : {}),
      ...(alerting.ticket ? { ticket: alerting.ticket } : {}),
      runbookBaseUrl: alerting.runbookBaseUrl,
    },
    sidecarNamespaces: [...sidecarNamespaces].sort(),
    dashboardName: `${env.name}-platform-slos`,
    alertmanager: planAlertmanager(env),
  };
}

export function runbookPath(env: string, alert: string): string {
  return `docs/runbooks/${env}/${alert}.md`;
}

export function runbookUrl(plan: ObservabilityPlan, alert: string): string {
  return `${plan.alerting.runbookBaseUrl.replace(/\/+$/, '')}/${runbookPath(plan.env, alert)}`;
}

/** The recorded series of one SLO's error ratio over `window` (sloth's naming). */
export function errorRatioRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}
