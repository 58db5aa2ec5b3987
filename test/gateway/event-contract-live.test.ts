// Live: the real gateway bundle, serving the synthesized prod ingest route (auth off for the
// test), publishes to an emulator topic created from the synthesized schema. A valid event
// reaches a subscriber with a 202; an invalid one is a 400 naming the field, and never arrives.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Message, PubSub as PubSubType } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleGateway } from '../../gateway/bundle.ts';
import { parseGatewayRoutes } from '../../gateway/src/route-table.ts';
import { CONTRACT_PROBLEM_TYPE } from '../../gateway/src/event-problem.ts';
import { removeOutput, synthesize } from '../policies/synthesized.ts';
import { findOnPath, startPubSubEmulator, type PubSubEmulator } from './fixtures/pubsub-emulator.ts';
import { makeTempDir, waitFor } from './fixtures/test-gateway.ts';

const hasGcloud = findOnPath('gcloud') !== undefined;
const skip = !hasGcloud && process.env.CI !== 'true';
const PROJECT = 'acme-platform-prod';

const validEvent = { eventId: 'e-1', kind: 'CLICK', occurredAt: 1_764_806_400_000, userId: { string: 'u-7' }, value: null, sampleRate: 1, consented: true };

describe.skipIf(skip)(`event contracts live: gateway bundle → emulator topic with schema${skip ? ' (skipped: gcloud is not on PATH and CI is not true)' : ''}`, () => {
  let out: string | undefined;
  let dir: string | undefined;
  let emulator: PubSubEmulator | undefined;
  let pubsub: PubSubType | undefined;
  let child: ChildProcess | undefined;
  let base = '';
  let origin = '';
  const received: Message[] = [];

  beforeAll(async () => {
    out = await synthesize(['prod']);
    const table = parseGatewayRoutes(JSON.parse(await readFile(path.join(out, 'dist/prod/edge/gateway-routes.json'), 'utf8')), 'gateway-routes.json');
    const ingest = table.routes.find((r) => r.name === 'ingest-ingest');
    if (!ingest?.schema) throw new Error('the synthesized ingest route carries no schema');
    const tf = JSON.parse(await readFile(path.join(out, 'cdktf.out/stacks/platform-prod/cdk.tf.json'), 'utf8')) as {
      resource: { google_pubsub_schema: Record<string, { name: string; definition: string }> };
    };
    const schema = Object.values(tf.resource.google_pubsub_schema).find((s) => s.name === 'ingest');
    if (!schema) throw new Error('no synthesized google_pubsub_schema "ingest"');

    emulator = await startPubSubEmulator();
    process.env.PUBSUB_EMULATOR_HOST = emulator.hostPort;
    const { PubSub, SchemaTypes, Encodings } = await import('@google-cloud/pubsub');
    pubsub = new PubSub({ projectId: PROJECT });
    await pubsub.createSchema(schema.name, SchemaTypes.Avro, schema.definition);
    const [topic] = await pubsub.createTopic({ name: 'ingest', schemaSettings: { schema: `projects/${PROJECT}/schemas/${schema.name}`, encoding: Encodings.Json } });
    const [subscription] = await topic.createSubscription('ingest-live');
    // A topic whose schema was changed out of band (it now requires a field the route's contract lacks).
    const changed = JSON.parse(schema.definition) as { fields: unknown[] };
    changed.fields.push({ name: 'tenant', type: 'string' });
    await pubsub.createSchema('ingest-changed', SchemaTypes.Avro, JSON.stringify(changed));
    const [changedTopic] = await pubsub.createTopic({ name: 'ingest-changed', schemaSettings: { schema: `projects/${PROJECT}/schemas/ingest-changed`, encoding: Encodings.Json } });
    const [changedSubscription] = await changedTopic.createSubscription('ingest-changed-live');
    changedSubscription.on('message', (m: Message) => {
      received.push(m);
      m.ack();
    });
    subscription.on('message', (m: Message) => {
      received.push(m);
      m.ack();
    });

    dir = await makeTempDir();
    await bundleGateway(path.join(dir, 'gateway.cjs'));
    const route = { ...ingest, match: { pathPrefix: ingest.match.pathPrefix }, auth: { type: 'none' as const }, rateLimit: undefined };
    const outOfBand = { ...route, name: 'changed', match: { pathPrefix: '/changed' }, topic: `projects/${PROJECT}/topics/ingest-changed` };
    await writeFile(path.join(dir, 'gateway-routes.json'), JSON.stringify({ version: 1, routes: [route, outOfBand] }));
    let output = '';
    child = spawn(process.execPath, ['gateway.cjs', '--routes', 'gateway-routes.json', '--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--admin-port', '0', '--drain-delay-ms', '0'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', PUBSUB_EMULATOR_HOST: emulator.hostPort, METADATA_SERVER_DETECTION: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
    await waitFor('bundle listening', () => output.includes('"gateway listening"'), 15_000);
    const { httpPort } = JSON.parse(output.split('\n').find((l) => l.includes('"gateway listening"')) as string) as { httpPort: number };
    origin = `http://127.0.0.1:${httpPort}`;
    base = `${origin}${ingest.match.pathPrefix}`;
  }, 120_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await pubsub?.close().catch(() => undefined);
    await emulator?.stop();
    delete process.env.PUBSUB_EMULATOR_HOST;
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    await removeOutput(out);
  });

  const post = (body: string, id: string): Promise<Response> =>
    fetch(base, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body });

  it('publishes a valid event: 202 with the message id, and the subscriber receives it', async () => {
    const res = await post(JSON.stringify(validEvent), 'live-valid-1');
    expect(res.status).toBe(202);
    const { messageId } = (await res.json()) as { messageId: string };
    await waitFor('the valid event at the subscriber', () => received.some((m) => m.id === messageId), 15_000);
    expect(JSON.parse(received.find((m) => m.id === messageId)?.data.toString() ?? '')).toEqual(validEvent);
  });

  it('answers an invalid event with 400 problem+json naming the field, and publishes nothing', async () => {
    const res = await post(JSON.stringify({ ...validEvent, kind: 'SCROLL', eventId: 'e-bad' }), 'live-invalid-1');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { type: string; status: number; detail: string; errors: { path: string }[]; requestId: string };
    expect(problem).toMatchObject({ type: CONTRACT_PROBLEM_TYPE, status: 400, detail: '$.kind: expected PAGE_VIEW | CLICK | PURCHASE, got "SCROLL"', requestId: 'live-invalid-1' });
    expect(problem.errors[0]?.path).toBe('$.kind');
    const missing = await post(JSON.stringify({ ...validEvent, consented: undefined, eventId: 'e-bad-2' }), 'live-invalid-2');
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { detail: string }).detail).toBe('$.consented: required field missing (Pub/Sub fills in no defaults)');
    // A valid event sent after them arrives; the invalid ones never do (same topic, same subscriber).
    const marker = await post(JSON.stringify({ ...validEvent, eventId: 'e-after' }), 'live-valid-2');
    expect(marker.status).toBe(202);
    const { messageId } = (await marker.json()) as { messageId: string };
    await waitFor('the marker event at the subscriber', () => received.some((m) => m.id === messageId), 15_000);
    await new Promise((r) => setTimeout(r, 500));
    const ids = received.map((m) => (JSON.parse(m.data.toString()) as { eventId: string }).eventId);
    expect(ids).not.toContain('e-bad');
    expect(ids).not.toContain('e-bad-2');
    expect(ids).toContain('e-after');
  });

  it('answers 400 problem+json, not 503, when Pub/Sub refuses an event the route accepts (schema changed out of band)', async () => {
    const res = await fetch(`${origin}/changed`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'live-oob' }, body: JSON.stringify({ ...validEvent, eventId: 'e-oob' }) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toMatchObject({ status: 400, detail: expect.stringMatching(/^INVALID_ARGUMENT: /), topic: `projects/${PROJECT}/topics/ingest-changed`, requestId: 'live-oob' });
    await new Promise((r) => setTimeout(r, 500));
    expect(received.map((m) => (JSON.parse(m.data.toString()) as { eventId: string }).eventId)).not.toContain('e-oob');
  });
});
