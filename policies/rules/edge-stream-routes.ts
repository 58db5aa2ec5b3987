/**
 * EDGE004 — stream routes pass through unchanged: SSE locations unbuffered and uncompressed,
 * Kong routes of streams with `response_buffering: false`, WebSocket locations upgraded
 * (HTTP/1.1, `Upgrade $http_upgrade`, `Connection $connection_upgrade` from the map).
 */
import type { EnvironmentArtifacts, Finding, Rule } from '../engine.ts';
import { NGINX_HTTP_ADDRESS, edgeTarget, kongServiceAddress, nginxLocationAddress } from './edge-addresses.ts';
import { catalogOf, edgeView, where, type EdgeView, type KongRouteView, type LocationView } from './edge-configs.ts';

type RuleFinding = Omit<Finding, 'ruleId' | 'severity'>;

/** The value of a `proxy_set_header <name>` the location effectively sends (header names are case-insensitive). */
function header(location: LocationView, name: string): string | undefined {
  const set = location.scope.all('proxy_set_header').findLast((d) => d.args[0]?.toLowerCase() === name.toLowerCase());
  return set?.args[1];
}

/** A location proxying WebSocket upgrades: its gateway route is `websocket`, or it forwards `Upgrade`. */
function isWebSocket(location: LocationView, view: EdgeView): boolean {
  const gateway = view.gateway?.routes.find((r) => r.name === location.route);
  return gateway?.kind === 'websocket' || header(location, 'Upgrade') !== undefined;
}

/** A location serving SSE: its gateway route is `sse`, or its Kong route does not buffer responses. */
function isSse(location: LocationView, view: EdgeView): boolean {
  if (view.gateway?.routes.some((r) => r.name === location.route && r.kind === 'sse')) return true;
  return (view.kong?.routes ?? []).some((k) => k.name === location.route && !k.responseBuffering && !k.protocols.includes('grpc'));
}

function judgeSse(location: LocationView): { message: string; remediation: string }[] {
  const head = `${location.label} (line ${location.directive.line}) serves SSE`;
  const problems: { message: string; remediation: string }[] = [];
  const buffering = location.scope.directive('proxy_buffering');
  if (buffering?.args[0] !== 'off') {
    problems.push({
      message: buffering
        ? `${head} with proxy_buffering ${buffering.args.join(' ')} (${where(buffering, location)}): events wait in nginx's buffers`
        : `${head} without proxy_buffering off (nginx buffers by default): events wait in nginx's buffers`,
      remediation: 'set proxy_buffering off in the location',
    });
  }
  const gzip = location.scope.directive('gzip');
  if (gzip?.args[0] === 'on') {
    problems.push({
      message: `${head} with gzip on (${where(gzip, location)}): the compressor holds events until its buffer fills`,
      remediation: 'set gzip off in the location (or remove gzip on from the server and http blocks)',
    });
  }
  return problems;
}

function judgeWebSocket(location: LocationView): { message: string; remediation: string }[] {
  const head = `${location.label} (line ${location.directive.line}) proxies WebSocket`;
  const problems: { message: string; remediation: string }[] = [];
  const version = location.scope.directive('proxy_http_version');
  if (version?.args[0] !== '1.1') {
    problems.push({
      message: `${head} over HTTP/${version?.args[0] ?? '1.0 (the default)'}: the upgrade needs HTTP/1.1 to the upstream`,
      remediation: 'set proxy_http_version 1.1 in the location',
    });
  }
  for (const [name, value] of [
    ['Upgrade', '$http_upgrade'],
    ['Connection', '$connection_upgrade'],
  ] as const) {
    const sent = header(location, name);
    if (sent === value) continue;
    problems.push({
      message: `${head} but sends ${sent === undefined ? `no ${name} header` : `${name} "${sent}"`} upstream: hop-by-hop headers are dropped, so the upgrade never reaches the upstream`,
      remediation: `add proxy_set_header ${name} ${value} to the location (a location's proxy_set_header replaces every inherited one)`,
    });
  }
  return problems;
}

function judgeKong(route: KongRouteView, locations: readonly LocationView[], view: EdgeView): string | undefined {
  if (!route.responseBuffering || route.protocols.includes('grpc')) return undefined;
  const streamed = locations.filter((l) => l.route === route.name && (isWebSocket(l, view) || l.scope.directive('proxy_buffering')?.args[0] === 'off'));
  const first = streamed[0];
  if (!first) return undefined;
  return `Kong route "${route.name}" serves a stream (nginx ${first.label}, line ${first.directive.line}, does not buffer it) but has response_buffering true: Kong holds the stream's bytes`;
}

function check(artifacts: EnvironmentArtifacts): RuleFinding[] {
  const view = edgeView(artifacts.edge);
  const nginx = view.nginx;
  const findings: RuleFinding[] = [];
  const locations = nginx?.locations ?? [];
  let webSockets = 0;
  for (const location of locations) {
    const problems = [...(isSse(location, view) ? judgeSse(location) : [])];
    if (isWebSocket(location, view)) {
      webSockets++;
      problems.push(...judgeWebSocket(location));
    }
    for (const p of problems) {
      findings.push({
        target: edgeTarget(artifacts, 'nginx', nginxLocationAddress(location)),
        ...p,
        ...(location.route ? { catalog: catalogOf(view, location.route) } : {}),
      });
    }
  }
  const hasMap = (nginx?.http?.block ?? []).some((d) => d.name === 'map' && d.args[0] === '$http_upgrade' && d.args[1] === '$connection_upgrade');
  if (webSockets > 0 && !hasMap) {
    findings.push({
      target: edgeTarget(artifacts, 'nginx', NGINX_HTTP_ADDRESS),
      message: `http${nginx?.http ? ` (line ${nginx.http.line})` : ''} has no "map $http_upgrade $connection_upgrade" block, which the ${webSockets} WebSocket location(s) need to send Connection: upgrade (and close for plain requests)`,
      remediation: "add map $http_upgrade $connection_upgrade { default upgrade; '' close; } to the http block",
    });
  }
  for (const route of view.kong?.routes ?? []) {
    const message = judgeKong(route, locations, view);
    if (!message) continue;
    findings.push({
      target: edgeTarget(artifacts, 'kong', kongServiceAddress(route.service.name)),
      message,
      remediation: 'set response_buffering: false on the Kong route',
      catalog: { name: route.service.name },
    });
  }
  return findings;
}

export const edgeStreamRoutes: Rule = {
  id: 'EDGE004',
  severity: 'error',
  description: 'Stream routes are not buffered (SSE: proxy_buffering off, no gzip; Kong response_buffering false) and WebSocket locations upgrade',
  rationale:
    'SSE delivers each event as it happens only if no hop holds it: nginx buffers upstream responses by default, gzip waits for a full buffer, and Kong buffers responses unless the route says otherwise, so clients get events late and in bursts. A WebSocket needs HTTP/1.1 to the upstream and the Upgrade and Connection headers passed on explicitly (they are hop-by-hop), or the handshake fails.',
  remediation:
    'SSE: proxy_buffering off and gzip off in the location, response_buffering: false on its Kong route; WebSocket: proxy_http_version 1.1, proxy_set_header Upgrade $http_upgrade and Connection $connection_upgrade, with the map in the http block',
  equivalents: {},
  catalogKeys: ['services'],
  check,
};
