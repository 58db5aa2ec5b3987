/**
 * EDGE002 — nginx keeps idle connections from the GLB open longer than the GLB does (600 s),
 * at the http level and in every server or location that overrides it.
 */
import type { Finding, Rule } from '../engine.ts';
import { parseNginxDuration, type NginxDirective } from '../nginx-conf.ts';
import { NGINX_HTTP_ADDRESS, edgeTarget, nginxLocationAddress, nginxServerAddress } from './edge-addresses.ts';
import { edgeView } from './edge-configs.ts';

type RuleFinding = Omit<Finding, 'ruleId' | 'severity'>;

/** The GLB's keepalive to backends: fixed, not configurable (Google Cloud backend service docs). */
export const GLB_BACKEND_KEEPALIVE_SEC = 600;
const LIMIT_MS = GLB_BACKEND_KEEPALIVE_SEC * 1000;
const REMEDIATION = `set keepalive_timeout above ${GLB_BACKEND_KEEPALIVE_SEC}s (e.g. 620s) in the http block, and remove shorter overrides`;

/** A problem with one `keepalive_timeout`, or undefined when it outlasts the GLB's. */
function judge(d: NginxDirective, scope: string): string | undefined {
  const ms = parseNginxDuration(d.args[0] ?? '');
  if (ms === undefined) return `${scope}: keepalive_timeout "${d.args.join(' ')}" (line ${d.line}) is not an nginx time interval`;
  if (ms > LIMIT_MS) return undefined;
  return `${scope}: keepalive_timeout ${d.args[0]} (line ${d.line}) is not longer than the GLB's ${GLB_BACKEND_KEEPALIVE_SEC} s backend keepalive: nginx closes connections the GLB still reuses (intermittent 502s)`;
}

export const edgeKeepalive: Rule = {
  id: 'EDGE002',
  severity: 'error',
  description: `nginx keepalive_timeout is longer than the GLB's ${GLB_BACKEND_KEEPALIVE_SEC} s backend keepalive (http level and every override)`,
  rationale:
    `The Google Cloud external Application Load Balancer keeps idle connections to a backend for ${GLB_BACKEND_KEEPALIVE_SEC} s and reuses them. If nginx closes an idle connection first, a request the GLB sends on it at that moment fails with a 502: intermittent errors no retry at the client explains. nginx's default keepalive_timeout is 75 s.`,
  remediation: REMEDIATION,
  equivalents: {},
  catalogKeys: ['edge'],
  check: (artifacts) => {
    const nginx = edgeView(artifacts.edge).nginx;
    if (!nginx) return [];
    const findings: RuleFinding[] = [];
    const add = (address: string, message: string | undefined): void => {
      if (message) findings.push({ target: edgeTarget(artifacts, 'nginx', address), message, remediation: REMEDIATION });
    };
    const httpLevel = nginx.http?.block?.findLast((d) => d.name === 'keepalive_timeout');
    if (!nginx.http) add(NGINX_HTTP_ADDRESS, 'nginx.conf has no http block');
    else if (!httpLevel) add(NGINX_HTTP_ADDRESS, `http (line ${nginx.http.line}): keepalive_timeout is unset, so nginx's default 75s applies, shorter than the GLB's ${GLB_BACKEND_KEEPALIVE_SEC} s backend keepalive (intermittent 502s)`);
    else add(NGINX_HTTP_ADDRESS, judge(httpLevel, 'http'));
    // Only server and location overrides: an `upstream` block's keepalive_timeout is nginx's own pool towards Kong and the gateway.
    for (const server of nginx.servers) {
      for (const d of server.scope.own('keepalive_timeout')) add(nginxServerAddress(server), judge(d, `server (line ${server.directive.line})`));
    }
    for (const location of nginx.locations) {
      for (const d of location.scope.own('keepalive_timeout')) add(nginxLocationAddress(location), judge(d, `${location.label} (line ${location.directive.line})`));
    }
    return findings;
  },
};
