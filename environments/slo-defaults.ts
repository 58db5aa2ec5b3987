/**
 * What an SLO is measured against, and its defaults by the service's kind and the environment's
 * tier. The histogram facts are the sources' own: an SLI's latency threshold must be one of its
 * metric's bucket boundaries, or the query silently measures another threshold.
 */
import type { ServiceKind } from './schema/primitives.ts';

type Tier = 'development' | 'staging' | 'production';

/**
 * Kong 3.9.3's prometheus plugin: `kong_request_latency_ms` uses UPSTREAM_LATENCY_BUCKETS
 * (kong/plugins/prometheus/exporter.lua at tag 3.9.3; fixed, not configurable), in milliseconds.
 */
export const KONG_REQUEST_LATENCY_BUCKETS_MS = [25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000] as const;

/** Istio's standard `istio_request_duration_milliseconds` (Envoy's default histogram buckets), in milliseconds. */
export const ISTIO_REQUEST_DURATION_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
] as const;

/**
 * The edge gateway's `gateway_request_duration_seconds` buckets before the route table adds each
 * route's latency threshold: the gateway's buckets are derived, so any threshold is a boundary.
 */
export const GATEWAY_BASE_BUCKETS_SEC = [0.005, 0.025, 0.1, 0.5, 2.5, 10, 60] as const;

/** The period every error budget is counted over (the SRE workbook's burn factors assume 30 days). */
export const SLO_PERIOD_DAYS = 30;

/** Availability objective by tier, then by kind where a kind needs less (GPU capacity, long streams). */
export const AVAILABILITY_DEFAULTS: Readonly<Record<Tier, Readonly<Partial<Record<ServiceKind, number>>> & { readonly default: number }>> = {
  production: { default: 99.9, streaming: 99.5, inference: 99.5 },
  staging: { default: 99.5, inference: 99 },
  development: { default: 99 },
};

/** Latency objective of request/response routes by kind (streams have none). */
export const LATENCY_DEFAULTS: Readonly<Partial<Record<ServiceKind | 'ingest', { readonly thresholdMs: number; readonly percent: number }>>> = {
  'public-api': { thresholdMs: 250, percent: 99 },
  'internal-api': { thresholdMs: 100, percent: 99 },
  inference: { thresholdMs: 5000, percent: 95 },
  ingest: { thresholdMs: 250, percent: 99 },
};

/** Event consumers: the oldest unacked message younger than 5 minutes in 99 % of minutes. */
export const FRESHNESS_DEFAULT = { maxAgeSec: 300, percent: 99 } as const;

/** Development pages nobody: its alerts open tickets at most. */
export function pagesByDefault(tier: Tier): boolean {
  return tier !== 'development';
}

export function defaultAvailability(tier: Tier, kind: ServiceKind | 'ingest'): number {
  const byTier = AVAILABILITY_DEFAULTS[tier];
  return (kind !== 'ingest' ? byTier[kind] : undefined) ?? byTier.default;
}

/** Where an SLI is read: the proxy that answers the route, the server's sidecar, or Pub/Sub itself. */
export type SliSource = 'gateway' | 'kong' | 'istio' | 'pubsub';

/** The bucket boundaries (in ms) a source's latency histogram has; undefined = derived from the route table. */
export function latencyBucketsMs(source: SliSource): readonly number[] | undefined {
  if (source === 'kong') return KONG_REQUEST_LATENCY_BUCKETS_MS;
  if (source === 'istio') return ISTIO_REQUEST_DURATION_BUCKETS_MS;
  return undefined;
}

export const LATENCY_METRIC: Readonly<Record<'gateway' | 'kong' | 'istio', string>> = {
  gateway: 'gateway_request_duration_seconds',
  kong: 'kong_request_latency_ms',
  istio: 'istio_request_duration_milliseconds',
};

interface SloSubject {
  readonly kind: ServiceKind;
  readonly protocol: 'http' | 'grpc' | 'websocket' | 'sse';
  readonly route?: { readonly via: 'kong' | 'gateway' };
  readonly slo?: {
    readonly availability?: number | undefined;
    readonly latency?: { readonly thresholdMs: number; readonly percent: number } | false | undefined;
    readonly freshness?: { readonly maxAgeSec: number; readonly percent: number } | undefined;
    readonly page?: boolean | undefined;
  } | undefined;
}

/** A service's objectives with every default filled in. */
export interface ResolvedSlo {
  readonly source: SliSource;
  /** Absent for event consumers (they answer no requests: freshness is their objective). */
  readonly availability?: number;
  readonly latency?: { readonly thresholdMs: number; readonly percent: number };
  readonly freshness?: { readonly maxAgeSec: number; readonly percent: number };
  readonly page: boolean;
}

export function sliSource(svc: Pick<SloSubject, 'kind' | 'route'>): SliSource {
  if (svc.kind === 'event-consumer') return 'pubsub';
  if (svc.route) return svc.route.via;
  return 'istio';
}

/** Request/response: a latency objective makes sense (streams have lifetimes, not latencies). */
export function isRequestResponse(svc: Pick<SloSubject, 'kind' | 'protocol'>): boolean {
  return (svc.protocol === 'http' || svc.protocol === 'grpc') && svc.kind !== 'streaming' && svc.kind !== 'event-consumer';
}

export function resolveServiceSlo(tier: Tier, svc: SloSubject): ResolvedSlo {
  const source = sliSource(svc);
  const given = svc.slo ?? {};
  const page = given.page ?? pagesByDefault(tier);
  if (svc.kind === 'event-consumer') {
    return { source, freshness: given.freshness ?? FRESHNESS_DEFAULT, page };
  }
  const latencyDefault = LATENCY_DEFAULTS[svc.kind];
  const latency = given.latency === false ? undefined : (given.latency ?? (isRequestResponse(svc) ? latencyDefault : undefined));
  return {
    source,
    availability: given.availability ?? defaultAvailability(tier, svc.kind),
    ...(latency ? { latency } : {}),
    page,
  };
}

/** Ingest routes (on topics) are answered by the gateway: the platform's own defaults, no catalog field. */
export function resolveIngestSlo(tier: Tier): ResolvedSlo {
  return { source: 'gateway', availability: defaultAvailability(tier, 'ingest'), latency: LATENCY_DEFAULTS.ingest!, page: pagesByDefault(tier) };
}
