// HTTP/1.1 proxying through a real gateway to a real upstream, with undici as the client.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, route, startTestGateway, type TestGateway } from './fixtures/test-gateway.ts';
import { startHttpEcho, type EchoSeen } from './fixtures/upstream-servers.ts';

describe('HTTP proxying', () => {
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let gw: TestGateway;
  const agent = new Agent({ keepAliveTimeout: 1_000 });

  beforeAll(async () => {
    upstream = await startHttpEcho();
    gw = await startTestGateway([
      route({ name: 'http', kind: 'http', upstream: { url: upstream.url }, maxBodyBytes: 1024 }),
      route({ name: 'limited', kind: 'http', upstream: { url: upstream.url }, rateLimit: { requestsPerSecond: 0.5, burst: 2 } }),
      route({ name: 'down', kind: 'http', upstream: { url: 'http://127.0.0.1:1' } }),
      route({ name: 'slow', kind: 'http', match: { pathPrefix: '/http/slow-headers' }, upstream: { url: upstream.url }, timeouts: { connectMs: 500, headersMs: 300, idleMs: 1_000 } }),
    ]);
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    await agent.close();
  });

  async function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    const res = await request(`${gw.http}${pathname}`, { headers, dispatcher: agent });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  it('forwards method, path and body and strips hop-by-hop fields both ways', async () => {
    // node:http as the client: undici refuses to send Connection/Keep-Alive fields itself.
    const { status, headers, body } = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request(`${gw.http}/http/echo?q=1`, {
        method: 'POST',
        headers: { connection: 'keep-alive, x-private-hop', 'x-private-hop': 'secret', 'keep-alive': 'timeout=5', 'x-end-to-end': 'kept', 'proxy-connection': 'x', te: 'gzip' },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end('hello');
    });
    expect(status).toBe(200);
    const seen = JSON.parse(body) as EchoSeen;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/http/echo?q=1');
    expect(seen.bodyBytes).toBe(5);
    expect(seen.headers['x-end-to-end']).toBe('kept');
    expect(seen.headers['x-private-hop']).toBeUndefined();
    expect(seen.headers['proxy-connection']).toBeUndefined();
    expect(seen.headers['keep-alive']).toBeUndefined();
    expect(seen.headers.te).toBeUndefined();
    // The upstream named x-upstream-private in its Connection header: it must not reach us.
    expect(headers['x-upstream-private']).toBeUndefined();
    expect(headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('appends X-Forwarded-For, sets X-Forwarded-Proto and keeps a valid traceparent and request id', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { text, headers } = await get('/http/x', { 'x-forwarded-for': '203.0.113.9', traceparent, 'x-request-id': 'req-123' });
    const seen = JSON.parse(text) as EchoSeen;
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers.traceparent).toBe(traceparent);
    expect(seen.headers['x-request-id']).toBe('req-123');
    expect(headers['x-request-id']).toBe('req-123');
  });

  it('creates a traceparent when the incoming one is missing or invalid', async () => {
    const seen = JSON.parse((await get('/http/x', { traceparent: '00-zz-bad' })).text) as EchoSeen;
    expect(seen.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('answers 404 for an unknown path and respects segment boundaries', async () => {
    expect((await get('/nowhere')).status).toBe(404);
    expect((await get('/httpx')).status).toBe(404);
  });

  it('answers 413 on a declared Content-Length over the limit', async () => {
    const res = await request(`${gw.http}/http/big`, { method: 'POST', body: Buffer.alloc(2048), dispatcher: agent });
    expect(res.statusCode).toBe(413);
    await res.body.dump();
  });

  it('answers 413 on a chunked body that streams past the limit', async () => {
    const chunks = [Buffer.alloc(600), Buffer.alloc(600)];
    const res = await request(`${gw.http}/http/big`, { method: 'POST', body: Readable.from(chunks), dispatcher: agent });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/json');
    await res.body.dump();
  });

  it('passes a chunked body under the limit', async () => {
    const res = await request(`${gw.http}/http/ok`, { method: 'POST', body: Readable.from([Buffer.alloc(300), Buffer.alloc(300)]), dispatcher: agent });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as EchoSeen).bodyBytes).toBe(600);
  });

  it('handles Expect: 100-continue (answered by the gateway, not forwarded)', async () => {
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${gw.http}/http/continue`, { method: 'PUT', headers: { expect: '100-continue', 'content-length': '3' } });
      req.on('continue', () => req.end('abc'));
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
    });
    expect(result.status).toBe(200);
    const seen = JSON.parse(result.body) as EchoSeen;
    expect(seen.bodyBytes).toBe(3);
    expect(seen.headers.expect).toBeUndefined();
  });

  it('rate-limits per client with 429 and Retry-After after the burst', async () => {
    const statuses: number[] = [];
    let retryAfter: string | string[] | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await get('/limited');
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'];
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('answers 502 when the upstream refuses connections and counts the upstream error', async () => {
    const res = await get('/down');
    expect(res.status).toBe(502);
    expect(res.text).not.toMatch(/at .*\.ts|ECONNREFUSED/);
    expect(await metricValue(gw.admin, 'gateway_upstream_errors_total', { route: 'down', reason: 'connect' })).toBe(1);
  });

  it('answers 504 when the upstream does not send headers within headersMs', async () => {
    const res = await get('/http/slow-headers');
    expect(res.status).toBe(504);
  });

  it('exports RED metrics per route and protocol', async () => {
    expect(await metricValue(gw.admin, 'gateway_requests_total', { route: 'http', protocol: 'http', code: '200' })).toBeGreaterThanOrEqual(3);
    expect(await metricValue(gw.admin, 'gateway_request_duration_seconds_count', { route: 'http', protocol: 'http' })).toBeGreaterThanOrEqual(3);
    const ready = await fetch(`${gw.admin}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${gw.admin}/healthz`)).status).toBe(200);
  });
});

describe('API key auth', () => {
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startHttpEcho();
    gw = await startTestGateway([]);
    const keysFile = path.join(gw.dir, 'api-keys.sha256');
    await writeFile(keysFile, `# digests only\n${createHash('sha256').update('s3cret-key').digest('hex')}\n`);
    await writeFile(
      gw.routesFile,
      JSON.stringify({ version: 1, routes: [route({ name: 'keyed', kind: 'http', upstream: { url: upstream.url }, auth: { type: 'api-key', header: 'x-api-key', keysFile } })] }),
    );
    const { waitFor } = await import('./fixtures/test-gateway.ts');
    await waitFor('keyed route', async () => (await fetch(`${gw.http}/keyed`)).status !== 404);
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  it('accepts a key whose digest is listed and rejects others with 401 and WWW-Authenticate', async () => {
    expect((await fetch(`${gw.http}/keyed`, { headers: { 'x-api-key': 's3cret-key' } })).status).toBe(200);
    const wrong = await fetch(`${gw.http}/keyed`, { headers: { 'x-api-key': 'guess' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('ApiKey');
    const missing = await fetch(`${gw.http}/keyed`);
    expect(missing.status).toBe(401);
    expect(await missing.text()).not.toContain('    at ');
  });
});

describe('client disconnects', () => {
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startHttpEcho();
    // One upstream connection, so a request can be queued behind another.
    gw = await startTestGateway([route({ name: 'http', kind: 'http', upstream: { url: upstream.url }, timeouts: { connectMs: 500, headersMs: 20_000, idleMs: 20_000 } })], {
      upstreamConnections: 1,
    });
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  it('a client that leaves while its request is queued does not wedge the pool connection', async () => {
    const first = fetch(`${gw.http}/http/first?delay=300`);
    const leaving = new AbortController();
    const queued = fetch(`${gw.http}/http/queued`, { signal: leaving.signal }).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 100));
    leaving.abort();
    expect((await first).status).toBe(200);
    expect(await queued).toBeInstanceOf(Error);
    // With a wedged connection this would wait for the 20 s idle timeout.
    const next = await fetch(`${gw.http}/http/next`, { signal: AbortSignal.timeout(5_000) });
    expect(next.status).toBe(200);
  });
});
