// A validated route table turned into what the hot path needs: per-listener matchers with
// routes pre-sorted by prefix length, and per route its authenticator, limiter, metrics, pool.
import type { Authenticator } from './route-authenticator.ts';
import { JwksCache, createAuthenticator } from './route-authenticator.ts';
import type { GatewayMetrics, Protocol, RouteMetrics } from './gateway-metrics.ts';
import type { GatewayRoute, GatewayRoutes } from './route-table.ts';
import { TokenBucketLimiter } from './token-bucket.ts';
import { compileEventValidator, type BodyValidator } from './event-validator.ts';

export interface CompiledRoute {
  readonly config: GatewayRoute;
  readonly name: string;
  readonly kind: GatewayRoute['kind'];
  readonly prefix: string;
  /** `http://host:port` of the upstream, undefined for events routes. */
  readonly origin: string | undefined;
  /** Host header value for the upstream (`host:port`). */
  readonly upstreamHost: string | undefined;
  readonly poolKey: string | undefined;
  readonly authenticator: Authenticator;
  readonly limiter: TokenBucketLimiter | undefined;
  readonly metrics: RouteMetrics;
  /** An events route's contract check, compiled once per table load; undefined without a schema. */
  readonly validator: BodyValidator | undefined;
}

function protocolOf(kind: GatewayRoute['kind']): Protocol {
  return kind;
}

/** Segment-aware prefix match: `/ws/chat` matches `/ws/chat`, `/ws/chat/x`, `/ws/chat?q`, not `/ws/chatter`. */
function prefixMatches(prefix: string, path: string): boolean {
  if (!path.startsWith(prefix)) return false;
  if (path.length === prefix.length || prefix.endsWith('/')) return true;
  const next = path.charCodeAt(prefix.length);
  return next === 47 /* / */ || next === 63 /* ? */;
}

export class RouteMatcher {
  private readonly byHost = new Map<string, CompiledRoute[]>();
  private readonly anyHost: CompiledRoute[];

  constructor(routes: CompiledRoute[]) {
    // Longest prefix wins; on equal prefixes a route naming the host beats a host-less one.
    const sorted = [...routes].sort(
      (a, b) => b.prefix.length - a.prefix.length || Number(b.config.match.host !== undefined) - Number(a.config.match.host !== undefined),
    );
    this.anyHost = sorted.filter((r) => r.config.match.host === undefined);
    const hosts = new Set(sorted.flatMap((r) => (r.config.match.host === undefined ? [] : [r.config.match.host])));
    for (const host of hosts) {
      this.byHost.set(host, sorted.filter((r) => r.config.match.host === undefined || r.config.match.host === host));
    }
  }

  /** `host` may carry a port and any case; `path` may carry a query string. */
  match(host: string | undefined, path: string): CompiledRoute | undefined {
    let candidates = this.anyHost;
    if (host !== undefined && this.byHost.size > 0) {
      let bare = host;
      const colon = bare.lastIndexOf(':');
      if (colon > 0 && bare.indexOf(']') < colon) bare = bare.slice(0, colon);
      candidates = this.byHost.get(bare.toLowerCase()) ?? this.anyHost;
    }
    for (let i = 0; i < candidates.length; i++) {
      const route = candidates[i] as CompiledRoute;
      if (prefixMatches(route.prefix, path)) return route;
    }
    return undefined;
  }
}

export interface CompiledTable {
  readonly table: GatewayRoutes;
  readonly http1: RouteMatcher;
  readonly h2c: RouteMatcher;
  readonly routes: readonly CompiledRoute[];
  readonly poolKeys: Set<string>;
}

/**
 * A route's limiter survives a reload when its rate limit did not change: a ConfigMap update
 * (any route) must not hand every client a fresh burst.
 */
function limiterFor(config: GatewayRoute, previous: CompiledTable | undefined): TokenBucketLimiter | undefined {
  const limit = config.rateLimit;
  if (limit === undefined) return undefined;
  const before = previous?.routes.find((r) => r.name === config.name);
  const same = before?.config.rateLimit?.requestsPerSecond === limit.requestsPerSecond && before.config.rateLimit.burst === limit.burst;
  return same && before?.limiter !== undefined ? before.limiter : new TokenBucketLimiter(limit.requestsPerSecond, limit.burst);
}

export async function compileRoutes(
  table: GatewayRoutes,
  deps: { metrics: GatewayMetrics; jwks: JwksCache; previous?: CompiledTable },
): Promise<CompiledTable> {
  const compiled: CompiledRoute[] = [];
  for (const config of table.routes) {
    let authenticator: Authenticator;
    try {
      authenticator = await createAuthenticator(config.auth, deps.jwks);
    } catch (err) {
      throw new Error(`route ${config.name}: auth: ${err instanceof Error ? err.message : String(err)}`);
    }
    let validator: BodyValidator | undefined;
    try {
      validator = config.schema === undefined ? undefined : compileEventValidator(config.schema);
    } catch (err) {
      throw new Error(`route ${config.name}: schema: ${err instanceof Error ? err.message : String(err)}`);
    }
    const url = config.upstream === undefined ? undefined : new URL(config.upstream.url);
    const origin = url?.origin;
    compiled.push({
      config,
      name: config.name,
      kind: config.kind,
      prefix: config.match.pathPrefix,
      origin,
      upstreamHost: url?.host,
      poolKey: origin === undefined ? undefined : `${origin} ${config.timeouts.connectMs}`,
      authenticator,
      limiter: limiterFor(config, deps.previous),
      metrics: deps.metrics.forRoute(config.name, protocolOf(config.kind)),
      validator,
    });
  }
  return {
    table,
    routes: compiled,
    http1: new RouteMatcher(compiled.filter((r) => r.kind !== 'grpc')),
    h2c: new RouteMatcher(compiled.filter((r) => r.kind === 'grpc')),
    poolKeys: new Set(compiled.flatMap((r) => (r.poolKey === undefined || r.kind === 'grpc' ? [] : [r.poolKey]))),
  };
}
