// The gateway's contract check against the real Pub/Sub emulator: every contract of the
// synthesized prod environment becomes an emulator schema and topic exactly as synthesized
// (google_pubsub_schema type + definition, the topic's schema_settings), and a corpus of valid
// and invalid events derived from each schema goes through both. Their verdicts must agree.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PubSub as PubSubType, Topic } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAvroValidator, type BodyValidator } from '../../gateway/src/event-avro-validator.ts';
import { compileEventValidator } from '../../gateway/src/event-validator.ts';
import { parseGatewayRoutes } from '../../gateway/src/route-table.ts';
import { removeOutput, synthesize } from '../policies/synthesized.ts';
import { avroCorpus } from './fixtures/event-corpus.ts';
import { findOnPath, startPubSubEmulator, type PubSubEmulator } from './fixtures/pubsub-emulator.ts';

const hasGcloud = findOnPath('gcloud') !== undefined;
const skip = !hasGcloud && process.env.CI !== 'true';

interface Contract {
  topic: string;
  schemaName: string;
  type: string;
  encoding: string;
  definition: string;
  /** The validator the gateway runs: from the synthesized route table when the topic has an ingest route. */
  validator: BodyValidator;
  viaRouteTable: boolean;
}

/** `INVALID_ARGUMENT` = Pub/Sub refused the message as such; anything else is the test's problem. */
async function emulatorAccepts(topic: Topic, body: string): Promise<boolean> {
  try {
    await topic.publishMessage({ data: Buffer.from(body) });
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 3) return false;
    throw err;
  }
}

describe.skipIf(skip)(`event contracts: gateway validator vs the Pub/Sub emulator${skip ? ' (skipped: gcloud is not on PATH and CI is not true)' : ''}`, () => {
  let out: string | undefined;
  let emulator: PubSubEmulator | undefined;
  let pubsub: PubSubType | undefined;
  const contracts: Contract[] = [];
  const topics = new Map<string, Topic>();

  beforeAll(async () => {
    out = await synthesize(['prod']);
    const tf = JSON.parse(await readFile(join(out, 'cdktf.out/stacks/platform-prod/cdk.tf.json'), 'utf8')) as {
      resource: Record<string, Record<string, Record<string, any>>>; // `any`: raw synthesized Terraform JSON
    };
    const routes = parseGatewayRoutes(JSON.parse(await readFile(join(out, 'dist/prod/edge/gateway-routes.json'), 'utf8')), 'gateway-routes.json');
    const schemas = tf.resource.google_pubsub_schema ?? {};
    for (const [address, topic] of Object.entries(tf.resource.google_pubsub_topic ?? {})) {
      const settings = topic.schema_settings as { schema: string; encoding: string } | undefined;
      if (!settings) continue;
      const ref = /^\$\{google_pubsub_schema\.([^.]+)\.id\}$/.exec(settings.schema)?.[1];
      const schema = ref === undefined ? undefined : schemas[ref];
      if (!schema) throw new Error(`${address}: schema_settings.schema ${settings.schema} names no synthesized google_pubsub_schema`);
      const route = routes.routes.find((r) => r.topic?.endsWith(`/topics/${String(topic.name)}`) && r.schema);
      contracts.push({
        topic: String(topic.name),
        schemaName: String(schema.name),
        type: String(schema.type),
        encoding: settings.encoding,
        definition: String(schema.definition),
        validator: route?.schema ? compileEventValidator(route.schema) : compileAvroValidator(String(schema.definition)),
        viaRouteTable: route !== undefined,
      });
    }
    emulator = await startPubSubEmulator();
    process.env.PUBSUB_EMULATOR_HOST = emulator.hostPort;
    const { PubSub, SchemaTypes, Encodings } = await import('@google-cloud/pubsub');
    pubsub = new PubSub({ projectId: 'acme-platform-prod' });
    for (const c of contracts) {
      expect(c.type).toBe('AVRO'); // the catalog's contracts; protobuf: see the README (the emulator has no protobuf schemas)
      await pubsub.createSchema(c.schemaName, SchemaTypes.Avro, c.definition);
      const [topic] = await pubsub.createTopic({
        name: c.topic,
        schemaSettings: { schema: `projects/acme-platform-prod/schemas/${c.schemaName}`, encoding: c.encoding === 'JSON' ? Encodings.Json : Encodings.Binary },
      });
      topics.set(c.topic, topic);
    }
  }, 120_000);

  afterAll(async () => {
    await pubsub?.close().catch(() => undefined);
    await emulator?.stop();
    delete process.env.PUBSUB_EMULATOR_HOST;
    await removeOutput(out);
  });

  it('finds every synthesized contract, and the ingest route carries its own in the route table', () => {
    expect(contracts.map((c) => c.topic).sort()).toEqual(['ingest', 'order-events']);
    expect(contracts.find((c) => c.topic === 'ingest')?.viaRouteTable).toBe(true);
  });

  it('agrees with the emulator on every event of each contract\'s corpus (>= 20 each, valid and invalid)', async () => {
    for (const c of contracts) {
      const corpus = avroCorpus(c.definition);
      expect(corpus.length, c.topic).toBeGreaterThanOrEqual(20);
      const topic = topics.get(c.topic) as Topic;
      const verdicts: { label: string; emulator: boolean; gateway: boolean; why?: string }[] = [];
      for (const event of corpus) {
        const violation = c.validator(Buffer.from(event.body));
        verdicts.push({
          label: event.label,
          emulator: await emulatorAccepts(topic, event.body),
          gateway: violation === undefined,
          ...(violation ? { why: `${violation.path}: ${violation.message}` } : {}),
        });
      }
      const disagreements = verdicts.filter((v) => v.emulator !== v.gateway);
      expect(disagreements, `${c.topic}: ${JSON.stringify(disagreements, null, 2)}`).toEqual([]);
      // Both kinds are in the corpus, and every category the contract has.
      expect(verdicts.filter((v) => v.emulator).length, c.topic).toBeGreaterThanOrEqual(3);
      expect(verdicts.filter((v) => !v.emulator).length, c.topic).toBeGreaterThanOrEqual(15);
      for (const kind of ['wrong type', 'missing field', 'unknown enum symbol', 'unwrapped union value', 'not in the union', 'extra field', 'truncated JSON']) {
        expect(verdicts.some((v) => v.label.includes(kind)), `${c.topic} corpus has "${kind}"`).toBe(true);
      }
    }
  }, 120_000);

  it('is stricter than Pub/Sub where Pub/Sub reads past a mistake: a fractional int, bytes after the JSON value, two union branches', async () => {
    const c = contracts.find((x) => x.topic === 'order-events') as Contract;
    const topic = topics.get(c.topic) as Topic;
    const valid = JSON.parse(avroCorpus(c.definition)[0]?.body as string) as { items: { qty: number }[] };
    const fractional = JSON.stringify({ ...valid, items: [{ ...valid.items[0], qty: 1.5 }] });
    const trailing = `${JSON.stringify(valid)} trailing`;
    const twoBranches = JSON.stringify({ ...valid, couponCode: { string: 'SPRING', int: 5 } });
    // Pub/Sub's decoder takes all three (the message is stored as sent, for a consumer to misread); the gateway does not.
    expect(await emulatorAccepts(topic, fractional)).toBe(true);
    expect(await emulatorAccepts(topic, trailing)).toBe(true);
    expect(await emulatorAccepts(topic, twoBranches)).toBe(true);
    expect(c.validator(Buffer.from(fractional))).toEqual({ path: '$.items[0].qty', message: 'expected int, got 1.5' });
    expect(c.validator(Buffer.from(trailing))?.path).toBe('$');
    expect(c.validator(Buffer.from(twoBranches))?.path).toBe('$.couponCode');
  });
});
