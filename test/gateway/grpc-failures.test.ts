// gRPC failure timing against a raw node:http2 upstream (exact control over which frames are
// sent when): an upstream reset before response headers is answered at once, and headersMs
// counts from the client's half-close, so an actively streaming call is not cut by it.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { route, startTestGateway, type TestGateway } from './fixtures/test-gateway.ts';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

/** One gRPC message frame: uncompressed flag, 4-byte big-endian length, payload. */
function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

interface RawUpstream {
  url: string;
  /** Messages received by each finished /Collect call, in order. */
  collected: number[];
  close(): Promise<void>;
}

/**
 * Paths (any service):
 * - `…/Cancel`: RST_STREAM CANCEL after 100 ms, no headers.
 * - `…/Reset`: RST_STREAM NO_ERROR after 100 ms, no headers.
 * - `…/Silent`: never answers.
 * - `…/Collect`: counts request messages; response headers only after the client half-closes,
 *   then one message (the count) and grpc-status 0.
 */
async function startRawGrpcUpstream(): Promise<RawUpstream> {
  const collected: number[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const path = String(headers[':path']);
    if (path.endsWith('/Cancel') || path.endsWith('/Reset')) {
      stream.resume();
      const timer = setTimeout(() => stream.close(path.endsWith('/Cancel') ? NGHTTP2_CANCEL : NGHTTP2_NO_ERROR), 100);
      stream.once('close', () => clearTimeout(timer));
      return;
    }
    if (path.endsWith('/Silent')) {
      stream.resume();
      return;
    }
    let pending = Buffer.alloc(0);
    let messages = 0;
    stream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
        pending = pending.subarray(5 + pending.readUInt32BE(1));
        messages++;
      }
    });
    stream.on('end', () => {
      collected.push(messages);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(frame(Buffer.from(String(messages))));
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    collected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

const identity = (b: Buffer): Buffer => b;

interface Outcome {
  code: number;
  details: string;
  value: Buffer | undefined;
  elapsedMs: number;
}

function unary(client: grpc.Client, path: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) =>
    client.makeUnaryRequest(path, identity, identity, Buffer.from('x'), (err: grpc.ServiceError | null, value?: Buffer) =>
      resolve({ code: err?.code ?? grpc.status.OK, details: err?.details ?? '', value, elapsedMs: Date.now() - started }),
    ),
  );
}

describe('gRPC upstream failures and timeouts', () => {
  let upstream: RawUpstream;
  let gw: TestGateway;
  let client: grpc.Client;
  const FAIL_IDLE_MS = 4_000;

  beforeAll(async () => {
    upstream = await startRawGrpcUpstream();
    gw = await startTestGateway([
      route({ name: 'fail', kind: 'grpc', match: { pathPrefix: '/fail.Svc' }, upstream: { url: upstream.url }, timeouts: { connectMs: 500, headersMs: 3_000, idleMs: FAIL_IDLE_MS } }),
      route({ name: 'stream', kind: 'grpc', match: { pathPrefix: '/stream.Svc' }, upstream: { url: upstream.url }, timeouts: { connectMs: 500, headersMs: 1_000, idleMs: 4_000 } }),
    ]);
    client = new grpc.Client(gw.grpc, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await upstream?.close();
  });

  it('answers CANCELLED at once when the upstream resets the stream with CANCEL before responding', async () => {
    const outcome = await unary(client, '/fail.Svc/Cancel');
    expect(outcome.code).toBe(grpc.status.CANCELLED);
    // Generous bound: well before the headers or idle timeout would have answered.
    expect(outcome.elapsedMs).toBeLessThan(FAIL_IDLE_MS / 2);
  });

  it('answers UNAVAILABLE at once when the upstream closes the stream without a response', async () => {
    const outcome = await unary(client, '/fail.Svc/Reset');
    expect(outcome.code).toBe(grpc.status.UNAVAILABLE);
    expect(outcome.elapsedMs).toBeLessThan(FAIL_IDLE_MS / 2);
  });

  it('does not apply headersMs while a client stream is still sending; OK once the upstream answers', async () => {
    const started = Date.now();
    const result = await new Promise<Outcome>((resolve) => {
      const call = client.makeClientStreamRequest('/stream.Svc/Collect', identity, identity, (err: grpc.ServiceError | null, value?: Buffer) =>
        resolve({ code: err?.code ?? grpc.status.OK, details: err?.details ?? '', value, elapsedMs: Date.now() - started }),
      );
      // A message every 250 ms for 2 s: twice the route's headersMs (1 s), half its idleMs (4 s).
      let sent = 0;
      const ticker = setInterval(() => {
        if (sent === 8) {
          clearInterval(ticker);
          call.end();
          return;
        }
        call.write(Buffer.from(`message ${++sent}`));
      }, 250);
      call.on('status', () => clearInterval(ticker));
    });
    expect({ code: result.code, details: result.details }).toEqual({ code: grpc.status.OK, details: '' });
    expect(result.value?.toString()).toBe('8');
    expect(upstream.collected).toContain(8);
  });

  it('still answers DEADLINE_EXCEEDED after headersMs when a unary call gets no response', async () => {
    const outcome = await unary(client, '/stream.Svc/Silent');
    expect(outcome.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(outcome.details).toBe('upstream timeout'); // the headers timer, not the idle one
  });
});
