/**
 * The rendered edge configs as the EDGE rules read them: nginx.conf parsed into servers and
 * locations (each location knows the route its `set $edge_route <name>;` names), kong.yml
 * checked against the part of Kong's declarative format the rules read (with Kong's own
 * defaults filled), gateway-routes.json checked by the gateway's own schema. Parsed once per
 * artifacts object; malformed files throw an error naming the file and the field or line.
 */
import { z } from 'zod';
import { formatIssuePath, parseGatewayRoutes, type GatewayRoute } from '../../gateway/src/route-table.ts';
import type { CatalogRef, EdgeArtifacts } from '../engine.ts';
import { NginxScope, parseNginxConf, type NginxDirective } from '../nginx-conf.ts';

/** A Kong plugin entry; `route`/`service` only on top-level plugins (`name` or `{ name }`). */
const KongRef = z.union([z.string(), z.looseObject({ name: z.string() })]).transform((r) => (typeof r === 'string' ? r : r.name));
const KongPlugin = z.looseObject({
  name: z.string(),
  enabled: z.boolean().default(true),
  route: KongRef.optional(),
  service: KongRef.optional(),
});
// Defaults are Kong's (kong/db/schema/entities/routes.lua and services.lua).
const KongRoute = z.looseObject({
  name: z.string().optional(),
  protocols: z.array(z.string()).default(['http', 'https']),
  response_buffering: z.boolean().default(true),
  plugins: z.array(KongPlugin).default([]),
  service: KongRef.optional(),
});
const KongService = z.looseObject({
  name: z.string(),
  protocol: z.string().default('http'),
  host: z.string().optional(),
  url: z.string().optional(),
  read_timeout: z.number().int().positive().default(60_000),
  routes: z.array(KongRoute).default([]),
  plugins: z.array(KongPlugin).default([]),
});
const KongConfig = z.looseObject({
  _format_version: z.string(),
  services: z.array(KongService).default([]),
  routes: z.array(KongRoute).default([]),
  plugins: z.array(KongPlugin).default([]),
});

export type KongPluginEntry = z.infer<typeof KongPlugin>;
export type KongServiceEntry = z.infer<typeof KongService>;

/** One Kong route with its service and every plugin that applies to it (route, service, global). */
export interface KongRouteView {
  /** The route's name, or its service's when it has none: what nginx's `$edge_route` names. */
  readonly name: string;
  readonly service: KongServiceEntry;
  readonly protocols: readonly string[];
  readonly responseBuffering: boolean;
  readonly plugins: readonly KongPluginEntry[];
}

export interface ServerView {
  readonly directive: NginxDirective;
  readonly scope: NginxScope;
  /** The `listen` directives' arguments (`['8443', 'ssl', 'http2', 'default_server']`). */
  readonly listens: readonly (readonly string[])[];
  readonly serverNames: readonly string[];
}

export interface LocationView {
  readonly directive: NginxDirective;
  /** location → (enclosing locations →) server → http. */
  readonly scope: NginxScope;
  readonly server: ServerView;
  /** What the location's own `set $edge_route <name>;` names (undefined for `-` or none). */
  readonly route?: string;
  /** `location = /v1/orders` */
  readonly label: string;
}

export interface NginxView {
  readonly file: string;
  readonly http?: NginxDirective;
  readonly httpScope: NginxScope;
  readonly servers: readonly ServerView[];
  readonly locations: readonly LocationView[];
}

export interface EdgeView {
  readonly nginx?: NginxView;
  readonly kong?: { readonly file: string; readonly routes: readonly KongRouteView[] };
  readonly gateway?: { readonly file: string; readonly routes: readonly GatewayRoute[] };
}

/** The route a block's own `set $edge_route …;` names. */
function routeOf(block: readonly NginxDirective[]): string | undefined {
  const set = block.findLast((d) => d.name === 'set' && d.args[0] === '$edge_route');
  const name = set?.args[1];
  return name === undefined || name === '-' || name === '' ? undefined : name;
}

function nginxView(file: string, text: string): NginxView {
  const tree = parseNginxConf(text, file);
  const http = tree.find((d) => d.name === 'http');
  const httpScope = new NginxScope(http?.block ? [http.block, tree] : [tree]);
  const servers: ServerView[] = [];
  const locations: LocationView[] = [];
  const walkLocations = (block: readonly NginxDirective[], scope: NginxScope, server: ServerView): void => {
    for (const d of block) {
      if (d.name !== 'location' || !d.block) continue;
      const inner = scope.inner(d.block);
      const route = routeOf(d.block);
      locations.push({ directive: d, scope: inner, server, ...(route ? { route } : {}), label: `location ${d.args.join(' ')}` });
      walkLocations(d.block, inner, server);
    }
  };
  for (const d of http?.block ?? []) {
    if (d.name !== 'server' || !d.block) continue;
    const scope = httpScope.inner(d.block);
    const server: ServerView = {
      directive: d,
      scope,
      listens: d.block.filter((x) => x.name === 'listen').map((x) => x.args),
      serverNames: d.block.filter((x) => x.name === 'server_name').flatMap((x) => x.args),
    };
    servers.push(server);
    walkLocations(d.block, scope, server);
  }
  return { file, ...(http ? { http } : {}), httpScope, servers, locations };
}

function kongRoutes(file: string, config: unknown): KongRouteView[] {
  const parsed = KongConfig.safeParse(config);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${file}: ${formatIssuePath(i.path)}: ${i.message}`).join('\n'));
  }
  const { services, routes: topRoutes, plugins: topPlugins } = parsed.data;
  const views: KongRouteView[] = [];
  const add = (service: KongServiceEntry, route: z.infer<typeof KongRoute>): void => {
    const name = route.name ?? service.name;
    const applies = (p: KongPluginEntry): boolean =>
      (p.route === undefined || p.route === route.name) && (p.service === undefined || p.service === service.name);
    views.push({
      name,
      service,
      protocols: route.protocols,
      responseBuffering: route.response_buffering,
      plugins: [...route.plugins, ...service.plugins, ...topPlugins.filter(applies)].filter((p) => p.enabled),
    });
  };
  for (const service of services) for (const route of service.routes) add(service, route);
  topRoutes.forEach((route, i) => {
    const service = services.find((s) => s.name === route.service);
    if (!service) throw new Error(`${file}: routes[${i}].service: names no service in this file (${String(route.service)})`);
    add(service, route);
  });
  return views;
}

const cache = new WeakMap<EdgeArtifacts, EdgeView>();

/** The parsed edge configs of one environment (absent files stay absent). */
export function edgeView(edge: EdgeArtifacts): EdgeView {
  const cached = cache.get(edge);
  if (cached) return cached;
  const view: EdgeView = {
    ...(edge.nginx ? { nginx: nginxView(edge.nginx.file, edge.nginx.text) } : {}),
    ...(edge.kong ? { kong: { file: edge.kong.file, routes: kongRoutes(edge.kong.file, edge.kong.config) } } : {}),
    ...(edge.gatewayRoutes
      ? { gateway: { file: edge.gatewayRoutes.file, routes: parseGatewayRoutes(edge.gatewayRoutes.config, edge.gatewayRoutes.file).routes } }
      : {}),
  };
  cache.set(edge, view);
  return view;
}

/** Whether the location passes requests on (`proxy_pass`, `grpc_pass`, …) rather than answering itself. */
export function passesTo(location: { readonly scope: NginxScope }): NginxDirective | undefined {
  return location.scope.own('proxy_pass')[0] ?? location.scope.own('grpc_pass')[0] ?? ['fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'memcached_pass'].map((n) => location.scope.own(n)[0]).find((d) => d !== undefined);
}

/** `line 12`, or `line 3, inherited from server` for a directive a location inherits. */
export function where(directive: NginxDirective, location: LocationView): string {
  if (location.directive.block?.includes(directive)) return `line ${directive.line}`;
  const from = location.server.directive.block?.includes(directive)
    ? 'server'
    : location.scope.blocks.at(-1)?.includes(directive) || location.scope.blocks.at(-2)?.includes(directive)
      ? 'http'
      : 'an enclosing location';
  return `line ${directive.line}, inherited from ${from}`;
}

/**
 * The catalog entry behind a route, for report links: the service of the same name, or for an
 * ingest route (`kind: events`) its topic.
 */
export function catalogOf(view: EdgeView, route: string): CatalogRef {
  const events = view.gateway?.routes.find((r) => r.name === route && r.kind === 'events');
  const topic = events?.topic?.split('/').pop();
  return { name: topic ?? route };
}
