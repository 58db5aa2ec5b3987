/**
 * gateway-routes.json: the edge gateway's route table, rendered from the routes that go `via:
 * gateway`. Typed with the gateway's own `GatewayRoutesInput` and validated with
 * `parseGatewayRoutes` before it is returned (one schema, imported from gateway/, not copied),
 * so a table the gateway would reject is never written. Timeouts are the chain's `proxy` hop.
 */
import { parseGatewayRoutes, type GatewayRoutesInput } from '../../gateway/src/route-table.ts';
import type { Auth } from '../../environments/schema.ts';
import type { EdgePlan } from './edge-plan.ts';
import type { RoutePlan } from './route-plan.ts';
import { millis, type EdgeRenderOptions } from './render-options.ts';

type RouteInput = GatewayRoutesInput['routes'][number];

/** Connect to an in-cluster upstream; a dead endpoint is refused or times out quickly. */
export const GATEWAY_CONNECT_SEC = 5;
/** Header the gateway reads API keys from (key-auth routes). */
export const API_KEY_HEADER = 'x-api-key';

function authFor(route: RoutePlan, keysDir: string, jwksUris: Readonly<Record<string, string>>): RouteInput['auth'] {
  const auth: Auth = route.auth;
  switch (auth.type) {
    case 'jwt':
      return { type: 'jwt', jwksUri: jwksUris[auth.jwksUri] ?? auth.jwksUri, issuer: auth.issuer, audiences: [...auth.audiences] };
    case 'key-auth':
      // One Secret key per route: a file of SHA-256 digests, never plaintext keys (see README).
      return { type: 'api-key', header: API_KEY_HEADER, keysFile: `${keysDir}/${route.name}` };
    case 'none':
      return { type: 'none' };
  }
}

/** The catalog's per-minute limit as the gateway's token bucket; burst defaults to one second's worth. */
function rateLimitFor(route: RoutePlan): RouteInput['rateLimit'] {
  if (!route.rateLimit) return undefined;
  const perSecond = route.rateLimit.requestsPerMinute / 60;
  return { requestsPerSecond: perSecond, burst: route.rateLimit.burst ?? Math.max(1, Math.ceil(perSecond)) };
}

/**
 * The gateway checks JSON bodies against Avro contracts. A protobuf contract is enforced by
 * Pub/Sub alone (the gateway answers its INVALID_ARGUMENT with 400); see the README.
 */
function eventSchemaFor(route: RoutePlan): Pick<RouteInput, 'schema'> {
  const contract = route.contract;
  if (contract?.type !== 'avro' || contract.encoding !== 'json') return {};
  return { schema: { type: 'avro', definition: JSON.stringify(JSON.parse(contract.definition)) } };
}

export function gatewayRouteTable(routes: readonly RoutePlan[], edge: EdgePlan, options: EdgeRenderOptions = {}): GatewayRoutesInput {
  const scale = options.timeScale ?? 1;
  const keysDir = options.gateway?.apiKeysDir ?? edge.gateway.apiKeysDir;
  return {
    version: 1,
    // Every gateway route's latency objective is one of these (edge.gateway.durationBucketsSec, derived from the SLOs).
    metrics: { durationBucketsSeconds: [...edge.gateway.durationBucketsSec] },
    routes: routes
      .filter((r) => r.via === 'gateway')
      .map((r): RouteInput => {
        const hop = r.timeouts.proxy;
        const rateLimit = rateLimitFor(r);
        const upstreamUrl = options.gateway?.upstreams?.[r.name] ?? r.upstream?.url;
        return {
          name: r.name,
          match: { host: r.host, pathPrefix: r.pathPrefix },
          kind: r.protocol,
          ...(r.protocol === 'events' ? { topic: r.topic, ...eventSchemaFor(r) } : { upstream: { url: upstreamUrl ?? '' } }),
          timeouts: {
            connectMs: millis(GATEWAY_CONNECT_SEC, scale),
            // REST: the whole request; streams: the handshake or a unary call's deadline.
            headersMs: millis(hop.firstByteSec, scale),
            idleMs: millis(hop.idleSec, scale),
          },
          auth: authFor(r, keysDir, options.gateway?.jwksUris ?? {}),
          ...(rateLimit ? { rateLimit } : {}),
          maxBodyBytes: r.maxBodyBytes,
        };
      }),
  };
}

/** The file's text: validated by the gateway's own parser first, so a bad table is never written. */
export function renderGatewayRoutes(routes: readonly RoutePlan[], edge: EdgePlan, options: EdgeRenderOptions = {}): string {
  const table = gatewayRouteTable(routes, edge, options);
  parseGatewayRoutes(table, 'gateway-routes.json');
  return `${JSON.stringify(table, null, 2)}\n`;
}
