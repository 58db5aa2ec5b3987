/**
 * EDGE001 — the timeout chain on the rendered files: every route's nginx location waits longer
 * than the proxy inside it (Kong's service `read_timeout`, the gateway's `headersMs`/`idleMs`),
 * and every route has a location (and every location's route exists).
 */
import type { GatewayRoute } from '../../gateway/src/route-table.ts';
import type { EnvironmentArtifacts, Finding, Rule } from '../engine.ts';
import { formatDuration, parseNginxDuration } from '../nginx-conf.ts';
import { edgeTarget, gatewayRouteAddress, kongServiceAddress, nginxRouteAddress } from './edge-addresses.ts';
import { catalogOf, edgeView, passesTo, where, type KongRouteView, type LocationView } from './edge-configs.ts';

type RuleFinding = Omit<Finding, 'ruleId' | 'severity'>;

/** nginx's default for `proxy_read_timeout` and `grpc_read_timeout`. */
const NGINX_DEFAULT_READ_MS = 60_000;

const STREAM_KINDS: ReadonlySet<GatewayRoute['kind']> = new Set(['websocket', 'sse', 'grpc']);

interface ReadTimeout {
  readonly directive: string;
  readonly ms: number;
  /** `proxy_read_timeout 40s (line 190)` */
  readonly text: string;
}

/** The location's effective read timeout for its kind of pass, or a problem. */
function readTimeout(location: LocationView): ReadTimeout | string {
  const pass = passesTo(location);
  if (!pass) return 'does not pass requests on (no proxy_pass or grpc_pass), so the route never reaches its proxy';
  const name = pass.name === 'grpc_pass' ? 'grpc_read_timeout' : 'proxy_read_timeout';
  const d = location.scope.directive(name);
  if (!d) return { directive: name, ms: NGINX_DEFAULT_READ_MS, text: `${name} unset (nginx's default 60s)` };
  const ms = parseNginxDuration(d.args[0] ?? '');
  if (ms === undefined || d.args.length !== 1) return `${name} "${d.args.join(' ')}" (${where(d, location)}) is not an nginx time interval`;
  return { directive: name, ms, text: `${name} ${d.args[0]} (${where(d, location)})` };
}

function judgeLocation(
  location: LocationView & { readonly route: string },
  kong: readonly KongRouteView[],
  gateway: readonly GatewayRoute[],
): { message: string; remediation: string }[] {
  const head = `${location.label} (line ${location.directive.line})`;
  const inKong = kong.filter((k) => k.name === location.route);
  const inGateway = gateway.filter((g) => g.name === location.route);
  if (inKong.length === 0 && inGateway.length === 0) {
    return [
      {
        message: `${head} names route "${location.route}", which is in neither kong.yml nor gateway-routes.json: its requests reach a proxy that has no such route`,
        remediation: 'render nginx.conf, kong.yml and gateway-routes.json from the same route plan (npm start), or remove the stale location',
      },
    ];
  }
  const read = readTimeout(location);
  if (typeof read === 'string') {
    return [{ message: `${head} ${read}`, remediation: 'give the location a proxy_pass or grpc_pass to its proxy with a read timeout longer than the proxy\'s' }];
  }
  const problems: { message: string; remediation: string }[] = [];
  const notLonger = (inner: string, innerMs: number, consequence: string): void => {
    if (read.ms > innerMs) return;
    problems.push({
      message: `${head}: ${read.text} is not longer than ${inner}: ${consequence}`,
      remediation: `set ${read.directive} above ${formatDuration(innerMs)} (the chain adds a margin per hop: change the catalog's timeouts, not one file)`,
    });
  };
  for (const k of inKong) {
    notLonger(`Kong service "${k.service.name}" read_timeout ${k.service.read_timeout} ms`, k.service.read_timeout, 'nginx cuts the connection before Kong answers 504');
  }
  for (const g of inGateway) {
    notLonger(`the gateway's headersMs ${g.timeouts.headersMs} ms`, g.timeouts.headersMs, 'nginx gives up before the gateway answers 504');
    if (STREAM_KINDS.has(g.kind)) {
      notLonger(`the gateway's idleMs ${g.timeouts.idleMs} ms for this ${g.kind} stream`, g.timeouts.idleMs, 'nginx cuts a silent stream the gateway would keep');
    }
  }
  return problems;
}

function check(artifacts: EnvironmentArtifacts): RuleFinding[] {
  const view = edgeView(artifacts.edge);
  const kong = view.kong?.routes ?? [];
  const gateway = view.gateway?.routes ?? [];
  const locations = view.nginx?.locations ?? [];
  const findings: RuleFinding[] = [];
  for (const location of locations) {
    const route = location.route;
    if (route === undefined) continue;
    for (const p of judgeLocation({ ...location, route }, kong, gateway)) {
      findings.push({ target: edgeTarget(artifacts, 'nginx', nginxRouteAddress(route)), ...p, catalog: catalogOf(view, route) });
    }
  }
  const located = new Set(locations.map((l) => l.route));
  const noLocation = 'nginx.conf has no location for it, so its requests get the catch-all 404 (or another route\'s location)';
  const fix = 'render nginx.conf from the same route plan as kong.yml and gateway-routes.json (npm start)';
  for (const k of kong) {
    if (located.has(k.name)) continue;
    findings.push({
      target: edgeTarget(artifacts, 'kong', kongServiceAddress(k.service.name)),
      message: `Kong route "${k.name}" (service "${k.service.name}"): ${noLocation}`,
      remediation: fix,
      catalog: { name: k.service.name },
    });
  }
  for (const g of gateway) {
    if (located.has(g.name)) continue;
    findings.push({
      target: edgeTarget(artifacts, 'gatewayRoutes', gatewayRouteAddress(g.name)),
      message: `gateway route "${g.name}" (${g.kind}, ${g.match.pathPrefix}): ${noLocation}`,
      remediation: fix,
      catalog: catalogOf(view, g.name),
    });
  }
  return findings;
}

export const edgeTimeoutChain: Rule = {
  id: 'EDGE001',
  severity: 'error',
  description: 'Every route has an nginx location whose read timeout is longer than the Kong or gateway timeout inside it',
  rationale:
    'Each hop must give up after the hop inside it, so a slow upstream gets a clean 504 from the innermost proxy. When nginx times out first, the client sees a 504 or a cut stream from nginx while Kong or the gateway is still waiting, and the inner proxy\'s own error handling, logs and metrics never see it. A route present in one file and not another is a chain with a missing hop.',
  remediation:
    'change timeouts in the catalog (environments/), never in one rendered file: the timeout chain (constructs/edge/timeout-chain.ts) adds a margin per hop; re-render with npm start',
  equivalents: {},
  catalogKeys: ['services', 'topics'],
  check,
};
