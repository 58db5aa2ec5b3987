// WebSocket tunnelling through the gateway with real ws clients and a real ws upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { metricValue, route, startTestGateway, waitFor, type TestGateway } from './fixtures/test-gateway.ts';
import { startWsUpstream, type WsUpstream } from './fixtures/upstream-servers.ts';

const FLOOD_MESSAGES = 64;
const FLOOD_SIZE = 1 << 20;

function open(url: string, protocols: string[] = []): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, maxPayload: 64 << 20 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
  });
}

const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

describe('WebSocket tunnelling', () => {
  let upstream: WsUpstream;
  let gw: TestGateway;
  let floodSender: WebSocket | undefined;

  beforeAll(async () => {
    upstream = await startWsUpstream((ws) => {
      floodSender = ws;
      for (let i = 0; i < FLOOD_MESSAGES; i++) ws.send(Buffer.alloc(FLOOD_SIZE, i % 251));
    });
    gw = await startTestGateway([
      route({ name: 'ws', kind: 'websocket', upstream: { url: upstream.url }, maxBodyBytes: 32 << 20 }),
      route({ name: 'ws-quiet', kind: 'websocket', match: { pathPrefix: '/quiet' }, upstream: { url: upstream.url }, timeouts: { connectMs: 500, headersMs: 1_000, idleMs: 300 } }),
    ]);
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  const wsUrl = (path: string): string => `${gw.http.replace('http:', 'ws:')}${path}`;

  it('echoes a multi-megabyte binary message intact, with the negotiated subprotocol', async () => {
    const ws = await open(wsUrl('/ws/echo'), ['chat.v1']);
    expect(ws.protocol).toBe('chat.v1');
    expect(upstream.lastHeaders()?.['x-forwarded-for']).toBe('127.0.0.1');
    expect(upstream.lastHeaders()?.traceparent).toMatch(/^00-[0-9a-f]{32}-/);
    const payload = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE(i, i);
    const echoed = new Promise<Buffer>((resolve) => ws.once('message', (data) => resolve(data as Buffer)));
    ws.send(payload);
    expect((await echoed).equals(payload)).toBe(true);
    const done = closed(ws);
    ws.close(1000);
    await done;
  });

  it('applies backpressure to the upstream when the client reads slowly, then delivers everything in order', async () => {
    const ws = new WebSocket(wsUrl('/ws/flood'), { perMessageDeflate: false });
    const received: Buffer[] = [];
    ws.on('message', (data) => received.push(data as Buffer));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.pause(); // the slow reader: stops reading from its socket
    await waitFor('the upstream flood to start', () => floodSender !== undefined);
    // Wait for a steady state: the upstream's unsent bytes stop changing.
    let previous = -1;
    await waitFor(
      'steady upstream buffer',
      async () => {
        await new Promise((r) => setTimeout(r, 150));
        const now = floodSender?.bufferedAmount ?? 0;
        const steady = now === previous;
        previous = now;
        return steady;
      },
      10_000,
    );
    // Sockets on the way hold some megabytes; the gateway holds at most ~1 MiB per direction.
    // Without backpressure the gateway would have drained the upstream completely.
    expect(floodSender?.bufferedAmount ?? 0).toBeGreaterThan(24 * FLOOD_SIZE);
    ws.resume();
    await waitFor('all flood messages', () => received.length === FLOOD_MESSAGES, 15_000);
    received.forEach((msg, i) => {
      expect(msg.length).toBe(FLOOD_SIZE);
      expect(msg[0]).toBe(i % 251);
    });
    const done = closed(ws);
    ws.close(1000);
    await done;
  });

  it('forwards a close code to the upstream and leaves no sockets behind', async () => {
    const ws = await open(wsUrl('/ws/echo'));
    const upstreamSide = upstream.latest() as WebSocket;
    const upstreamClosed = closed(upstreamSide);
    const clientClosed = closed(ws);
    ws.close(4001, 'bye');
    expect(await upstreamClosed).toEqual({ code: 4001, reason: 'bye' });
    expect((await clientClosed).code).toBe(4001);
    await waitFor('upstream sockets closed', () => upstream.sockets() === 0);
    await waitFor('no websocket sessions in the gateway', async () => (await metricValue(gw.admin, 'gateway_active_connections', { protocol: 'websocket' })) === 0);
  });

  it('counts a session that ends with a close handshake as 101 and one cut without it (1006) as aborted: the stream SLI', async () => {
    const count = (code: string): Promise<number> => metricValue(gw.admin, 'gateway_requests_total', { route: 'ws', protocol: 'websocket', code });
    const [clean0, cut0] = await Promise.all([count('101'), count('aborted')]);
    const ws = await open(wsUrl('/ws/echo'));
    const done = closed(ws);
    ws.close(1000);
    await done;
    await waitFor('the clean session counted', async () => (await count('101')) === clean0 + 1);
    const cutWs = await open(wsUrl('/ws/echo'));
    const cut = closed(cutWs);
    upstream.latest()?.terminate();
    expect((await cut).code).toBe(1006);
    await waitFor('the cut session counted as aborted', async () => (await count('aborted')) === cut0 + 1);
    expect(await count('101')).toBe(clean0 + 1);
  });

  it('closes the client (abnormally, 1006) when the upstream vanishes, and destroys both sides', async () => {
    const ws = await open(wsUrl('/ws/echo'));
    const clientClosed = closed(ws);
    upstream.latest()?.terminate();
    expect((await clientClosed).code).toBe(1006);
    await waitFor('upstream sockets closed', () => upstream.sockets() === 0);
  });

  it('passes an upstream refusal back to the client and leaks nothing', async () => {
    await expect(open(wsUrl('/ws/refuse'))).rejects.toThrow('status 403');
    await waitFor('upstream sockets closed', () => upstream.sockets() === 0);
    await waitFor('gateway client connections closed', async () => (await metricValue(gw.admin, 'gateway_active_connections', { protocol: 'http' })) === 0);
    expect(await metricValue(gw.admin, 'gateway_upstream_errors_total', { route: 'ws', reason: 'refused-upgrade' })).toBe(1);
  });

  it('answers a plain GET on a websocket route with 426 and an unknown upgrade path with 404', async () => {
    expect((await fetch(`${gw.http}/ws`)).status).toBe(426);
    await expect(open(wsUrl('/nowhere'))).rejects.toThrow('status 404');
  });

  it('closes a silent session with 1001 after the route idle timeout, and tears down the upstream', async () => {
    const ws = await open(wsUrl('/quiet'));
    const upstreamSide = upstream.latest() as WebSocket;
    const upstreamClosed = closed(upstreamSide);
    const result = await closed(ws);
    expect(result).toEqual({ code: 1001, reason: 'idle timeout' });
    expect((await upstreamClosed).code).toBe(1001); // the client's close answer went through
    await waitFor('upstream sockets closed', () => upstream.sockets() === 0);
  });
});
