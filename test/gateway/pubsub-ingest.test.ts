// `events` routes against the real Pub/Sub emulator: 202 + message id only after the publish
// resolved, a real subscriber receives data and attributes; emulator down → 503, nothing 202.
import http from 'node:http';
import type { Message, PubSub as PubSubType } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOnPath, startPubSubEmulator, type PubSubEmulator } from './fixtures/pubsub-emulator.ts';
import { route, startTestGateway, type TestGateway } from './fixtures/test-gateway.ts';

const PROJECT = 'gateway-test';
const TOPIC = `projects/${PROJECT}/topics/ingest`;
const hasGcloud = findOnPath('gcloud') !== undefined;
const skip = !hasGcloud && process.env.CI !== 'true';

describe.skipIf(skip)(`Pub/Sub ingest against the emulator${skip ? ' (skipped: gcloud is not on PATH and CI is not true)' : ''}`, () => {
  let emulator: PubSubEmulator;
  let pubsub: PubSubType;
  let gw: TestGateway;
  const received: Message[] = [];

  beforeAll(async () => {
    emulator = await startPubSubEmulator();
    process.env.PUBSUB_EMULATOR_HOST = emulator.hostPort;
    const { PubSub } = await import('@google-cloud/pubsub');
    pubsub = new PubSub({ projectId: PROJECT });
    const [topic] = await pubsub.createTopic('ingest');
    const [subscription] = await topic.createSubscription('ingest-sub');
    subscription.on('message', (m: Message) => {
      received.push(m);
      m.ack();
    });
    subscription.on('error', () => undefined); // the emulator is stopped on purpose below
    gw = await startTestGateway(
      [
        route({ name: 'ingest', kind: 'events', topic: TOPIC, maxBodyBytes: 1024 }),
        route({ name: 'missing', kind: 'events', topic: `projects/${PROJECT}/topics/not-created`, maxBodyBytes: 1024 }),
        route({ name: 'stalled', kind: 'events', topic: TOPIC, maxBodyBytes: 1024, timeouts: { connectMs: 500, headersMs: 2_000, idleMs: 300 } }),
      ],
      { publishTimeoutMs: 1_500 },
    );
  });

  afterAll(async () => {
    await gw?.stop();
    await pubsub?.close().catch(() => undefined);
    await emulator?.stop();
    delete process.env.PUBSUB_EMULATOR_HOST;
  });

  it('answers 202 with the message id, and a subscriber receives the body and attributes', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await fetch(`${gw.http}/ingest/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'ingest-1', traceparent },
      body: JSON.stringify({ order: 42 }),
    });
    expect(res.status).toBe(202);
    const { messageId } = (await res.json()) as { messageId: string };
    expect(messageId).toMatch(/^\S+$/);
    const deadline = Date.now() + 10_000;
    while (!received.some((m) => m.id === messageId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const message = received.find((m) => m.id === messageId);
    expect(message).toBeDefined();
    expect(message?.data.toString()).toBe('{"order":42}');
    expect(message?.attributes).toEqual({ 'content-type': 'application/json', 'x-request-id': 'ingest-1', traceparent });
  });

  it('answers 413 for a body over the route limit without publishing', async () => {
    const before = received.length;
    const res = await fetch(`${gw.http}/ingest`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(res.status).toBe(413);
    expect(received.length).toBe(before);
  });

  it('answers 408 to a body that stalls, and publishes nothing', async () => {
    const before = received.length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${gw.http}/stalled`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"partial":'); // …and never the rest
      setTimeout(() => {
        req.destroy();
        reject(new Error('no answer within 3 s to a stalled body'));
      }, 3_000).unref();
    });
    expect(status).toBe(408);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.length).toBe(before);
  });

  it('answers 502 without Retry-After when the topic does not exist (retrying cannot help)', async () => {
    const res = await fetch(`${gw.http}/missing`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(502);
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('answers 503 with Retry-After when Pub/Sub is down, and acknowledges nothing', async () => {
    await emulator.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${gw.http}/ingest`, { method: 'POST', body: `lost-${i}` });
      statuses.push(res.status);
      if (res.status === 503) expect(res.headers.get('retry-after')).toBe('5');
      await res.body?.cancel();
    }
    expect(statuses).toEqual([503, 503]);
  });
});
