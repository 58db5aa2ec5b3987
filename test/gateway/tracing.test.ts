// Spans and access lines from a real gateway, exported by the real OpenTelemetry SDK and OTLP/HTTP
// exporter to a receiver the test owns; upstreams are real servers on 127.0.0.1.
import * as grpc from '@grpc/grpc-js';
import type { Message } from '@google-cloud/pubsub';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSdkTracing } from '../../gateway/src/tracing-sdk.ts';
import { parseTracingConfig } from '../../gateway/src/tracing-config.ts';
import { createJsonLogger } from '../../gateway/src/logger.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './fixtures/otlp-receiver.ts';
import { route, startTestGateway, waitFor, type TestGateway } from './fixtures/test-gateway.ts';
import { EchoClient, startGrpcUpstream, startHttpEcho, startSseUpstream, startWsUpstream, type EchoSeen } from './fixtures/upstream-servers.ts';
import { findOnPath, startPubSubEmulator } from './fixtures/pubsub-emulator.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

function tracingFor(endpoint: string, extra: Record<string, string> = {}, sink: string[] = []) {
  const config = parseTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_SERVICE_NAME: 'edge-gateway', ...extra });
  if (config === undefined) throw new Error('tracing config expected');
  return createSdkTracing(config, createJsonLogger('debug', (l) => sink.push(l)), 'test');
}

function accessLines(logs: string[]): Array<Record<string, unknown>> {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.message === 'request');
}

describe('gateway tracing (OTLP/HTTP to a local receiver)', () => {
  let receiver: OtlpReceiver;
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let grpcUpstream: Awaited<ReturnType<typeof startGrpcUpstream>>;
  let gw: TestGateway;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    upstream = await startHttpEcho();
    grpcUpstream = await startGrpcUpstream();
    gw = await startTestGateway(
      [
        route({ name: 'orders', kind: 'http', match: { pathPrefix: '/api/orders' }, upstream: { url: upstream.url } }),
        route({ name: 'down', kind: 'http', upstream: { url: 'http://127.0.0.1:1' } }),
        route({ name: 'echo', kind: 'grpc', match: { pathPrefix: '/test.Echo' }, upstream: { url: grpcUpstream.url } }),
      ],
      { tracing: tracingFor(receiver.endpoint, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' }), logProject: 'acme-prod' },
    );
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    await grpcUpstream?.close();
    await receiver?.close();
  });

  afterEach(() => {
    receiver.spans.length = 0;
    gw.logs.length = 0;
  });

  const spansOf = async (traceId: string, count: number): Promise<ReceivedSpan[]> => {
    await waitFor(`${count} spans of ${traceId}`, () => receiver.spans.filter((s) => s.traceId === traceId).length >= count);
    return receiver.spans.filter((s) => s.traceId === traceId);
  };

  it('records a server span under the caller, a client span under it, and sends the client span upstream', async () => {
    const res = await fetch(`${gw.http}/api/orders/42?token=secret`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01`, 'user-agent': 'trace-test' } });
    const seen = (await res.json()) as EchoSeen;
    expect(res.status).toBe(200);
    const spans = await spansOf(TRACE, 2);
    const server = spans.find((s) => s.kind === 2) as ReceivedSpan;
    const client = spans.find((s) => s.kind === 3) as ReceivedSpan;
    expect(server).toMatchObject({ name: 'GET /api/orders', parentSpanId: PARENT });
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/api/orders',
      'gateway.route': 'orders',
      'url.path': '/api/orders/42',
      'http.response.status_code': 200,
      'user_agent.original': 'trace-test',
    });
    expect(JSON.stringify(server.attributes)).not.toContain('secret');
    expect(server.resource).toMatchObject({ 'service.name': 'edge-gateway', 'service.version': 'test' });
    expect(client).toMatchObject({ name: 'GET', parentSpanId: server.spanId });
    expect(client.attributes).toMatchObject({ 'http.response.status_code': 200, 'server.address': '127.0.0.1', 'url.full': `${upstream.url}/api/orders/42` });
    // The upstream sees the gateway's client span as its parent, sampled.
    expect(seen.headers.traceparent).toBe(`00-${TRACE}-${client.spanId}-01`);
    expect(receiver.contentTypes.every((t) => t === 'application/json')).toBe(true);

    // The access line names the same trace and the server span, in Cloud Logging's fields.
    await waitFor('access line', () => accessLines(gw.logs).length > 0);
    const line = accessLines(gw.logs)[0] as Record<string, unknown>;
    expect(line).toMatchObject({
      severity: 'INFO',
      'logging.googleapis.com/trace': `projects/acme-prod/traces/${TRACE}`,
      'logging.googleapis.com/spanId': server.spanId,
      'logging.googleapis.com/trace_sampled': true,
      route: 'orders',
      httpRequest: { requestMethod: 'GET', requestUrl: `http://127.0.0.1:${gw.gateway.httpPort}/api/orders/42`, status: 200, userAgent: 'trace-test', protocol: 'HTTP/1.1', remoteIp: '127.0.0.1' },
    });
    expect((line.httpRequest as { latency: string }).latency).toMatch(/^\d+\.\d{6}s$/);
  });

  it('exports nothing for a caller that did not sample, yet forwards a new span id in the same trace', async () => {
    const trace = 'aaaabbbbccccddddeeeeffff00001111';
    const seen = (await (await fetch(`${gw.http}/api/orders/1`, { headers: { traceparent: `00-${trace}-${PARENT}-00` } })).json()) as EchoSeen;
    expect(seen.headers.traceparent).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-00$`));
    expect(seen.headers.traceparent).not.toContain(PARENT);
    await waitFor('access line', () => accessLines(gw.logs).length > 0);
    expect(accessLines(gw.logs)[0]).toMatchObject({ 'logging.googleapis.com/trace': `projects/acme-prod/traces/${trace}`, 'logging.googleapis.com/trace_sampled': false });
    await new Promise((r) => setTimeout(r, 200)); // longer than the batch delay
    expect(receiver.spans.filter((s) => s.traceId === trace)).toEqual([]);
  });

  it('marks a failed upstream call as an error on both spans and logs the 502 as ERROR', async () => {
    const trace = '0123456789abcdef0123456789abcdef';
    const res = await fetch(`${gw.http}/down/x`, { headers: { traceparent: `00-${trace}-${PARENT}-01` } });
    expect(res.status).toBe(502);
    const spans = await spansOf(trace, 2);
    const server = spans.find((s) => s.kind === 2) as ReceivedSpan;
    const client = spans.find((s) => s.kind === 3) as ReceivedSpan;
    expect(server.status.code).toBe(2);
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 502, 'error.type': '502' });
    expect(client.status.code).toBe(2);
    expect(client.attributes['error.type']).toBe('connect');
    await waitFor('access line', () => accessLines(gw.logs).length > 0);
    expect(accessLines(gw.logs)[0]).toMatchObject({ severity: 'ERROR', httpRequest: { status: 502 } });
  });

  it('records a gRPC call with RPC attributes and the status the client got', async () => {
    const trace = 'fedcba9876543210fedcba9876543210';
    const client = new EchoClient(gw.grpc, grpc.credentials.createInsecure());
    const metadata = new grpc.Metadata();
    metadata.set('traceparent', `00-${trace}-${PARENT}-01`);
    const identity = (b: Buffer): Buffer => b;
    const call = client.makeBidiStreamRequest('/test.Echo/Chat', identity, identity, metadata);
    const status = new Promise<grpc.StatusObject>((resolve) => call.once('status', resolve));
    call.on('data', () => undefined);
    call.write(Buffer.from('hi'));
    call.end();
    expect((await status).code).toBe(grpc.status.OK);
    client.close();
    const spans = await spansOf(trace, 2);
    const server = spans.find((s) => s.kind === 2) as ReceivedSpan;
    const upstreamSpan = spans.find((s) => s.kind === 3) as ReceivedSpan;
    expect(server).toMatchObject({ name: 'test.Echo/Chat', parentSpanId: PARENT });
    expect(server.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'test.Echo', 'rpc.method': 'Chat', 'rpc.grpc.status_code': 0, 'gateway.route': 'echo' });
    expect(upstreamSpan.parentSpanId).toBe(server.spanId);
    expect(String(grpcUpstream.metadataSeen()?.get('traceparent')[0])).toBe(`00-${trace}-${upstreamSpan.spanId}-01`);
    await waitFor('access line', () => accessLines(gw.logs).length > 0);
    expect(accessLines(gw.logs)[0]).toMatchObject({ grpcStatus: 0, httpRequest: { protocol: 'HTTP/2' }, 'logging.googleapis.com/spanId': server.spanId });
  });
});

describe('gateway tracing with the collector unreachable', () => {
  it('serves requests, logs the failed export, and drains within its budget', async () => {
    const upstream = await startHttpEcho();
    // A receiver that was started and stopped: its port refuses connections.
    const gone = await startOtlpReceiver();
    await gone.close();
    const exportLogs: string[] = [];
    const gw = await startTestGateway([route({ name: 'orders', kind: 'http', upstream: { url: upstream.url } })], {
      tracing: tracingFor(gone.endpoint, { OTEL_TRACES_SAMPLER: 'always_on', OTEL_EXPORTER_OTLP_TIMEOUT: '500' }, exportLogs),
      drainTimeoutMs: 1_000,
      traceFlushMinMs: 500,
    });
    try {
      for (let i = 0; i < 20; i++) expect((await fetch(`${gw.http}/orders/${i}`)).status).toBe(200);
      await waitFor('export failure logged', () => exportLogs.some((l) => l.includes('trace export failed')));
    } finally {
      const started = performance.now();
      await gw.stop();
      expect(performance.now() - started).toBeLessThan(1_000 + 500 + 500);
      await upstream.close();
    }
  });
});

describe('tracing off', () => {
  it('forwards the caller traceparent unchanged and still logs its trace id', async () => {
    const upstream = await startHttpEcho();
    const gw = await startTestGateway([route({ name: 'orders', kind: 'http', upstream: { url: upstream.url } })], { logProject: 'acme-dev' });
    try {
      const traceparent = `00-${TRACE}-${PARENT}-01`;
      const seen = (await (await fetch(`${gw.http}/orders/1`, { headers: { traceparent } })).json()) as EchoSeen;
      expect(seen.headers.traceparent).toBe(traceparent);
      await waitFor('access line', () => accessLines(gw.logs).length > 0);
      const line = accessLines(gw.logs)[0] as Record<string, unknown>;
      expect(line['logging.googleapis.com/trace']).toBe(`projects/acme-dev/traces/${TRACE}`);
      expect(line['logging.googleapis.com/spanId']).toBeUndefined();
    } finally {
      await gw.stop();
      await upstream.close();
    }
  });
});

describe('gateway tracing of WebSocket handshakes', () => {
  it('ends the server span at the 101 and sends the upstream its client span; a refusal carries the status', async () => {
    const receiver = await startOtlpReceiver();
    const ws = await startWsUpstream();
    const gw = await startTestGateway([route({ name: 'ws', kind: 'websocket', upstream: { url: ws.url } })], {
      tracing: tracingFor(receiver.endpoint, { OTEL_TRACES_SAMPLER: 'parentbased_always_on' }),
      logProject: 'acme-prod',
    });
    try {
      const trace = '11112222333344445555666677778888';
      const client = new WebSocket(`${gw.http.replace('http', 'ws')}/ws/chat`, { headers: { traceparent: `00-${trace}-${PARENT}-01` } });
      await new Promise<void>((resolve, reject) => {
        client.once('open', () => resolve());
        client.once('error', reject);
      });
      await waitFor('two spans', () => receiver.spans.filter((s) => s.traceId === trace).length >= 2);
      const spans = receiver.spans.filter((s) => s.traceId === trace);
      const server = spans.find((s) => s.kind === 2) as ReceivedSpan;
      const upstreamSpan = spans.find((s) => s.kind === 3) as ReceivedSpan;
      expect(server).toMatchObject({ name: 'GET /ws', parentSpanId: PARENT });
      expect(server.attributes).toMatchObject({ 'http.response.status_code': 101, 'gateway.route': 'ws' });
      expect(upstreamSpan.parentSpanId).toBe(server.spanId);
      expect(ws.lastHeaders()?.traceparent).toBe(`00-${trace}-${upstreamSpan.spanId}-01`);
      client.close();

      const refused = '9999aaaabbbbccccddddeeeeffff0000';
      const denied = new WebSocket(`${gw.http.replace('http', 'ws')}/ws/refuse`, { headers: { traceparent: `00-${refused}-${PARENT}-01` } });
      denied.on('error', () => undefined); // terminating a refused handshake reports it closed early
      const status = await new Promise<number>((resolve) => denied.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
      denied.terminate();
      expect(status).toBe(403);
      await waitFor('refusal spans', () => receiver.spans.filter((s) => s.traceId === refused).length >= 2);
      expect(receiver.spans.find((s) => s.traceId === refused && s.kind === 2)?.attributes['http.response.status_code']).toBe(403);
      await waitFor('access line', () => accessLines(gw.logs).some((l) => (l.httpRequest as { status: number }).status === 403));
    } finally {
      await gw.stop();
      await ws.close();
      await receiver.close();
    }
  });
});

const hasGcloud = findOnPath('gcloud') !== undefined;
const skipPubSub = !hasGcloud && process.env.CI !== 'true';

describe.skipIf(skipPubSub)(`gateway tracing of a Pub/Sub publish${skipPubSub ? ' (skipped: gcloud is not on PATH and CI is not true)' : ''}`, () => {
  it('records a producer span under the server span, and the message carries its traceparent', async () => {
    const emulator = await startPubSubEmulator();
    process.env.PUBSUB_EMULATOR_HOST = emulator.hostPort;
    const receiver = await startOtlpReceiver();
    const { PubSub } = await import('@google-cloud/pubsub');
    const pubsub = new PubSub({ projectId: 'tracing-test' });
    let gw: TestGateway | undefined;
    try {
      const [topic] = await pubsub.createTopic('ingest');
      const [subscription] = await topic.createSubscription('ingest-sub');
      const received: Message[] = [];
      subscription.on('message', (m: Message) => {
        received.push(m);
        m.ack();
      });
      gw = await startTestGateway([route({ name: 'ingest', kind: 'events', topic: 'projects/tracing-test/topics/ingest', maxBodyBytes: 1024 })], {
        tracing: tracingFor(receiver.endpoint, { OTEL_TRACES_SAMPLER: 'parentbased_always_on' }),
      });
      const trace = 'abababababababababababababababab';
      const res = await fetch(`${gw.http}/ingest/orders`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${trace}-${PARENT}-01` }, body: '{"order":1}' });
      expect(res.status).toBe(202);
      const { messageId } = (await res.json()) as { messageId: string };
      await waitFor('two spans', () => receiver.spans.filter((s) => s.traceId === trace).length >= 2, 10_000);
      const spans = receiver.spans.filter((s) => s.traceId === trace);
      const server = spans.find((s) => s.kind === 2) as ReceivedSpan;
      const producer = spans.find((s) => s.kind === 4) as ReceivedSpan;
      expect(producer).toMatchObject({ name: 'send projects/tracing-test/topics/ingest', parentSpanId: server.spanId });
      expect(producer.attributes).toMatchObject({ 'messaging.system': 'gcp_pubsub', 'messaging.operation.type': 'send', 'messaging.message.id': messageId });
      await waitFor('message', () => received.some((m) => m.id === messageId), 10_000);
      expect(received.find((m) => m.id === messageId)?.attributes.traceparent).toBe(`00-${trace}-${producer.spanId}-01`);
      await subscription.close();
    } finally {
      await gw?.stop();
      await pubsub.close().catch(() => undefined);
      await receiver.close();
      await emulator.stop();
      delete process.env.PUBSUB_EMULATOR_HOST;
    }
  }, 90_000);
});

describe('a client that leaves an SSE stream', () => {
  it('is no server error: the span says client_aborted and has no error status, the access line is INFO', async () => {
    const receiver = await startOtlpReceiver();
    const sse = await startSseUpstream();
    const gw = await startTestGateway([route({ name: 'feed', kind: 'sse', upstream: { url: sse.url } })], {
      tracing: tracingFor(receiver.endpoint, { OTEL_TRACES_SAMPLER: 'parentbased_always_on' }),
    });
    try {
      const trace = 'cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd';
      const controller = new AbortController();
      const res = await fetch(`${gw.http}/feed/stream`, { headers: { traceparent: `00-${trace}-${PARENT}-01` }, signal: controller.signal });
      expect(res.status).toBe(200);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read(); // the first event
      controller.abort();
      await waitFor('server span', () => receiver.spans.some((s) => s.traceId === trace && s.kind === 2));
      const server = receiver.spans.find((s) => s.traceId === trace && s.kind === 2) as ReceivedSpan;
      expect(server.attributes).toMatchObject({ 'gateway.client_aborted': true, 'http.response.status_code': 200 });
      expect(server.status.code ?? 0).not.toBe(2);
      await waitFor('access line', () => accessLines(gw.logs).length > 0);
      expect(accessLines(gw.logs)[0]).toMatchObject({ severity: 'INFO', aborted: true, httpRequest: { status: 200 } });
    } finally {
      sse.release();
      await gw.stop();
      await sse.close();
      await receiver.close();
    }
  });
});
