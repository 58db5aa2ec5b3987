// Prometheus RED metrics per route and protocol, active connections, upstream errors.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DEFAULT_DURATION_BUCKETS_SECONDS } from './route-table.ts';

export type Protocol = 'http' | 'websocket' | 'sse' | 'grpc' | 'events';

/** Per-(route, protocol) handles, resolved once per route table so the hot path does no label lookups. */
export interface RouteMetrics {
  observe(code: number | string, seconds: number): void;
  upstreamError(reason: string): void;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'protocol' | 'code'>;
  private duration: Histogram<'route' | 'protocol'>;
  private durationBuckets: readonly number[] = DEFAULT_DURATION_BUCKETS_SECONDS;
  /** Bumped when the buckets change: route handles re-resolve their histogram child. */
  private durationGeneration = 0;
  private readonly upstreamErrors: Counter<'route' | 'protocol' | 'reason'>;
  private readonly active: Gauge<'protocol'>;
  private readonly reloads: Counter<'result'>;
  private readonly routeCache = new Map<string, RouteMetrics>();

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'gateway_requests_total', help: 'Requests by route, protocol and code: the HTTP status, the grpc-status for gRPC, 101 for a finished WebSocket session, aborted for a cut stream. Streams and sessions count once, when they end.', labelNames: ['route', 'protocol', 'code'], registers });
    this.duration = this.durationHistogram(DEFAULT_DURATION_BUCKETS_SECONDS);
    this.upstreamErrors = new Counter({ name: 'gateway_upstream_errors_total', help: 'Upstream failures by route, protocol and reason (connect, timeout, reset, refused-upgrade, publish).', labelNames: ['route', 'protocol', 'reason'], registers });
    this.active = new Gauge({ name: 'gateway_active_connections', help: 'Open client connections by protocol (http: HTTP/1.1 sockets, h2c: HTTP/2 sessions, websocket: tunnelled sessions).', labelNames: ['protocol'], registers });
    this.reloads = new Counter({ name: 'gateway_route_table_reloads_total', help: 'Route table loads by result (applied, rejected).', labelNames: ['result'], registers });
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
  }

  forRoute(route: string, protocol: Protocol): RouteMetrics {
    const key = `${route}\u0000${protocol}`;
    const cached = this.routeCache.get(key);
    if (cached !== undefined) return cached;
    // The handle re-reads the histogram after a bucket change (a route table with other buckets).
    const owner = this;
    let generation = this.durationGeneration;
    let hist = this.duration.labels(route, protocol);
    const counter = this.requests;
    const codes = new Map<string, ReturnType<typeof counter.labels>>();
    const errors = this.upstreamErrors;
    const metrics: RouteMetrics = {
      observe(code, seconds) {
        const c = String(code);
        let child = codes.get(c);
        if (child === undefined) {
          child = counter.labels(route, protocol, c);
          codes.set(c, child);
        }
        child.inc();
        if (generation !== owner.durationGeneration) {
          generation = owner.durationGeneration;
          hist = owner.duration.labels(route, protocol);
        }
        hist.observe(seconds);
      },
      upstreamError(reason) {
        errors.labels(route, protocol, reason).inc();
      },
    };
    this.routeCache.set(key, metrics);
    return metrics;
  }

  private durationHistogram(buckets: readonly number[]): Histogram<'route' | 'protocol'> {
    return new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time from request start to response end (stream and session lifetime included). Buckets come from the route table: every route latency objective is a boundary.',
      labelNames: ['route', 'protocol'],
      buckets: [...buckets],
      registers: [this.registry],
    });
  }

  /**
   * Applies a route table's buckets. A histogram's buckets cannot change in place: a new set
   * replaces it (its series restart from zero, which rate() reads as a counter reset).
   */
  useDurationBuckets(buckets: readonly number[]): void {
    if (buckets.length === this.durationBuckets.length && buckets.every((b, i) => b === this.durationBuckets[i])) return;
    this.registry.removeSingleMetric('gateway_request_duration_seconds');
    this.duration = this.durationHistogram(buckets);
    this.durationBuckets = [...buckets];
    this.durationGeneration += 1;
  }

  connectionOpened(protocol: 'http' | 'h2c' | 'websocket'): void {
    this.active.labels(protocol).inc();
  }

  connectionClosed(protocol: 'http' | 'h2c' | 'websocket'): void {
    this.active.labels(protocol).dec();
  }

  routeTableReload(result: 'applied' | 'rejected'): void {
    this.reloads.labels(result).inc();
  }
}
