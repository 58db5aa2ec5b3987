// gRPC pass-through on the h2c listener with real @grpc/grpc-js clients and server.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJwksServer, type JwksServer } from './fixtures/jwks-server.ts';
import { metricValue, route, startTestGateway, waitFor, type TestGateway } from './fixtures/test-gateway.ts';
import { EchoClient, startGrpcUpstream } from './fixtures/upstream-servers.ts';

type Bidi = grpc.ClientDuplexStream<Buffer, Buffer>;

function nextMessage(call: Bidi): Promise<string> {
  return new Promise((resolve, reject) => {
    call.once('data', (msg: Buffer) => resolve(msg.toString()));
    call.once('error', reject);
  });
}

function statusOf(call: { once(event: 'status', cb: (s: grpc.StatusObject) => void): unknown }): Promise<grpc.StatusObject> {
  return new Promise((resolve) => call.once('status', resolve));
}

describe('gRPC pass-through (h2c)', () => {
  let upstream: Awaited<ReturnType<typeof startGrpcUpstream>>;
  let jwks: JwksServer;
  let gw: TestGateway;
  let client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;

  beforeAll(async () => {
    upstream = await startGrpcUpstream();
    jwks = await startJwksServer();
    gw = await startTestGateway([
      route({ name: 'echo', kind: 'grpc', match: { pathPrefix: '/test.Echo' }, upstream: { url: upstream.url } }),
      route({ name: 'down', kind: 'grpc', match: { pathPrefix: '/down.Svc' }, upstream: { url: 'http://127.0.0.1:1' } }),
      route({
        name: 'secure',
        kind: 'grpc',
        match: { pathPrefix: '/secure.Svc' },
        upstream: { url: upstream.url },
        auth: { type: 'jwt', jwksUri: jwks.jwksUri, issuer: jwks.issuer, audiences: ['api://grpc'], algorithms: ['RS256'] },
      }),
    ]);
    client = new EchoClient(gw.grpc, grpc.credentials.createInsecure()) as typeof client;
  });

  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await upstream?.close();
    await jwks?.close();
  });

  const identity = (b: Buffer): Buffer => b;

  it('streams both ways message by message and forwards trailers', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-tenant', 'acme');
    const call = client.makeBidiStreamRequest('/test.Echo/Chat', identity, identity, metadata) as Bidi;
    const status = statusOf(call);
    // Each reply arrives before the next request is sent: neither direction is buffered.
    for (const word of ['alpha', 'beta', 'gamma']) {
      call.write(Buffer.from(word));
      expect(await nextMessage(call)).toBe(word.toUpperCase());
    }
    call.end();
    const final = await status;
    expect(final.code).toBe(grpc.status.OK);
    expect(final.metadata.get('x-count')).toEqual(['3']);
    const seen = upstream.metadataSeen();
    expect(seen?.get('x-tenant')).toEqual(['acme']);
    expect(String(seen?.get('traceparent')[0])).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(seen?.get('x-forwarded-for')).toEqual(['127.0.0.1']);
  });

  it('passes a non-OK status that follows messages', async () => {
    const call = client.makeBidiStreamRequest('/test.Echo/Chat', identity, identity) as Bidi;
    const status = statusOf(call);
    call.on('error', () => undefined);
    call.write(Buffer.from('one'));
    expect(await nextMessage(call)).toBe('ONE');
    call.write(Buffer.from('fail'));
    const final = await status;
    expect(final.code).toBe(grpc.status.ABORTED);
    expect(final.details).toBe('asked to fail');
  });

  it('propagates a client cancellation to the upstream', async () => {
    const call = client.makeBidiStreamRequest('/test.Echo/Chat', identity, identity) as Bidi;
    call.on('error', () => undefined);
    const status = statusOf(call);
    call.write(Buffer.from('hi'));
    expect(await nextMessage(call)).toBe('HI');
    const before = upstream.cancelled();
    call.cancel();
    expect((await status).code).toBe(grpc.status.CANCELLED);
    await waitFor('upstream sees the cancellation', () => upstream.cancelled() === before + 1);
  });

  it('passes a trailers-only error response', async () => {
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      client.makeUnaryRequest('/test.Echo/Fail', identity, identity, Buffer.from('x'), (e: grpc.ServiceError | null) => resolve(e as grpc.ServiceError));
    });
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err.details).toBe('no entry');
    expect(await metricValue(gw.admin, 'gateway_requests_total', { route: 'echo', protocol: 'grpc', code: '7' })).toBe(1);
  });

  it('answers UNIMPLEMENTED for an unrouted service and UNAVAILABLE for a dead upstream', async () => {
    const call = (path: string): Promise<grpc.ServiceError> =>
      new Promise((resolve) => client.makeUnaryRequest(path, identity, identity, Buffer.from('x'), (e: grpc.ServiceError | null) => resolve(e as grpc.ServiceError)));
    expect((await call('/other.Svc/Method')).code).toBe(grpc.status.UNIMPLEMENTED);
    expect((await call('/down.Svc/Method')).code).toBe(grpc.status.UNAVAILABLE);
  });

  it('answers UNAUTHENTICATED without a valid token and proxies with one', async () => {
    const call = (metadata: grpc.Metadata): Promise<grpc.ServiceError | null> =>
      new Promise((resolve) => client.makeUnaryRequest('/secure.Svc/Method', identity, identity, Buffer.from('x'), metadata, (e: grpc.ServiceError | null) => resolve(e)));
    expect((await call(new grpc.Metadata()))?.code).toBe(grpc.status.UNAUTHENTICATED);
    const ok = new grpc.Metadata();
    ok.set('authorization', `Bearer ${await jwks.sign({ sub: 'svc', aud: 'api://grpc' })}`);
    // Authenticated: the request reaches the upstream, which does not implement this method.
    expect((await call(ok))?.code).toBe(grpc.status.UNIMPLEMENTED);
  });
});
