// `npm run events`: every topic with its contract, publishers and subscribers; one TypeScript
// module per contract that compiles, accepts an event the contract accepts (the gateway's and
// Pub/Sub's verdict) and rejects one it refuses, for Avro and for a Protobuf fixture.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAvroValidator } from '../../gateway/src/event-avro-validator.ts';
import { ROOT, runCli } from '../cli-process.ts';
import { avroCorpus } from '../gateway/fixtures/event-corpus.ts';

/** Type-checks `files` (name → text) strictly; returns the diagnostics as `file: message`. */
function typeCheck(dir: string, names: readonly string[]): string[] {
  const program = ts.createProgram(
    names.map((n) => join(dir, n)),
    { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true, skipLibCheck: true, types: [] },
  );
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? d.file.fileName.slice(dir.length + 1) : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

describe('npm run events', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'events-'));
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('lists every prod topic with its contract, publishers and subscribers, and writes one module per contract', async () => {
    const run = await runCli(['events', '--env', 'prod', '--out', out, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const { topics } = JSON.parse(run.stdout) as { topics: { topic: string; contract?: { type: string; file: string; fields: { path: string; type: string }[] }; publishers: string[]; subscribers: string[] }[] };
    expect(topics.map((t) => t.topic)).toEqual(['ingest', 'ingest-dead-letter', 'order-events', 'order-events-dead-letter']);
    const orders = topics.find((t) => t.topic === 'order-events');
    expect(orders).toMatchObject({
      contract: { type: 'avro', file: 'environments/events/order-events.avsc' },
      publishers: ['orders-api (commerce)'],
      subscribers: ['event-enricher (events) via order-events-enricher'],
    });
    expect(orders?.contract?.fields).toContainEqual({ path: 'items[].qty', type: 'int', required: true });
    expect(topics.find((t) => t.topic === 'ingest')?.publishers).toEqual(['edge-gateway (POST api.acme.example/v1/events)']);
    expect((await readdir(join(out, 'dist/prod/events'))).sort()).toEqual(['ingest.ts', 'order-events.ts']);

    const table = await runCli(['events', '--env', 'prod', '--out', out]);
    expect(table.stdout).toMatch(/^order-events\s+avro\/json environments\/events\/order-events\.avsc\s+orders-api \(commerce\)/m);
    expect(table.stdout).toMatch(/^\s+items\[\]\.qty\s+int\s+yes$/m);
  }, 60_000);

  it('writes types that accept what the contract accepts and reject what it refuses', async () => {
    const dir = join(out, 'dist/prod/events');
    const definition = await readFile(join(ROOT, 'environments/events/order-events.avsc'), 'utf8');
    const valid = avroCorpus(definition)[0]?.body as string;
    const validator = compileAvroValidator(definition);
    expect(validator(Buffer.from(valid))).toBeUndefined();
    const invalid = JSON.stringify({ ...JSON.parse(valid), couponCode: 'SPRING' }); // an unwrapped union: refused by the contract
    expect(validator(Buffer.from(invalid))?.path).toBe('$.couponCode');
    await writeFile(
      join(dir, 'consumer.ts'),
      `import type { Event, OrderStatus } from './order-events.ts';
import type { Event as Ingest } from './ingest.ts';
export const ok: Event = ${valid};
// @ts-expect-error -- an unwrapped union is not the contract's JSON
export const bad: Event = ${invalid};
export const status: OrderStatus = ok.status;
export const ingest: Ingest = { eventId: 'e', kind: 'CLICK', occurredAt: 1, userId: null, value: { double: 1.5 }, sampleRate: 1, consented: true };
`,
    );
    expect(typeCheck(dir, ['consumer.ts'])).toEqual([]);
  });

  it('writes proto3-JSON types for a protobuf contract', async () => {
    const catalog = join(out, 'proto-catalog.ts');
    await writeFile(
      catalog,
      `import catalog from '${pathToFileURL(join(ROOT, 'environments/index.ts')).href}';
const prod = structuredClone(catalog.prod);
prod.topics[1].schema = { type: 'protobuf', file: 'test/environments/fixtures/payment-events.proto', encoding: 'json' };
export default { ...catalog, prod };
`,
    );
    const protoOut = join(out, 'proto');
    const run = await runCli(['events', '--env', 'prod', '--out', protoOut, '--catalog', catalog]);
    expect(run.code, run.stderr).toBe(0);
    const dir = join(protoOut, 'dist/prod/events');
    const text = await readFile(join(dir, 'order-events.ts'), 'utf8');
    expect(text).toContain('export interface acme_payments_PaymentEvent {');
    expect(text).toContain('  amountCents?: string;');
    await writeFile(
      join(dir, 'consumer.ts'),
      `import type { Event } from './order-events.ts';
export const ok: Event = { paymentId: 'p-1', amountCents: '1250', status: 'CAPTURED', lines: [{ sku: 'a', quantity: 2 }], cardToken: 't' };
// @ts-expect-error -- an unknown enum name
export const bad: Event = { status: 'LOST' };
`,
    );
    expect(typeCheck(dir, ['consumer.ts'])).toEqual([]);
  }, 60_000);

  it('writes nothing for a catalog whose contract does not load (exit 1, path-named)', async () => {
    const catalog = join(out, 'broken-catalog.ts');
    await writeFile(
      catalog,
      `import catalog from '${pathToFileURL(join(ROOT, 'environments/index.ts')).href}';
const prod = structuredClone(catalog.prod);
prod.topics[1].schema = { ...prod.topics[1].schema, file: 'environments/events/nope.avsc' };
export default { ...catalog, prod };
`,
    );
    const brokenOut = join(out, 'broken');
    const run = await runCli(['events', '--env', 'prod', '--out', brokenOut, '--catalog', catalog]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('prod.topics[1].schema.file: environments/events/nope.avsc cannot be read (ENOENT)');
    expect(existsSync(brokenOut)).toBe(false);
  }, 60_000);
});
