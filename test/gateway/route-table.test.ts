// The route table contract shared with the catalog renderer.
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { GatewayRoutesSchema, parseGatewayRoutes, type GatewayRoute } from '../../gateway/src/route-table.ts';
import { RouteMatcher, type CompiledRoute } from '../../gateway/src/compiled-routes.ts';
import { parseGatewayConfig } from '../../gateway/src/gateway-config.ts';

const base = {
  name: 'chat',
  match: { pathPrefix: '/ws/chat' },
  kind: 'websocket',
  upstream: { url: 'http://chat.realtime.svc.cluster.local:8080' },
  timeouts: { connectMs: 2000, headersMs: 30000, idleMs: 300000 },
  auth: { type: 'none' },
  maxBodyBytes: 1048576,
};

describe('gateway-routes.json schema', () => {
  it('accepts the dev route table shipped in gateway/dev', async () => {
    const json: unknown = JSON.parse(await readFile('gateway/dev/gateway-routes.json', 'utf8'));
    expect(parseGatewayRoutes(json, 'gateway-routes.json').routes.length).toBeGreaterThan(0);
  });

  it('names the file and every offending field path', () => {
    const bad = {
      version: 1,
      routes: [
        base,
        { ...base, name: 'b', match: { pathPrefix: '/b' } },
        { ...base, name: 'c', match: { pathPrefix: '/c' }, timeouts: { connectMs: 1, headersMs: 1, idleMs: '5s' } },
        { ...base, name: 'Bad_Name', match: { pathPrefix: '/d' }, auth: { type: 'jwt', issuer: 'x', audiences: [] } },
      ],
    };
    let message = '';
    try {
      parseGatewayRoutes(bad, 'gateway-routes.json');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^gateway-routes\.json: routes\[2\]\.timeouts\.idleMs: .*expected number/m);
    expect(message).toMatch(/^gateway-routes\.json: routes\[3\]\.name: /m);
    expect(message).toMatch(/^gateway-routes\.json: routes\[3\]\.auth\.jwksUri: /m);
    expect(message).toMatch(/^gateway-routes\.json: routes\[3\]\.auth\.audiences: /m);
    expect(message).not.toMatch(/routes\[[01]\]/);
  });

  it('requires an upstream unless kind is events, and a topic iff it is', () => {
    const r = GatewayRoutesSchema.safeParse({
      version: 1,
      routes: [
        { ...base, kind: 'events', name: 'ingest', match: { pathPrefix: '/ingest' } },
        { ...base, name: 'x', match: { pathPrefix: '/x' }, upstream: undefined },
        { ...base, name: 'y', match: { pathPrefix: '/y' }, kind: 'http', topic: 'projects/my-project/topics/orders' },
      ],
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['routes.0.topic', 'routes.0.upstream', 'routes.1.upstream', 'routes.2.topic']));
  });

  it('rejects duplicate names and duplicate matches on one listener, not across listeners', () => {
    const r = GatewayRoutesSchema.safeParse({
      version: 1,
      routes: [base, { ...base }, { ...base, name: 'grpc-twin', kind: 'grpc' }],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['routes.1.name', 'routes.1.match']);
  });
});

describe('route matching', () => {
  const compiled = (config: Partial<GatewayRoute> & { name: string; match: GatewayRoute['match'] }): CompiledRoute =>
    ({ config, name: config.name, prefix: config.match.pathPrefix }) as unknown as CompiledRoute;
  const matcher = new RouteMatcher([
    compiled({ name: 'root', match: { pathPrefix: '/' } }),
    compiled({ name: 'api', match: { pathPrefix: '/api' } }),
    compiled({ name: 'api-v2', match: { pathPrefix: '/api/v2' } }),
    compiled({ name: 'host-api', match: { host: 'admin.example.com', pathPrefix: '/api' } }),
  ]);

  it('picks the longest prefix on segment boundaries, host-specific routes first on ties', () => {
    expect(matcher.match('x', '/api/v2/users')?.name).toBe('api-v2');
    expect(matcher.match('x', '/api/v2?x=1')?.name).toBe('api-v2');
    expect(matcher.match('x', '/api/v20')?.name).toBe('api');
    expect(matcher.match('x', '/apix')?.name).toBe('root');
    expect(matcher.match('Admin.Example.com:8443', '/api/x')?.name).toBe('host-api');
    expect(matcher.match('admin.example.com', '/api/v2/x')?.name).toBe('api-v2');
    expect(matcher.match(undefined, '/other')?.name).toBe('root');
  });
});

describe('gateway flags and environment', () => {
  it('fills defaults, lets flags win over GATEWAY_* variables, and names bad inputs', () => {
    const config = parseGatewayConfig(['--routes', 'r.json', '--http-port', '1234'], { GATEWAY_HTTP_PORT: '9', GATEWAY_ADMIN_PORT: '9999' });
    expect(config).toMatchObject({ routes: 'r.json', httpPort: 1234, adminPort: 9999, grpcPort: 8081, drainTimeoutMs: 25000 });
    expect(() => parseGatewayConfig(['--routes', 'r.json', '--grpc-port', 'abc'], {})).toThrow(/--grpc-port \/ GATEWAY_GRPC_PORT/);
    expect(() => parseGatewayConfig([], {})).toThrow(/--routes \/ GATEWAY_ROUTES/);
  });
});
