// Each environment's generated nginx.conf runs in real nginx in front of the real gateway
// bundle reading the generated gateway-routes.json, with local upstreams and the Pub/Sub
// emulator. Real clients only: @grpc/grpc-js (TLS, HTTP/2), ws, fetch (undici). Timeouts are
// scaled down per scenario (every hop and margin alike), so a minute becomes a few seconds.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { PubSub as PubSubType } from '@google-cloud/pubsub';
import { Agent, fetch } from 'undici';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOf } from '../../plan-fixtures.ts';
import type { PlatformPlan } from '../../../constructs/platform-plan.ts';
import { startJwksServer, type JwksServer } from '../../gateway/fixtures/jwks-server.ts';
import { startWsUpstream, type WsUpstream } from '../../gateway/fixtures/upstream-servers.ts';
import { startPubSubEmulator, type PubSubEmulator } from '../../gateway/fixtures/pubsub-emulator.ts';
import { buildBundle, selfSignedCertificate, startLiveEdge, tools, type EdgeUpstreams, type LiveEdge } from './fixtures/live-edge.ts';

const ENVS = ['dev', 'staging', 'prod'] as const;
const have = tools();
const missing = [!have.nginx && 'nginx (Debian nginx-light)', !have.openssl && 'openssl', !have.gcloud && 'gcloud (Pub/Sub emulator)'].filter(Boolean);
if (missing.length > 0 && process.env.CI === 'true') throw new Error(`CI must run the live edge tests; missing: ${missing.join(', ')}`);
// Every scenario of every environment at once: they mostly wait (on scaled timeouts), so the file
// takes as long as its slowest scenario.
const suite = missing.length > 0 ? describe.skip : describe.concurrent;
if (missing.length > 0) console.warn(`live edge chain tests skipped: ${missing.join(', ')} not found`);

// --- local upstreams ---------------------------------------------------------------------------

const bytes = { serialize: (b: Buffer): Buffer => b, deserialize: (b: Buffer): Buffer => b };
/** The inference service's shape: a server stream (tokens, with a silence) and a unary call. */
const generator: grpc.ServiceDefinition = {
  Generate: { path: '/inference.v1.Generator/Generate', requestStream: false, responseStream: true, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
  Complete: { path: '/inference.v1.Generator/Complete', requestStream: false, responseStream: false, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
};
const GeneratorClient = grpc.makeGenericClientConstructor(generator, 'Generator');

async function startGenerator(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new grpc.Server();
  server.addService(generator, {
    // Request body: the silence in ms between the first and the second token.
    Generate: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const silence = Number(call.request.toString());
      call.write(Buffer.from('token-1'));
      const timer = setTimeout(() => {
        call.write(Buffer.from('token-2'));
        const trailer = new grpc.Metadata();
        trailer.set('x-tokens', '2');
        call.end(trailer);
      }, silence);
      call.on('cancelled', () => clearTimeout(timer));
    },
    // Request body: how long to think before answering.
    Complete: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
      const timer = setTimeout(() => done(null, Buffer.from('done')), Number(call.request.toString()));
      call.on('cancelled', () => clearTimeout(timer));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.tryShutdown(() => r())) };
}

interface Recorder {
  url: string;
  address: string;
  seen: http.IncomingHttpHeaders[];
  paths: string[];
  close: () => Promise<void>;
}

async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse, rec: Recorder) => void): Promise<Recorder> {
  const rec: Recorder = { url: '', address: '', seen: [], paths: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    rec.seen.push(req.headers);
    rec.paths.push(req.url ?? '');
    handler(req, res, rec);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  rec.url = `http://127.0.0.1:${port}`;
  rec.address = `127.0.0.1:${port}`;
  rec.close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
  return rec;
}

/** Stands in for Kong (it cannot run here): `/v1/orders/slow?ms=N` answers after N ms. */
const startKongStandIn = (): Promise<Recorder> =>
  listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const wait = url.pathname.endsWith('/slow') ? Number(url.searchParams.get('ms')) : 0;
    const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: url.pathname })), wait);
    res.on('close', () => clearTimeout(timer));
  });

/** Three events 400 ms apart; records when each was written, per request URL (tests run concurrently). */
const sentAt = new Map<string, number[]>();
const startFeed = (): Promise<Recorder> =>
  listen((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const sent: number[] = [];
    sentAt.set(req.url ?? '', sent);
    let n = 0;
    const tick = (): void => {
      n++;
      sent.push(Date.now());
      res.write(`id: ${n}\nevent: price\ndata: {"n":${n}}\n\n`);
      if (n === 3) res.end();
      else setTimeout(tick, 400);
    };
    tick();
  });

// --- clients -----------------------------------------------------------------------------------

/** Every name resolves to loopback, so requests carry the catalog's Host. */
const toLoopback: LookupFunction = (_host, opts, cb) =>
  // Node's net.connect asks with `all: true` (autoSelectFamily) or for one address.
  (opts as { all?: boolean }).all
    ? (cb as unknown as (err: null, all: LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }])
    : cb(null, '127.0.0.1', 4);
const loopback = new Agent({ connect: { lookup: toLoopback } });

function grpcClient(edge: LiveEdge, host: string, ca: Buffer): grpc.Client {
  return new GeneratorClient(`127.0.0.1:${edge.tlsPort}`, grpc.credentials.createSsl(ca), {
    'grpc.ssl_target_name_override': 'nginx.edge.svc.cluster.local',
    'grpc.default_authority': host,
  });
}

function metadataWith(token: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
}

// --- the suite ---------------------------------------------------------------------------------

suite('edge chain, live: generated nginx.conf → gateway bundle → upstreams', () => {
  let work: string;
  let bundle: string;
  let tls: { certificate: string; key: string };
  let ca: Buffer;
  let jwks: JwksServer;
  let kong: Recorder;
  let feed: Recorder;
  let chat: WsUpstream;
  let inference: { url: string; close: () => Promise<void> };
  let emulator: PubSubEmulator;
  let upstreams: EdgeUpstreams;
  let newPubSub: (projectId: string) => PubSubType;
  const API_KEY = 'feed-key-for-the-test';
  const edges: LiveEdge[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'edge-live-'));
    [bundle, tls, jwks, kong, feed, chat, inference, emulator] = await Promise.all([
      buildBundle(work),
      selfSignedCertificate(work, have.openssl as string),
      startJwksServer('https://auth.acme.example/'),
      startKongStandIn(),
      startFeed(),
      startWsUpstream(),
      startGenerator(),
      startPubSubEmulator(),
    ]);
    ca = await readFile(tls.certificate);
    // The client library reads the emulator's address from the environment (as the gateway does).
    process.env.PUBSUB_EMULATOR_HOST = emulator.hostPort;
    const { PubSub } = await import('@google-cloud/pubsub');
    newPubSub = (projectId) => new PubSub({ projectId });
    const keysDir = path.join(work, 'keys');
    await mkdir(keysDir);
    await writeFile(path.join(keysDir, 'market-feed'), `# digests of the feed's API keys\n${createHash('sha256').update(API_KEY).digest('hex')}\n`);
    upstreams = {
      kongHttp: kong.address,
      kongGrpc: kong.address,
      gateway: { chat: chat.url, 'market-feed': feed.url, 'llm-inference': inference.url },
      jwksUris: { 'https://auth.acme.example/.well-known/jwks.json': jwks.jwksUri },
      apiKeysDir: keysDir,
    };
  }, 120_000);

  afterAll(async () => {
    await Promise.all(edges.map((e) => e.stop()));
    await Promise.all([jwks?.close(), kong?.close(), feed?.close(), chat?.close(), inference?.close(), emulator?.stop()]);
    await loopback.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function edgeFor(plan: PlatformPlan, timeScale: number): Promise<LiveEdge> {
    const edge = await startLiveEdge({
      plan,
      timeScale,
      upstreams,
      bundle,
      nginx: have.nginx as string,
      tls,
      pubsubEmulatorHost: emulator.hostPort,
    });
    edges.push(edge);
    return edge;
  }

  const token = (plan: PlatformPlan): Promise<string> =>
    jwks.sign({ sub: `user-${plan.env.name}`, aud: 'https://api.acme.example' });

  describe.each(ENVS)('%s', (envName) => {
    const plan = planOf(envName);
    const host = plan.env.edge.domains[0] as string;
    const route = (name: string) => {
      const r = plan.routes.find((x) => x.name === name);
      if (!r) throw new Error(`${envName} has no route ${name}`);
      return r;
    };

    it.concurrent('a gRPC server stream silent longer than nginx\'s default read timeout survives, trailers intact', async () => {
      // Scaled so that the 5 s between hops stays 0.8 s: wide enough for a loaded CI machine.
      const scale = 0.16;
      const t = route('llm-inference').timeouts;
      // Silence between nginx's default (60 s) and the gateway's idle limit (the innermost hop).
      const silenceMs = Math.round(((60 + t.proxy.idleSec) / 2) * 1000 * scale);
      expect(silenceMs).toBeGreaterThan(60_000 * scale);
      const edge = await edgeFor(plan, scale);
      const client = grpcClient(edge, host, ca);
      try {
        const call = client.makeServerStreamRequest('/inference.v1.Generator/Generate', bytes.serialize, bytes.deserialize, Buffer.from(String(silenceMs)), metadataWith(await token(plan)));
        const got: string[] = [];
        let trailers: grpc.Metadata | undefined;
        const status = await new Promise<grpc.StatusObject>((resolve) => {
          call.on('data', (m: Buffer) => got.push(m.toString()));
          call.on('status', (s: grpc.StatusObject) => {
            trailers = s.metadata;
            resolve(s);
          });
          call.on('error', () => undefined);
        });
        expect(status.code, `${status.details}\n${edge.logs()}`).toBe(grpc.status.OK);
        expect(got).toEqual(['token-1', 'token-2']);
        expect(trailers?.get('x-tokens')).toEqual(['2']);
      } finally {
        client.close();
      }
    });

    it.concurrent('a gRPC call slower than its limit gets DEADLINE_EXCEEDED from the gateway (innermost hop), not a cut stream', async () => {
      // 0.15: the gateway's deadline fires 0.75 s before nginx's read timeout, a margin a loaded
      // machine's timers keep (at 0.1 its 0.5 s was lost under load and nginx's 504 came first).
      const scale = 0.15;
      const t = route('llm-inference').timeouts;
      const edge = await edgeFor(plan, scale);
      const client = grpcClient(edge, host, ca);
      try {
        const thinkMs = String(t.nginx.firstByteSec * 2000 * scale);
        const call = (md: grpc.Metadata): Promise<grpc.ServiceError | null> =>
          new Promise((resolve) => client.makeUnaryRequest('/inference.v1.Generator/Complete', bytes.serialize, bytes.deserialize, Buffer.from(thinkMs), md, (err) => resolve(err)));
        // Without a token the gateway refuses at once: a JWT route, checked at the innermost hop.
        expect((await call(new grpc.Metadata()))?.code).toBe(grpc.status.UNAUTHENTICATED);
        const md = metadataWith(await token(plan));
        const started = Date.now();
        const slow = await call(md);
        const elapsed = Date.now() - started;
        expect(slow?.code, `${slow?.details}\n${edge.logs()}`).toBe(grpc.status.DEADLINE_EXCEEDED);
        // DEADLINE_EXCEEDED is the gateway's answer (nginx's would be a 504: UNAVAILABLE), at its limit.
        expect(elapsed).toBeGreaterThanOrEqual(t.proxy.firstByteSec * 1000 * scale - 50);
      } finally {
        client.close();
      }
    });

    it.concurrent('a WebSocket idle past nginx\'s default survives; idle past its limit is closed 1001 by the gateway, not cut by nginx', async () => {
      const scale = 0.06;
      const t = route('chat').timeouts;
      const edge = await edgeFor(plan, scale);
      const ws = new WebSocket(`ws://127.0.0.1:${edge.httpPort}/ws/chat`, { headers: { host, authorization: `Bearer ${await token(plan)}` } });
      const messages: string[] = [];
      ws.on('message', (d) => messages.push(d.toString()));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}\n${edge.logs()}`)));
        ws.once('error', reject);
      });
      const echo = async (text: string): Promise<void> => {
        const before = messages.length;
        ws.send(text);
        const deadline = Date.now() + 5_000;
        while (messages.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        expect(messages.at(-1)).toBe(text);
      };
      const closed = new Promise<{ code: number; at: number }>((resolve) => ws.once('close', (code) => resolve({ code, at: Date.now() })));
      await echo('hello');
      await new Promise((r) => setTimeout(r, 60_000 * scale + 500)); // past nginx's default 60 s
      expect(ws.readyState).toBe(WebSocket.OPEN);
      await echo('still here');
      const quietSince = Date.now();
      const { code, at } = await closed;
      expect(code, edge.logs()).toBe(1001);
      expect(at - quietSince).toBeGreaterThanOrEqual(t.proxy.idleSec * 1000 * scale - 100);
      expect(at - quietSince).toBeLessThan(t.nginx.idleSec * 1000 * scale + 1_000);
    }, 60_000);

    it.concurrent('SSE events arrive one at a time, unbuffered, end to end', async () => {
      const edge = await edgeFor(plan, 1);
      const url = `/v1/feed/stream?run=${envName}`;
      const res = await fetch(`http://${host}:${edge.httpPort}${url}`, { dispatcher: loopback, headers: { 'x-api-key': API_KEY, accept: 'text/event-stream' } });
      expect(res.status, edge.logs()).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const arrivals: { at: number; text: string }[] = [];
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arrivals.push({ at: Date.now(), text: decoder.decode(value) });
      }
      const events = arrivals.flatMap((a) => a.text.split('\n\n').filter((e) => e.includes('data:')).map((e) => ({ at: a.at, e })));
      expect(events.map((x) => /"n":(\d)/.exec(x.e)?.[1])).toEqual(['1', '2', '3']);
      // Each event reached the client before the next one was even written upstream.
      const sent = sentAt.get(url) ?? [];
      expect(sent).toHaveLength(3);
      expect(events[0]!.at).toBeLessThan(sent[1]!);
      expect(events[1]!.at).toBeLessThan(sent[2]!);
    });

    it.concurrent('SSE without an API key is refused by the gateway', async () => {
      const edge = await edgeFor(plan, 1);
      const res = await fetch(`http://${host}:${edge.httpPort}/v1/feed/stream`, { dispatcher: loopback });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^ApiKey/);
    });

    it.concurrent('a REST call slower than its limit gets a clean 504 (never a reset) from the innermost hop that runs here', async () => {
      const scale = 0.05;
      const t = route('orders-api').timeouts;
      const edge = await edgeFor(plan, scale);
      const id = `/v1/orders/${envName}-${Date.now()}`;
      const ok = await fetch(`http://${host}:${edge.httpPort}${id}`, { dispatcher: loopback });
      expect(ok.status, edge.logs()).toBe(200);
      expect(await ok.json()).toEqual({ path: id });
      const seen = kong.seen[kong.paths.indexOf(id)];
      expect(seen?.host).toBe(host);
      expect(seen?.['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen?.['x-request-id']).toMatch(/^[0-9a-f]{32}$/);

      const started = Date.now();
      const slow = await fetch(`http://${host}:${edge.httpPort}/v1/orders/slow?ms=${t.nginx.totalSec * 2000 * scale}`, { dispatcher: loopback });
      const body = await slow.text();
      const elapsed = Date.now() - started;
      expect(slow.status).toBe(504);
      expect(body).toContain('504');
      expect(elapsed).toBeGreaterThanOrEqual(t.nginx.totalSec * 1000 * scale - 50);
      expect(elapsed).toBeLessThan(t.glb.totalSec * 1000 * scale);
    });

    it.concurrent('answers unknown paths and hosts with 404 without touching an upstream, and /healthz for the GLB', async () => {
      const edge = await edgeFor(plan, 1);
      const miss = await fetch(`http://${host}:${edge.httpPort}/v1/ordersx-${envName}`, { dispatcher: loopback });
      expect(miss.status).toBe(404);
      expect(await miss.json()).toEqual({ error: 'no route' });
      const other = await fetch(`http://elsewhere.example:${edge.httpPort}/v1/orders/${envName}-elsewhere`, { dispatcher: loopback });
      expect(other.status).toBe(404);
      expect(kong.paths.filter((p) => p.includes(`ordersx-${envName}`) || p.includes(`${envName}-elsewhere`))).toEqual([]);
      // The GLB's health check names no known host: the default server answers it.
      const health = await fetch(`http://health-check.invalid:${edge.httpPort}/healthz`, { dispatcher: loopback });
      expect(health.status).toBe(200);
    });

    it.concurrent('an event POST through nginx → gateway lands in the Pub/Sub emulator and answers 202', async () => {
      const ingest = route('ingest-ingest');
      const topicName = ingest.topic as string;
      const pubsub = newPubSub(plan.env.gcp.projectId);
      const [topic] = await pubsub.topic(topicName).get({ autoCreate: true });
      const [subscription] = await topic.createSubscription(`live-${envName}-${Date.now()}`);
      try {
        const edge = await edgeFor(plan, 1);
        // A valid event of the ingest topic's contract (environments/events/ingest.avsc): the gateway checks it.
        const payload = JSON.stringify({ eventId: `live-${envName}-${Date.now()}`, kind: 'PAGE_VIEW', occurredAt: Date.now(), userId: null, value: null, sampleRate: 1, consented: true });
        const res = await fetch(`http://${host}:${edge.httpPort}${ingest.pathPrefix}`, {
          dispatcher: loopback,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(plan)}` },
          body: payload,
        });
        expect(res.status, edge.logs()).toBe(202);
        const { messageId } = (await res.json()) as { messageId: string };
        const received = await new Promise<{ id: string; data: string }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no message within 10 s')), 10_000);
          subscription.on('message', (m: { id: string; data: Buffer; ack: () => void }) => {
            m.ack();
            clearTimeout(timer);
            resolve({ id: m.id, data: m.data.toString() });
          });
        });
        expect(received).toEqual({ id: messageId, data: payload });
      } finally {
        await subscription.close();
        await subscription.delete();
        await pubsub.close();
      }
    });
  });
});
