/**
 * EDGE007 — nginx answers what matches no route itself: every server has a `location /` that
 * returns (or is a route at `/`), and each listener (HTTP/1.1 and HTTP/2 over TLS) has an
 * explicit default server for unknown hosts.
 */
import type { EnvironmentArtifacts, Finding, Rule } from '../engine.ts';
import { NGINX_HTTP_ADDRESS, edgeTarget, nginxServerAddress } from './edge-addresses.ts';
import { edgeView, passesTo, type ServerView } from './edge-configs.ts';

type RuleFinding = Omit<Finding, 'ruleId' | 'severity'>;

const isDefault = (listen: readonly string[]): boolean => listen.includes('default_server') || listen.includes('default');
const serverLabel = (s: ServerView): string => `server ${s.serverNames[0] ?? '(no server_name)'} on ${s.listens[0]?.[0] ?? '(no listen)'} (line ${s.directive.line})`;

function judgeServer(server: ServerView, routes: ReadonlySet<string>): string | undefined {
  const root = (server.directive.block ?? []).find((d) => d.name === 'location' && d.args.length === 1 && d.args[0] === '/');
  if (!root?.block) return `${serverLabel(server)} has no "location /": a path that matches no route is served by nginx's defaults (files from its html root)`;
  const scope = server.scope.inner(root.block);
  const pass = passesTo({ scope });
  const route = root.block.findLast((d) => d.name === 'set' && d.args[0] === '$edge_route')?.args[1];
  if (pass) {
    if (route && routes.has(route)) return undefined;
    return `${serverLabel(server)}: location / (line ${root.line}) passes to ${pass.args.join(' ')} without being a route: every unmatched path reaches an upstream`;
  }
  if (scope.own('return').length === 0) return `${serverLabel(server)}: location / (line ${root.line}) neither returns nor is a route, so nginx serves files from its html root`;
  return undefined;
}

function check(artifacts: EnvironmentArtifacts): RuleFinding[] {
  const view = edgeView(artifacts.edge);
  const nginx = view.nginx;
  if (!nginx) return [];
  const routes = new Set([...(view.kong?.routes ?? []).map((r) => r.name), ...(view.gateway?.routes ?? []).map((r) => r.name)]);
  const findings: RuleFinding[] = [];
  for (const server of nginx.servers) {
    const message = judgeServer(server, routes);
    if (message) {
      findings.push({
        target: edgeTarget(artifacts, 'nginx', nginxServerAddress(server)),
        message,
        remediation: "add location / { return 404; } to the server (the renderer's catch-all answers a JSON 404)",
      });
    }
  }
  const http = `http${nginx.http ? ` (line ${nginx.http.line})` : ''}`;
  const listens = new Map<string, { tls: boolean; hasDefault: boolean }>();
  for (const server of nginx.servers) {
    for (const listen of server.listens) {
      const address = listen[0] ?? '';
      const seen = listens.get(address) ?? { tls: false, hasDefault: false };
      listens.set(address, { tls: seen.tls || listen.includes('ssl'), hasDefault: seen.hasDefault || isDefault(listen) });
    }
  }
  for (const [address, { hasDefault }] of listens) {
    if (hasDefault) continue;
    findings.push({
      target: edgeTarget(artifacts, 'nginx', NGINX_HTTP_ADDRESS),
      message: `${http}: listen ${address} has no default_server, so the first server on it answers requests for unknown hosts (and the GLB's health checks)`,
      remediation: `add a server with listen ${address} default_server; server_name _; that returns 404 for everything but the health check`,
    });
  }
  for (const [tls, name] of [
    [false, 'HTTP/1.1 (REST, WebSocket, SSE)'],
    [true, 'HTTP/2 over TLS (gRPC)'],
  ] as const) {
    if ([...listens.values()].some((l) => l.tls === tls && l.hasDefault)) continue;
    if ([...listens.values()].some((l) => l.tls === tls)) continue; // reported above, per address
    findings.push({
      target: edgeTarget(artifacts, 'nginx', NGINX_HTTP_ADDRESS),
      message: `${http}: there is no ${name} listener with a default server: the GLB's ${tls ? 'HTTP/2' : 'HTTP/1.1'} backend has nothing to answer it`,
      remediation: `add a default server listening for the GLB's ${name} backend`,
    });
  }
  return findings;
}

export const edgeCatchAll: Rule = {
  id: 'EDGE007',
  severity: 'error',
  description: 'nginx answers unmatched requests itself: every server has a location / that returns (or is a route), and both listeners have a default server',
  rationale:
    'A request that matches no route must get a 404 from nginx, never reach an upstream or nginx\'s default document root. Without an explicit default_server on a listener, whichever server comes first answers unknown hosts and the GLB\'s health checks, so reordering the file changes what is exposed.',
  remediation: 'give every server a location / { return 404; } and each listener (HTTP/1.1, HTTP/2 over TLS) a default_server that answers 404',
  equivalents: {},
  catalogKeys: ['edge'],
  check,
};
