/**
 * How EDGE findings name their targets, and where those targets are in the files (for reports
 * that link to a line): `nginx.conf#<route>` (a route's locations), `nginx.conf#http`,
 * `nginx.conf#server/<listen>/<server_name>` (and `…/location <args>` for a location that is
 * no route), `kong.yml#services/<name>`, `gateway-routes.json#routes/<name>`.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar } from 'yaml';
import type { EnvironmentArtifacts, Target } from '../engine.ts';
import type { NginxDirective } from '../nginx-conf.ts';
import { parseNginxConf } from '../nginx-conf.ts';
import type { ServerView } from './edge-configs.ts';

export const nginxRouteAddress = (route: string): string => `nginx.conf#${route}`;
export const NGINX_HTTP_ADDRESS = 'nginx.conf#http';
export const kongServiceAddress = (service: string): string => `kong.yml#services/${service}`;
export const gatewayRouteAddress = (route: string): string => `gateway-routes.json#routes/${route}`;

function serverPart(server: Pick<ServerView, 'listens' | 'serverNames'>): string {
  return `server/${server.listens[0]?.[0] ?? '-'}/${server.serverNames[0] ?? '-'}`;
}

export const nginxServerAddress = (server: Pick<ServerView, 'listens' | 'serverNames'>): string => `nginx.conf#${serverPart(server)}`;

/** A route's address for a route location, else the location within its server. */
export function nginxLocationAddress(location: {
  readonly route?: string;
  readonly server: Pick<ServerView, 'listens' | 'serverNames'>;
  readonly directive: Pick<NginxDirective, 'args'>;
}): string {
  return location.route ? nginxRouteAddress(location.route) : `nginx.conf#${serverPart(location.server)}/location ${location.directive.args.join(' ')}`;
}

/** The target of a finding in one of the environment's edge files. */
export function edgeTarget(artifacts: EnvironmentArtifacts, file: 'nginx' | 'kong' | 'gatewayRoutes', address: string): Target {
  const fallback = { nginx: 'nginx.conf', kong: 'kong.yml', gatewayRoutes: 'gateway-routes.json' }[file];
  return { env: artifacts.env, file: artifacts.edge[file]?.file ?? `dist/${artifacts.env}/edge/${fallback}`, address };
}

function nginxLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const tree = parseNginxConf(text);
  const http = tree.find((d) => d.name === 'http');
  if (http) lines.set(NGINX_HTTP_ADDRESS, http.line);
  const visit = (block: readonly NginxDirective[], server: Pick<ServerView, 'listens' | 'serverNames'>): void => {
    for (const d of block) {
      if (d.name !== 'location' || !d.block) continue;
      const set = d.block.findLast((x) => x.name === 'set' && x.args[0] === '$edge_route');
      const route = set?.args[1] && set.args[1] !== '-' ? set.args[1] : undefined;
      const address = nginxLocationAddress({ ...(route ? { route } : {}), server, directive: d });
      if (!lines.has(address)) lines.set(address, d.line);
      visit(d.block, server);
    }
  };
  for (const s of http?.block ?? []) {
    if (s.name !== 'server' || !s.block) continue;
    const server = {
      listens: s.block.filter((x) => x.name === 'listen').map((x) => x.args),
      serverNames: s.block.filter((x) => x.name === 'server_name').flatMap((x) => x.args),
    };
    const address = nginxServerAddress(server);
    if (!lines.has(address)) lines.set(address, s.line);
    visit(s.block, server);
  }
  return lines;
}

function kongLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const services = isMap(doc.contents) ? doc.contents.get('services', true) : undefined;
  if (!isSeq(services)) return lines;
  for (const item of services.items) {
    if (!isMap(item)) continue;
    const name = item.get('name', true);
    if (isScalar(name) && name.range) lines.set(kongServiceAddress(String(name.value)), counter.linePos(name.range[0]).line);
  }
  return lines;
}

function gatewayLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    const name = /^ {6}"name": "([^"]+)",?$/.exec(line)?.[1];
    if (name && !lines.has(gatewayRouteAddress(name))) lines.set(gatewayRouteAddress(name), i + 1);
  });
  return lines;
}

/**
 * Address → line for one edge file (by its name), for report locations; an empty map for other
 * files or text that does not parse (the rules report that themselves).
 */
export function edgeAddressLines(file: string, text: string): Map<string, number> {
  try {
    if (file.endsWith('nginx.conf')) return nginxLines(text);
    if (file.endsWith('kong.yml')) return kongLines(text);
    if (file.endsWith('gateway-routes.json')) return gatewayLines(text);
  } catch {
    // A file that does not parse has no addressable lines; the EDGE rules name the problem.
  }
  return new Map();
}
