/**
 * The route report: every public route of an environment with its hops and timeouts, as rows
 * for the terminal table, as stable JSON, or as a Mermaid `flowchart LR` that GitHub renders
 * (README's request-path diagram is this output for prod). Pure: RoutePlan[] in, text out.
 */
import type { Protocol } from '../../environments/schema.ts';
import type { RoutePlan } from './route-plan.ts';
import { HOPS, type Hop } from './timeout-chain.ts';

/** The two GLB backends in front of Nginx: a WebSocket cannot ride HTTP/2, gRPC needs it (over TLS). */
export const GLB_BACKENDS = ['HTTP/1.1', 'HTTP/2-TLS'] as const;
export type GlbBackend = (typeof GLB_BACKENDS)[number];

export function glbBackendOf(protocol: RoutePlan['protocol']): GlbBackend {
  return protocol === 'grpc' ? 'HTTP/2-TLS' : 'HTTP/1.1';
}

/**
 * One route in `npm run routes -- --format json` (the output is an array of these, in the
 * plan's order: longest path prefix first). Every key is always present (absent = null), in
 * this order, so the JSON diffs cleanly. Timeouts are in seconds, per hop from the outside in.
 */
export interface RouteReportEntry {
  /** The route's name (Kong route/service name, gateway route name). */
  readonly name: string;
  readonly host: string;
  readonly pathPrefix: string;
  /** `events` = the edge gateway publishes the body to a Pub/Sub topic and answers 202. */
  readonly protocol: Protocol | 'events';
  /** Which proxy Nginx hands the route to. */
  readonly via: 'kong' | 'gateway';
  /** Which GLB backend (Nginx listener) carries it. */
  readonly glbBackend: GlbBackend;
  /** `address` is `service.namespace:port`. */
  readonly upstream:
    | { readonly kind: 'service'; readonly service: string; readonly namespace: string; readonly port: number; readonly address: string }
    | { readonly kind: 'pubsub-topic'; readonly topic: string };
  /** Per hop, outside in; `proxy` is Kong or the edge gateway (whichever `via` names). */
  readonly timeouts: Readonly<Record<'glb' | 'nginx' | 'proxy' | 'service', ReportedHop>>;
  readonly auth:
    | { readonly type: 'jwt'; readonly issuer: string; readonly audiences: readonly string[]; readonly jwksUri: string }
    | { readonly type: 'key-auth' }
    | { readonly type: 'none'; readonly reason: string };
  readonly rateLimit: { readonly requestsPerMinute: number; readonly burst: number | null } | null;
  /** Request body limit; null = none set (the plan's 0 or absent). */
  readonly maxBodyBytes: number | null;
}

/** One hop's limits in the report, seconds. */
export interface ReportedHop {
  /** Whole request, or a stream's whole life. */
  readonly totalSec: number;
  /** Longest silence on an open stream. */
  readonly idleSec: number;
}

/** Hops from the outside in: the order a request meets them. */
const OUTSIDE_IN: readonly Hop[] = [...HOPS].reverse();

function upstreamOf(route: RoutePlan): RouteReportEntry['upstream'] {
  if (route.upstream) {
    const { service, namespace, url } = route.upstream;
    const parsed = new URL(url);
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    return { kind: 'service', service, namespace, port, address: `${service}.${namespace}:${port}` };
  }
  if (route.topic) return { kind: 'pubsub-topic', topic: route.topic };
  throw new Error(`route ${route.name}: has neither an upstream service nor a Pub/Sub topic`);
}

function authOf(route: RoutePlan): RouteReportEntry['auth'] {
  const { auth } = route;
  switch (auth.type) {
    case 'jwt':
      return { type: 'jwt', issuer: auth.issuer, audiences: [...auth.audiences], jwksUri: auth.jwksUri };
    case 'key-auth':
      return { type: 'key-auth' };
    case 'none':
      return { type: 'none', reason: auth.reason };
  }
}

export function reportEntry(route: RoutePlan): RouteReportEntry {
  const timeouts = Object.fromEntries(
    OUTSIDE_IN.map((hop) => [hop, { totalSec: route.timeouts[hop].totalSec, idleSec: route.timeouts[hop].idleSec }]),
  ) as Record<Hop, ReportedHop>;
  return {
    name: route.name,
    host: route.host,
    pathPrefix: route.pathPrefix,
    protocol: route.protocol,
    via: route.via,
    glbBackend: glbBackendOf(route.protocol),
    upstream: upstreamOf(route),
    timeouts,
    auth: authOf(route),
    rateLimit: route.rateLimit ? { requestsPerMinute: route.rateLimit.requestsPerMinute, burst: route.rateLimit.burst ?? null } : null,
    maxBodyBytes: route.maxBodyBytes ? route.maxBodyBytes : null,
  };
}

/** `--format json`: the entries, in plan order, two-space indented. */
export function routesJson(routes: readonly RoutePlan[]): string {
  return JSON.stringify(routes.map(reportEntry), null, 2);
}

// ---------------------------------------------------------------------------------------------
// Table

export const ROUTE_TABLE_HEADERS = [
  'path',
  'host',
  'protocol',
  'via',
  'upstream',
  'glb',
  'nginx',
  'proxy',
  'service',
  'auth',
  'rate limit',
] as const;

/** Printed under the table: what the timeout cells mean. */
export const ROUTE_TABLE_LEGEND =
  'timeouts: total/idle seconds per hop, outside in (glb ≥ nginx ≥ proxy (kong or gateway) ≥ service)';

function authCell(auth: RouteReportEntry['auth']): string {
  switch (auth.type) {
    case 'jwt':
      return `jwt ${auth.issuer}`;
    case 'key-auth':
      return 'key-auth';
    case 'none':
      return `none: ${auth.reason}`;
  }
}

function rateLimitCell(rateLimit: RouteReportEntry['rateLimit']): string {
  if (!rateLimit) return '-';
  return `${rateLimit.requestsPerMinute}/min${rateLimit.burst === null ? '' : ` burst ${rateLimit.burst}`}`;
}

/** `--format table`: one row per route, in plan order, cells matching ROUTE_TABLE_HEADERS. */
export function routeRows(routes: readonly RoutePlan[]): string[][] {
  return routes.map((route) => {
    const e = reportEntry(route);
    const hop = (h: Hop): string => `${e.timeouts[h].totalSec}/${e.timeouts[h].idleSec}`;
    return [
      e.pathPrefix,
      e.host,
      e.protocol,
      e.via,
      e.upstream.kind === 'service' ? e.upstream.address : e.upstream.topic,
      hop('glb'),
      hop('nginx'),
      hop('proxy'),
      hop('service'),
      authCell(e.auth),
      rateLimitCell(e.rateLimit),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Mermaid

/**
 * Text inside a quoted Mermaid label: `"` would end the label, `#…;` is Mermaid's entity syntax,
 * `<`/`>`/`&` would be read as HTML, `|` ends an edge label, a leading backtick starts a
 * Markdown string. Each becomes an entity code; newlines become spaces.
 */
export function escapeMermaidLabel(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/&/g, '#amp;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;')
    .replace(/[\r\n]+/g, ' ');
}

/** Label lines (each escaped) joined with Mermaid's line break. */
const label = (...lines: string[]): string => `"${lines.map(escapeMermaidLabel).join('<br/>')}"`;

/** A Mermaid node id from any name: letters, digits and `_` only (`-` `.` `/` … become `_`). */
export function mermaidId(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Hands out ids: one per key, a numbered suffix when two keys sanitise to the same id. */
class IdAllocator {
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Set<string>(['client', 'glb', 'nginx', 'kong', 'gateway']);

  idFor(key: string, prefix: string, name: string): { id: string; isNew: boolean } {
    const known = this.byKey.get(key);
    if (known) return { id: known, isNew: false };
    const base = mermaidId(prefix, name);
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}_${n}`;
    this.taken.add(id);
    this.byKey.set(key, id);
    return { id, isNew: true };
  }
}

const BACKEND_CARRIES: Readonly<Record<GlbBackend, string>> = {
  'HTTP/1.1': 'REST, WebSocket, SSE, ingest',
  'HTTP/2-TLS': 'gRPC',
};

/**
 * What a route's edge says about time: for a request, the GLB's whole-response timeout; for a
 * stream, the longest silence Nginx allows (the GLB times no silence) and the longest life the
 * GLB allows (its timeoutSec is a stream's whole lifetime). Every inner hop is shorter.
 */
export function edgeTimeouts(route: RoutePlan): string {
  const { glb, nginx } = route.timeouts;
  if (route.protocol === 'http' || route.protocol === 'events') return `total ${glb.totalSec}s`;
  return `idle ${nginx.idleSec}s/life ${glb.totalSec}s`;
}

/**
 * `--format mermaid`: client → GLB (both backends) → Nginx → Kong / edge gateway → each service
 * (or the Pub/Sub topic of an ingest route), route edges labelled `path · protocol · timeouts`.
 * Deterministic: nodes and edges follow the plan's route order.
 */
export function routesMermaid(routes: readonly RoutePlan[]): string {
  const ids = new IdAllocator();
  const hosts = [...new Set(routes.map((r) => r.host))];
  const backends = GLB_BACKENDS.filter((b) => routes.some((r) => glbBackendOf(r.protocol) === b));
  const proxies = (['kong', 'gateway'] as const).filter((p) => routes.some((r) => r.via === p));

  const nodes: string[] = [
    `  client([${label('client')}])`,
    `  glb[${label('GCP global external ALB', 'Cloud Armor WAF, managed TLS', ...GLB_BACKENDS.map((b) => `backend ${b}: ${BACKEND_CARRIES[b]}`))}]`,
    `  nginx[${label('Nginx L7')}]`,
  ];
  if (proxies.includes('kong')) nodes.push(`  kong[${label('Kong', 'DB-less')}]`);
  if (proxies.includes('gateway')) nodes.push(`  gateway[${label('edge gateway')}]`);

  const edges: string[] = [
    `  client -->|${label(hosts.length > 0 ? `HTTPS ${hosts.join(', ')}` : 'HTTPS')}| glb`,
    ...backends.map((b) => `  glb -->|${label(b)}| nginx`),
    ...proxies.map((p) => `  nginx --> ${p}`),
  ];

  for (const route of routes) {
    const entry = reportEntry(route);
    let target: string;
    if (entry.upstream.kind === 'service') {
      const { service, namespace, address } = entry.upstream;
      const node = ids.idFor(`service:${namespace}/${service}`, 'svc', `${namespace}_${service}`);
      if (node.isNew) nodes.push(`  ${node.id}[${label(address)}]`);
      target = node.id;
    } else {
      const { topic } = entry.upstream;
      const node = ids.idFor(`topic:${topic}`, 'topic', topic.split('/').pop() ?? topic);
      if (node.isNew) nodes.push(`  ${node.id}[(${label('Pub/Sub topic', topic)})]`);
      target = node.id;
    }
    edges.push(`  ${route.via} -->|${label(`${route.pathPrefix} · ${route.protocol} · ${edgeTimeouts(route)}`)}| ${target}`);
  }

  return ['flowchart LR', ...nodes, ...edges].join('\n');
}
