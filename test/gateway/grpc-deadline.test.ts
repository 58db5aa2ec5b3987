// A unary call may think longer than the stream idle limit: from the client's half-close to the
// response headers only headersMs applies (inference: a 120 s deadline, a 60 s idle limit).
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { route, startTestGateway, type TestGateway } from './fixtures/test-gateway.ts';

const bytes = { serialize: (b: Buffer): Buffer => b, deserialize: (b: Buffer): Buffer => b };
const think: grpc.ServiceDefinition = {
  Think: { path: '/test.Think/Think', requestStream: false, responseStream: false, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
};
const ThinkClient = grpc.makeGenericClientConstructor(think, 'Think');

describe('gRPC unary deadline versus stream idle', () => {
  let server: grpc.Server;
  let gw: TestGateway;
  let client: grpc.Client;

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(think, {
      Think: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
        setTimeout(() => done(null, Buffer.from('thought')), Number(call.request.toString()));
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    gw = await startTestGateway([
      route({ name: 'think', kind: 'grpc', match: { pathPrefix: '/test.Think' }, upstream: { url: `http://127.0.0.1:${port}` }, timeouts: { connectMs: 500, headersMs: 1_500, idleMs: 400 } }),
    ]);
    client = new ThinkClient(gw.grpc, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await gw?.stop();
    server?.forceShutdown();
  });

  const ask = (ms: number): Promise<{ err: grpc.ServiceError | null; value?: Buffer }> =>
    new Promise((resolve) => client.makeUnaryRequest('/test.Think/Think', bytes.serialize, bytes.deserialize, Buffer.from(String(ms)), (err, value) => resolve({ err, value })));

  it('answers a call that thinks longer than idleMs but within headersMs', async () => {
    const { err, value } = await ask(900);
    expect(err).toBeNull();
    expect(value?.toString()).toBe('thought');
  });

  it('gives DEADLINE_EXCEEDED at headersMs, not at idleMs', async () => {
    const started = Date.now();
    const { err } = await ask(3_000);
    expect(err?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });
});
