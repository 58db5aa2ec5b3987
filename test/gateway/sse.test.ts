// SSE through the gateway: each event reaches the client before the upstream sends the next
// (the upstream waits for the test to see event one), so any buffering would hang the test.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { route, startTestGateway, waitFor, type TestGateway } from './fixtures/test-gateway.ts';
import { startSseUpstream } from './fixtures/upstream-servers.ts';

describe('SSE', () => {
  let upstream: Awaited<ReturnType<typeof startSseUpstream>>;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startSseUpstream();
    gw = await startTestGateway([
      route({ name: 'feed', kind: 'sse', upstream: { url: upstream.url } }),
      route({ name: 'quiet', kind: 'sse', upstream: { url: upstream.url }, timeouts: { connectMs: 500, headersMs: 1_000, idleMs: 300 } }),
    ]);
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  it('streams events one by one, unbuffered and uncompressed', async () => {
    const received: string[] = [];
    let headers: http.IncomingHttpHeaders = {};
    const ended = new Promise<void>((resolve, reject) => {
      const req = http.get(`${gw.http}/feed`, { headers: { accept: 'text/event-stream', 'accept-encoding': 'gzip, br' } }, (res) => {
        headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => received.push(chunk));
        res.on('end', () => resolve());
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    await waitFor('first event', () => received.join('').includes('data: first'));
    expect(received.join('')).not.toContain('second');
    expect(headers['content-type']).toBe('text/event-stream');
    expect(headers['content-encoding']).toBeUndefined();
    expect(headers['x-accel-buffering']).toBe('no');
    upstream.release();
    await ended;
    expect(received.join('')).toBe('event: tick\ndata: first\n\nevent: tick\ndata: second\n\n');
  });

  it('cuts a stream that stays silent longer than the route idle timeout (no fake clean end)', async () => {
    let text = '';
    const outcome = await new Promise<string>((resolve) => {
      http.get(`${gw.http}/quiet`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve('end'));
        res.on('error', () => resolve('error'));
        res.on('aborted', () => resolve('aborted'));
      }).on('error', () => resolve('error'));
    });
    expect(text).toContain('data: first');
    expect(outcome).not.toBe('end');
    upstream.release();
  });
});
