// A request body that stalls must not hold an upstream pool connection: after the route's idleMs
// without body bytes the gateway answers 408 (connection: close) and frees the connection.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { route, startTestGateway, waitFor, type TestGateway } from './fixtures/test-gateway.ts';
import { startHttpEcho, type EchoSeen } from './fixtures/upstream-servers.ts';

const IDLE_MS = 1_000;

interface Answer {
  status: number | 'cut' | 'no answer';
  connection?: string | undefined;
  body?: string;
}

/** A chunked POST on its own socket; `write` sends one chunk, `end` finishes the body. */
function chunkedPost(url: string, boundMs: number): { write(chunk: string): void; end(): void; answer: Promise<Answer>; destroy(): void } {
  const req = http.request(url, { method: 'POST', agent: false, headers: { 'transfer-encoding': 'chunked', 'content-type': 'text/plain' } });
  let timer: NodeJS.Timeout | undefined;
  const answer = new Promise<Answer>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'no answer' }), boundMs);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }));
      res.on('error', () => resolve({ status: 'cut' }));
    });
    req.on('error', () => resolve({ status: 'cut' }));
  }).finally(() => clearTimeout(timer));
  return {
    write: (chunk) => req.write(chunk),
    end: () => req.end(),
    answer,
    destroy: () => req.destroy(),
  };
}

describe('request body idle timeout', () => {
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startHttpEcho();
    gw = await startTestGateway(
      [route({ name: 'http', kind: 'http', upstream: { url: upstream.url }, timeouts: { connectMs: 500, headersMs: 500, idleMs: IDLE_MS } })],
      { upstreamConnections: 2 },
    );
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  it('stalled chunked uploads get 408 after idleMs and free the pool for other requests', async () => {
    const bound = IDLE_MS + 5_000;
    const stalled = [chunkedPost(`${gw.http}/http/stall-1`, bound), chunkedPost(`${gw.http}/http/stall-2`, bound)];
    try {
      for (const post of stalled) post.write('first chunk, then silence');
      // Both uploads hold one of the two upstream connections.
      await waitFor('both stalled uploads reach the upstream', () => upstream.connections() === 2);
      const get = await fetch(`${gw.http}/http/after`, { signal: AbortSignal.timeout(bound) });
      expect(get.status).toBe(200);
      expect(((await get.json()) as EchoSeen).url).toBe('/http/after');
      for (const post of stalled) {
        const answer = await post.answer;
        expect(answer.status).toBe(408);
        expect(answer.connection).toBe('close');
        expect(answer.body).toContain('request body idle timeout');
      }
    } finally {
      for (const post of stalled) post.destroy();
    }
  });

  it('a slow upload that keeps sending is not cut, even when it lasts longer than idleMs', async () => {
    const post = chunkedPost(`${gw.http}/http/slow-upload`, 10_000);
    try {
      for (let i = 0; i < 6; i++) {
        post.write('0123456789');
        await new Promise((r) => setTimeout(r, IDLE_MS * 0.3));
      }
      post.end();
      const answer = await post.answer;
      expect(answer.status).toBe(200);
      expect((JSON.parse(answer.body ?? '{}') as EchoSeen).bodyBytes).toBe(60);
    } finally {
      post.destroy();
    }
  });
});
