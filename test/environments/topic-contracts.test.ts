// topics[].schema in the catalog: the definition file is read and parsed when the catalog loads,
// and every problem is a path-named catalog error (exit 1, nothing written by synth).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import catalog from '../../environments/index.ts';
import { CatalogError, parseEnvironments } from '../../environments/load.ts';
import { planEvents } from '../../constructs/events/event-plan.ts';
import { ROOT, runCli } from '../cli-process.ts';

type Raw = Record<string, any>; // `any`: raw catalog values, mutated on purpose

const PROTO_FIXTURE = 'test/environments/fixtures/payment-events.proto';

function problems(mutate: (prod: Raw) => void): string[] {
  const prod = structuredClone(catalog.prod) as Raw;
  mutate(prod);
  try {
    parseEnvironments({ ...catalog, prod }, ['prod']);
    return [];
  } catch (err) {
    if (err instanceof CatalogError) return [...err.problems];
    throw err;
  }
}

describe('topic contracts in the catalog', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contracts-'));
    await writeFile(join(dir, 'broken.avsc'), '{ "type": "record", "name": "Order", "fields": [ { "name": "qty", "type": "integr" } ] }');
    await writeFile(join(dir, 'truncated.avsc'), '{ "type": "record", "name": "Order", "fields": [');
    await writeFile(join(dir, 'broken.proto'), 'syntax = "proto3";\nmessage Payment { string id = 1 }\n');
    await writeFile(join(dir, 'two.proto'), 'syntax = "proto3";\nmessage A { string a = 1; }\nmessage B { string b = 1; }\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads the catalog contracts into the event plan: type, encoding, file and definition', () => {
    const [prod] = parseEnvironments(catalog, ['prod']);
    const plans = planEvents(prod as NonNullable<typeof prod>);
    const orders = plans.find((p) => p.name === 'order-events');
    expect(orders?.contract).toMatchObject({ type: 'avro', encoding: 'json', file: 'environments/events/order-events.avsc', schemaName: 'order-events' });
    expect(JSON.parse(orders?.contract?.definition ?? '{}')).toMatchObject({ type: 'record', name: 'OrderEvent' });
    // Dead-letter topics carry no contract of their own.
    expect(plans.find((p) => p.name === 'order-events-dead-letter')?.contract).toBeUndefined();
  });

  it('takes a protobuf contract (one top-level message, proto3) from a .proto file', () => {
    expect(problems((p) => (p.topics[1].schema = { type: 'protobuf', file: PROTO_FIXTURE, encoding: 'binary' }))).toEqual([]);
  });

  it('names the field for a missing file, a definition that does not parse, and a wrong extension', () => {
    expect(problems((p) => (p.topics[1].schema.file = 'environments/events/missing.avsc'))).toEqual([
      'prod.topics[1].schema.file: environments/events/missing.avsc cannot be read (ENOENT)',
    ]);
    expect(problems((p) => (p.topics[1].schema.file = join(dir, 'broken.avsc')))).toEqual([
      `prod.topics[1].schema.file: ${join(dir, 'broken.avsc')} is not a valid avro definition: undefined type name: integr`,
    ]);
    expect(problems((p) => (p.topics[1].schema.file = join(dir, 'truncated.avsc')))).toEqual([
      expect.stringMatching(/^prod\.topics\[1\]\.schema\.file: .*truncated\.avsc is not a valid avro definition: .*JSON/),
    ]);
    expect(problems((p) => (p.topics[1].schema = { type: 'protobuf', file: join(dir, 'broken.proto') }))).toEqual([
      expect.stringMatching(/^prod\.topics\[1\]\.schema\.file: .*broken\.proto is not a valid protobuf definition: illegal token '}', ';' expected \(line 2\)/),
    ]);
    expect(problems((p) => (p.topics[1].schema = { type: 'protobuf', file: join(dir, 'two.proto') }))).toEqual([
      expect.stringMatching(/is not a valid protobuf definition: a Pub\/Sub protobuf schema defines exactly one top-level message \(found 2\)$/),
    ]);
    expect(problems((p) => (p.topics[1].schema = { type: 'protobuf', file: 'environments/events/order-events.avsc' }))).toEqual([
      'prod.topics[1].schema.file: a protobuf definition is a .proto file (got environments/events/order-events.avsc)',
    ]);
  });

  it('rejects an encoding the type or the route does not support', () => {
    expect(problems((p) => (p.topics[1].schema.encoding = 'xml'))).toEqual([expect.stringMatching(/^prod\.topics\[1\]\.schema\.encoding: Invalid option: expected one of "json"\|"binary"/)]);
    expect(problems((p) => (p.topics[0].schema.encoding = 'binary'))).toEqual([
      'prod.topics[0].schema.encoding: an ingest topic takes JSON bodies: binary is not supported here (use json, or publish binary from a service)',
    ]);
  });

  it('requires a contract in production on topics used across namespaces or by an ingest route, not elsewhere', () => {
    expect(problems((p) => delete p.topics[1].schema)).toEqual([
      'prod.topics[1].schema: production topics used across teams need a contract (its publishers and subscribers span namespaces commerce, events): add schema { type, file, encoding }',
    ]);
    expect(problems((p) => delete p.topics[0].schema)).toEqual([
      'prod.topics[0].schema: production topics used across teams need a contract (it has a public ingest route): add schema { type, file, encoding }',
    ]);
    // Development may go without.
    const dev = structuredClone(catalog.dev) as Raw;
    delete dev.topics[1].schema;
    expect(() => parseEnvironments({ ...catalog, dev }, ['dev'])).not.toThrow();
  });

  it('synth exits 1 with the path-named error and writes nothing', async () => {
    const out = join(dir, 'out');
    const broken = join(dir, 'catalog.ts');
    await writeFile(
      broken,
      `import catalog from '${pathToFileURL(join(ROOT, 'environments/index.ts')).href}';
const prod = structuredClone(catalog.prod);
prod.topics[1].schema = { ...prod.topics[1].schema, file: 'environments/events/missing.avsc' };
export default { ...catalog, prod };
`,
    );
    const run = await runCli(['synth', '--out', out, '--catalog', broken]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('prod.topics[1].schema.file: environments/events/missing.avsc cannot be read (ENOENT)');
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
