// gateway-routes.json from the route plan: exactly the `via: gateway` routes, the chain's proxy
// hop in milliseconds, auth and limits mapped to the gateway's schema, validated by its parser.
import { describe, expect, it } from 'vitest';
import { parseGatewayRoutes } from '../../../gateway/src/route-table.ts';
import { gatewayRouteTable, renderGatewayRoutes } from '../../../constructs/edge/gateway-routes.ts';
import { planOf } from '../../plan-fixtures.ts';

describe('gateway-routes.json', () => {
  const plan = planOf('prod');
  const table = gatewayRouteTable(plan.routes, plan.edge);

  it('holds exactly the routes via the gateway, longest prefix first, and passes the gateway\'s own parser', () => {
    expect(table.routes.map((r) => r.name)).toEqual(plan.routes.filter((r) => r.via === 'gateway').map((r) => r.name));
    expect(table.routes.map((r) => r.name)).toEqual(['llm-inference', 'market-feed', 'ingest-ingest', 'chat']);
    expect(() => parseGatewayRoutes(JSON.parse(renderGatewayRoutes(plan.routes, plan.edge)), 'gateway-routes.json')).not.toThrow();
  });

  it('maps the proxy hop to milliseconds: headers = the first byte, idle = the stream silence', () => {
    const chat = plan.routes.find((r) => r.name === 'chat');
    expect(table.routes.find((r) => r.name === 'chat')).toMatchObject({
      kind: 'websocket',
      match: { host: 'api.acme.example', pathPrefix: '/ws/chat' },
      upstream: { url: 'http://chat.realtime.svc.cluster.local:8080' },
      timeouts: { connectMs: 5000, headersMs: (chat?.timeouts.proxy.firstByteSec ?? 0) * 1000, idleMs: (chat?.timeouts.proxy.idleSec ?? 0) * 1000 },
    });
  });

  it('maps auth: JWT with its JWKS, key-auth to a digest file from a Secret, and rate limits per second', () => {
    expect(table.routes.find((r) => r.name === 'market-feed')).toMatchObject({
      auth: { type: 'api-key', header: 'x-api-key', keysFile: '/etc/gateway/keys/market-feed' },
      rateLimit: { requestsPerSecond: 1, burst: 1 },
    });
    expect(table.routes.find((r) => r.name === 'ingest-ingest')).toMatchObject({
      kind: 'events',
      topic: 'projects/acme-platform-prod/topics/ingest',
      auth: { type: 'jwt', jwksUri: 'https://auth.acme.example/.well-known/jwks.json', issuer: 'https://auth.acme.example/', audiences: ['https://api.acme.example'] },
      rateLimit: { requestsPerSecond: 20, burst: 200 },
      maxBodyBytes: 1048576,
    });
  });

  it('refuses to render a table the gateway would reject', () => {
    const broken = plan.routes.map((r) => (r.name === 'chat' ? { ...r, pathPrefix: 'ws/chat' } : r));
    expect(() => renderGatewayRoutes(broken, plan.edge)).toThrow(/gateway-routes\.json: routes\[3\]\.match\.pathPrefix/);
  });
});
