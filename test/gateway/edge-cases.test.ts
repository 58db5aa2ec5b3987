// Regressions found in review: X-Forwarded-For and per-client limits behind a trusted proxy,
// JWKS outages and tokens without exp, WebSocket half-close and clients that leave during
// auth, and what drain accepts during its delay.
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startJwksServer, type JwksServer } from './fixtures/jwks-server.ts';
import { metricValue, route, startTestGateway, waitFor, type TestGateway } from './fixtures/test-gateway.ts';
import { startHttpEcho, startWsUpstream, type EchoSeen, type WsUpstream } from './fixtures/upstream-servers.ts';

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A raw WebSocket handshake over net, so the test controls FIN and timing itself. */
function rawUpgrade(base: string, path: string, headers: Record<string, string> = {}): net.Socket {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
  );
  return socket;
}

const firstChunk = (socket: net.Socket): Promise<string> => new Promise((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));

describe('behind a trusted proxy', () => {
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startHttpEcho();
    gw = await startTestGateway(
      [
        route({ name: 'limited', kind: 'http', upstream: { url: upstream.url }, rateLimit: { requestsPerSecond: 0.1, burst: 1 } }),
        route({ name: 'other', kind: 'http', upstream: { url: upstream.url } }),
      ],
      { trustedHops: 1 },
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  const get = (xff: string): Promise<Response> => fetch(`${gw.http}/limited`, { headers: { 'x-forwarded-for': xff } });

  it('appends the connection peer to X-Forwarded-For, not the client it derived', async () => {
    const res = await get('198.51.100.7');
    expect(res.status).toBe(200);
    const seen = (await res.json()) as EchoSeen;
    expect(seen.headers['x-forwarded-for']).toBe('198.51.100.7, 127.0.0.1');
  });

  it('keeps one token bucket per client address', async () => {
    // 198.51.100.7 spent its burst of 1 above.
    expect((await get('198.51.100.7')).status).toBe(429);
    expect((await get('203.0.113.9')).status).toBe(200);
    expect((await get('203.0.113.9')).status).toBe(429);
  });

  it('keeps spent buckets across a route-table reload that leaves the limit unchanged', async () => {
    const reloads = (): Promise<number> => metricValue(gw.admin, 'gateway_route_table_reloads_total', { result: 'applied' });
    const before = await reloads();
    const limited = route({ name: 'limited', kind: 'http', upstream: { url: upstream.url }, rateLimit: { requestsPerSecond: 0.1, burst: 1 } });
    const other = route({ name: 'other', kind: 'http', upstream: { url: upstream.url } });
    const added = route({ name: 'added', kind: 'http', upstream: { url: upstream.url } });
    await writeFile(gw.routesFile, JSON.stringify({ version: 1, routes: [limited, other, added] }));
    await waitFor('the reload', async () => (await reloads()) > before);
    expect((await get('203.0.113.9')).status).toBe(429);
  });

  it('drops tracestate when it starts a new trace, keeps it when it continues one', async () => {
    const fresh = (await (await fetch(`${gw.http}/other`, { headers: { tracestate: 'vendor=abc', traceparent: 'garbage' } })).json()) as EchoSeen;
    expect(fresh.headers.tracestate).toBeUndefined();
    expect(fresh.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const kept = (await (await fetch(`${gw.http}/other`, { headers: { tracestate: 'vendor=abc', traceparent } })).json()) as EchoSeen;
    expect(kept.headers).toMatchObject({ tracestate: 'vendor=abc', traceparent });
  });
});

describe('JWT edge cases', () => {
  let jwks: JwksServer;
  let failingJwks: http.Server;
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let gw: TestGateway;

  beforeAll(async () => {
    jwks = await startJwksServer();
    upstream = await startHttpEcho();
    failingJwks = http.createServer((_req, res) => res.writeHead(503).end('identity provider down'));
    const failingUri = `${await listen(failingJwks)}/jwks.json`;
    const jwt = (jwksUri: string) => ({ type: 'jwt' as const, jwksUri, issuer: jwks.issuer, audiences: ['api://chat'], algorithms: ['RS256'] });
    gw = await startTestGateway([
      route({ name: 'secure', kind: 'http', upstream: { url: upstream.url }, auth: jwt(jwks.jwksUri) }),
      route({ name: 'idp-down', kind: 'http', upstream: { url: upstream.url }, auth: jwt(failingUri) }),
    ]);
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    await jwks?.close();
    await closeServer(failingJwks);
  });

  it('answers 503, not 401, when the JWKS endpoint answers 5xx', async () => {
    const token = await jwks.sign({ aud: 'api://chat', sub: 'u1' });
    const res = await fetch(`${gw.http}/idp-down`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('rejects a token that never expires', async () => {
    const token = await jwks.sign({ aud: 'api://chat', sub: 'u1' }, null);
    const res = await fetch(`${gw.http}/secure`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
    const ok = await fetch(`${gw.http}/secure`, { headers: { authorization: `Bearer ${await jwks.sign({ aud: 'api://chat', sub: 'u1' })}` } });
    expect(ok.status).toBe(200);
  });
});

describe('WebSocket teardown', () => {
  let jwks: JwksServer;
  let slowJwks: http.Server;
  let upstream: WsUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    jwks = await startJwksServer();
    upstream = await startWsUpstream();
    // A JWKS that answers after 600 ms (proxying the real one), so a client can leave mid-auth.
    slowJwks = http.createServer((_req, res) => {
      setTimeout(() => {
        fetch(jwks.jwksUri)
          .then(async (r) => res.writeHead(200, { 'content-type': 'application/json' }).end(await r.text()))
          .catch(() => res.writeHead(502).end());
      }, 600);
    });
    const slowUri = `${await listen(slowJwks)}/jwks.json`;
    gw = await startTestGateway([
      route({ name: 'ws', kind: 'websocket', upstream: { url: upstream.url }, timeouts: { connectMs: 500, headersMs: 2_000, idleMs: 60_000 } }),
      route({
        name: 'ws-auth',
        kind: 'websocket',
        upstream: { url: upstream.url },
        timeouts: { connectMs: 500, headersMs: 2_000, idleMs: 60_000 },
        auth: { type: 'jwt', jwksUri: slowUri, issuer: jwks.issuer, audiences: ['api://chat'], algorithms: ['RS256'] },
      }),
    ]);
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    await jwks?.close();
    await closeServer(slowJwks);
  });

  const activeWebSockets = (): Promise<number> => metricValue(gw.admin, 'gateway_active_connections', { protocol: 'websocket' });

  it('closes both sides when the client half-closes (no lingering half-open pair)', async () => {
    const socket = rawUpgrade(gw.http, '/ws/echo');
    expect(await firstChunk(socket)).toMatch(/^HTTP\/1\.1 101 /);
    await waitFor('the tunnel to open', async () => (await activeWebSockets()) === 1 && upstream.sockets() === 1);
    socket.end(); // FIN only: the socket stays half-open on our side
    await waitFor('the tunnel to be torn down', async () => (await activeWebSockets()) === 0 && upstream.sockets() === 0, 4_000);
    socket.destroy();
  });

  it('builds no tunnel for a client that left while it was being authenticated', async () => {
    const token = await jwks.sign({ aud: 'api://chat', sub: 'u1' });
    const socket = rawUpgrade(gw.http, '/ws-auth/echo', { authorization: `Bearer ${token}` });
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 1_200)); // JWKS answered at ~600 ms; auth completed since
    expect(upstream.sockets()).toBe(0);
    expect(await activeWebSockets()).toBe(0);
  });
});

describe('drain delay', () => {
  let upstream: WsUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startWsUpstream();
    gw = await startTestGateway([route({ name: 'ws', kind: 'websocket', upstream: { url: upstream.url } })], { drainDelayMs: 1_500, drainTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  it('still accepts WebSocket upgrades while readiness is 503, then closes them with 1001', async () => {
    const drained = gw.gateway.drain();
    await waitFor('readiness 503', async () => (await fetch(`${gw.admin}/readyz`)).status === 503);
    const ws = new WebSocket(`${gw.http.replace('http:', 'ws:')}/ws/echo`);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused during the drain delay: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    expect(await closed).toBe(1001);
    await drained;
  });
});
