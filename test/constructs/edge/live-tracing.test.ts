// One request followed, live: the generated prod nginx.conf in real nginx, in front of the real
// gateway bundle configured for tracing by the standard OTEL_* variables only, exporting with the
// real OpenTelemetry OTLP/HTTP exporter to a receiver this test owns; a local upstream records
// what it was sent. The trace id must be the same in nginx's access line, the gateway's access
// line and the spans; the upstream must see the gateway's span as its parent. Then the receiver
// goes away: requests still succeed and the gateway still drains with exit 0 within its budget.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOf } from '../../plan-fixtures.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../gateway/fixtures/otlp-receiver.ts';
import { waitFor } from '../../gateway/fixtures/test-gateway.ts';
import { buildBundle, selfSignedCertificate, startLiveEdge, tools, type EdgeUpstreams, type LiveEdge } from './fixtures/live-edge.ts';

const have = tools();
const missing = [!have.nginx && 'nginx (Debian nginx-light)', !have.openssl && 'openssl'].filter(Boolean);
if (missing.length > 0 && process.env.CI === 'true') throw new Error(`CI must run the live tracing test; missing: ${missing.join(', ')}`);
const suite = missing.length > 0 ? describe.skip : describe;
if (missing.length > 0) console.warn(`live tracing test skipped: ${missing.join(', ')} not found`);

const toLoopback: LookupFunction = (_host, opts, cb) =>
  (opts as { all?: boolean }).all
    ? (cb as unknown as (err: null, all: LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }])
    : cb(null, '127.0.0.1', 4);

interface Feed {
  url: string;
  seen: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** The market feed's stand-in: one SSE event, then the end; records the headers it got. */
async function startFeed(): Promise<Feed> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end('id: 1\ndata: {"n":1}\n\n');
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

suite('one request followed through real nginx and the real gateway bundle (OTLP/HTTP to a local receiver)', () => {
  const plan = planOf('prod');
  const host = plan.env.edge.domains[0] as string;
  const project = plan.env.gcp.projectId;
  const API_KEY = 'feed-key-for-the-tracing-test';
  const DRAIN_TIMEOUT_MS = 3_000;
  const loopback = new Agent({ connect: { lookup: toLoopback } });
  let work: string;
  let receiver: OtlpReceiver;
  let feed: Feed;
  let edge: LiveEdge;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'edge-tracing-'));
    let bundle: string;
    let tls: { certificate: string; key: string };
    [bundle, tls, receiver, feed] = await Promise.all([buildBundle(work), selfSignedCertificate(work, have.openssl as string), startOtlpReceiver(), startFeed()]);
    const keysDir = path.join(work, 'keys');
    await mkdir(keysDir);
    await writeFile(path.join(keysDir, 'market-feed'), `${createHash('sha256').update(API_KEY).digest('hex')}\n`);
    const nowhere = 'http://127.0.0.1:9';
    const upstreams: EdgeUpstreams = {
      kongHttp: '127.0.0.1:9',
      kongGrpc: '127.0.0.1:9',
      gateway: { 'market-feed': feed.url, chat: nowhere, 'llm-inference': nowhere },
      jwksUris: {},
      apiKeysDir: keysDir,
    };
    edge = await startLiveEdge({
      plan,
      timeScale: 1,
      upstreams,
      bundle,
      nginx: have.nginx as string,
      tls,
      // As the edge chart runs it: the project from the catalog; tracing from OTEL_* alone.
      gatewayArgs: ['--pubsub-project', project, '--drain-timeout-ms', String(DRAIN_TIMEOUT_MS)],
      gatewayEnv: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.01',
        OTEL_SERVICE_NAME: 'edge-gateway',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,k8s.namespace.name=edge',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    await Promise.all([receiver?.close(), feed?.close()]);
    await loopback.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the same trace id is in nginx\'s access line, the gateway\'s access line and the spans; the upstream sees the gateway\'s span', async () => {
    const traceId = createHash('sha256').update(`trace-${Date.now()}`).digest('hex').slice(0, 32);
    const callerSpan = 'b7ad6b7169203331';
    const res = await fetch(`http://${host}:${edge.httpPort}/v1/feed/stream?key=not-logged`, {
      dispatcher: loopback,
      headers: { 'x-api-key': API_KEY, accept: 'text/event-stream', traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    expect(res.status, edge.logs()).toBe(200);
    expect(await res.text()).toContain('data: {"n":1}');

    // The spans: a server span under the caller's span, with the route; a client span under it.
    await waitFor('two spans', () => receiver.spans.filter((s) => s.traceId === traceId).length >= 2, 10_000);
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    const server = spans.find((s) => s.kind === 2) as ReceivedSpan;
    const client = spans.find((s) => s.kind === 3) as ReceivedSpan;
    expect(server, JSON.stringify(spans)).toBeDefined();
    expect(server.parentSpanId).toBe(callerSpan);
    expect(server.name).toBe('GET /v1/feed/stream');
    expect(server.attributes).toMatchObject({ 'http.route': '/v1/feed/stream', 'gateway.route': 'market-feed', 'http.response.status_code': 200, 'http.request.method': 'GET' });
    expect(server.resource).toMatchObject({ 'service.name': 'edge-gateway', 'deployment.environment.name': 'prod' });
    expect(client.parentSpanId).toBe(server.spanId);
    expect(client.attributes).toMatchObject({ 'http.response.status_code': 200, 'url.full': `${feed.url}/v1/feed/stream` });

    // The upstream's parent is the gateway's client span, in the same trace, sampled.
    expect(feed.seen.at(-1)?.traceparent).toBe(`00-${traceId}-${client.spanId}-01`);

    // The gateway's access line: Cloud Logging's fields, the catalog's project, the server span.
    const traceField = `projects/${project}/traces/${traceId}`;
    await waitFor('gateway access line', () => jsonLines(edge.gatewayLogs()).some((l) => l['logging.googleapis.com/trace'] === traceField));
    const gatewayLine = jsonLines(edge.gatewayLogs()).find((l) => l['logging.googleapis.com/trace'] === traceField) as Record<string, unknown>;
    expect(gatewayLine).toMatchObject({ severity: 'INFO', message: 'request', route: 'market-feed', 'logging.googleapis.com/spanId': server.spanId, httpRequest: { status: 200, requestMethod: 'GET' } });
    expect(JSON.stringify(gatewayLine)).not.toContain('not-logged');

    // nginx's access line for the same request carries the same trace field.
    await waitFor('nginx access line', async () => (await edge.accessLog()).includes(traceId));
    const nginxLine = jsonLines(await edge.accessLog()).find((l) => l['logging.googleapis.com/trace'] === traceField) as Record<string, unknown>;
    expect(nginxLine).toMatchObject({ severity: 'INFO', route: 'market-feed', status: 200, httpRequest: { requestMethod: 'GET', status: 200 } });
    expect(nginxLine.request_id).toBe(gatewayLine.requestId);
  });

  it('with the receiver gone, requests still succeed and the drain exits 0 within its budget', async () => {
    await receiver.close();
    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    // The route's rate limit (60 a minute, burst 1) allows a request a second.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1_100));
      const res = await fetch(`http://${host}:${edge.httpPort}/v1/feed/stream`, {
        dispatcher: loopback,
        headers: { 'x-api-key': API_KEY, traceparent: `00-${traceId}-b7ad6b716920333${i}-01` },
      });
      expect(res.status).toBe(200);
      await res.text();
    }
    const { code, ms } = await edge.drainGateway();
    expect(code, edge.gatewayLogs().slice(-2000)).toBe(0);
    // Drain delay 0, the drain timeout, and the trace flush's floor (1 s), with slack for a loaded machine.
    expect(ms).toBeLessThan(DRAIN_TIMEOUT_MS + 1_000 + 2_000);
    expect(edge.gatewayLogs()).toContain('"message":"drained"');
  });
});
