/**
 * EVENT001 and EVENT002 against the real synthesized prod output. EVENT001's input is a diff's
 * contract changes: the passing fixture is prod against itself with a compatible revision of
 * order-events (an optional field with a default), the failing one a revision that changes a
 * field's type. EVENT002's failing fixtures are minimal mutations of the synthesized output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { evaluate, type EnvironmentArtifacts } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { applyWaivers } from '../../policies/waivers.ts';
import { contractChanges } from '../../review/synth-diff/contract-changes.ts';
import { readSynthOutput } from '../../review/synth-diff/synth-tree-reader.ts';
import type { SynthTree } from '../../review/synth-diff/synth-tree.ts';
import { ROOT, mutateResource, readSynthesized, removeOutput, synthesize, type Json } from './synthesized.ts';

const BUF = join(ROOT, 'node_modules/.bin/buf');
const explain = (a: EnvironmentArtifacts, id: string): string[] =>
  evaluate(RULES.filter((r) => r.id === id), [a]).map((f) => `${f.ruleId} ${f.target.address}: ${f.message}`);

/** The tree with order-events' synthesized definition changed by `change` (the schema as JSON). */
function revise(tree: SynthTree, change: (schema: Json) => void): SynthTree {
  const prod = tree.environments.get('prod');
  if (!prod) throw new Error('no prod in the synthesized tree');
  const logical = 'stacks/platform-prod/cdk.tf.json';
  const tf = JSON.parse(prod.files.get(logical) as string) as Json;
  const schema = Object.values(tf.resource.google_pubsub_schema as Record<string, Json>).find((s) => s.name === 'order-events') as Json;
  const parsed = JSON.parse(schema.definition as string) as Json;
  change(parsed);
  schema.definition = JSON.stringify(parsed);
  const files = new Map(prod.files).set(logical, JSON.stringify(tf));
  return { environments: new Map(tree.environments).set('prod', { files }) };
}

describe('event contract rules over synthesized prod', () => {
  let out: string | undefined;
  let good: EnvironmentArtifacts;
  let tree: SynthTree;

  beforeAll(async () => {
    out = await synthesize(['prod']);
    good = await readSynthesized(out, 'prod');
    tree = await readSynthOutput(out);
  }, 180_000);
  afterAll(() => removeOutput(out));

  it('EVENT001 passes a compatible revision and fails a breaking one, in production only, waivable', async () => {
    const compatible = await contractChanges(
      tree,
      revise(tree, (s) => s.fields.push({ name: 'channel', type: ['null', 'string'], default: null })),
      { buf: BUF },
    );
    expect(compatible.get('prod')).toEqual([expect.objectContaining({ name: 'order-events', change: 'update', compatible: true })]);
    const pass: EnvironmentArtifacts = { ...good, contractChanges: compatible.get('prod') ?? [] };
    expect(explain(pass, 'EVENT001')).toEqual([]);

    const breaking = await contractChanges(
      tree,
      revise(tree, (s) => (s.fields.find((f: Json) => f.name === 'orderId').type = 'long')),
      { buf: BUF },
    );
    const fail: EnvironmentArtifacts = { ...good, contractChanges: breaking.get('prod') ?? [] };
    const findings = explain(fail, 'EVENT001');
    expect(findings).toEqual([
      expect.stringMatching(/^EVENT001 google_pubsub_schema\.topic-order-events_schema_[0-9A-F]+: breaking change to the contract of topic "order-events": consumers on the old revision cannot read new events/),
    ]);
    // The change alone breaks EVENT001 and nothing else.
    expect(evaluate(RULES, [fail]).map((f) => f.ruleId)).toEqual(['EVENT001']);
    // A development environment may break its contracts.
    expect(explain({ ...fail, tier: 'development' }, 'EVENT001')).toEqual([]);
    // A planned migration: the usual waiver on the finding's address.
    const [finding] = evaluate(RULES.filter((r) => r.id === 'EVENT001'), [fail]);
    const waived = applyWaivers(
      finding ? [finding] : [],
      [{ env: 'prod', file: 'environments/prod.ts', waivers: [{ rule: 'EVENT001', target: finding?.target.address ?? '', reason: 'consumers upgrade first: rollout plan ORD-12', expires: '2099-01-01' }] }],
      '2026-12-04',
    );
    expect(waived.map((r) => r.status)).toEqual(['waived']);
  }, 60_000);

  it('EVENT001 calls a removed contract breaking, and a protobuf field type change breaking through buf (WIRE_JSON)', async () => {
    const withoutSchema: SynthTree = (() => {
      const prod = tree.environments.get('prod') as { files: ReadonlyMap<string, string> };
      const logical = 'stacks/platform-prod/cdk.tf.json';
      const tf = JSON.parse(prod.files.get(logical) as string) as Json;
      for (const [k, s] of Object.entries(tf.resource.google_pubsub_schema as Record<string, Json>)) if (s.name === 'order-events') delete tf.resource.google_pubsub_schema[k];
      return { environments: new Map(tree.environments).set('prod', { files: new Map(prod.files).set(logical, JSON.stringify(tf)) }) };
    })();
    const changes = await contractChanges(tree, withoutSchema, { buf: BUF });
    expect(changes.get('prod')).toEqual([expect.objectContaining({ name: 'order-events', change: 'remove', compatible: false })]);

    const { protobufCompatibility } = await import('../../review/synth-diff/contract-compat.ts');
    const v1 = 'syntax = "proto3";\nmessage Payment { string id = 1; int32 amount_cents = 2; }\n';
    const added = 'syntax = "proto3";\nmessage Payment { string id = 1; int32 amount_cents = 2; string note = 3; }\n';
    const retyped = 'syntax = "proto3";\nmessage Payment { string id = 1; string amount_cents = 2; }\n';
    const renamed = 'syntax = "proto3";\nmessage Payment { string id = 1; int32 amount = 2; }\n';
    expect(await protobufCompatibility(v1, added, BUF)).toEqual({ compatible: true, reasons: [] });
    const typed = await protobufCompatibility(v1, retyped, BUF);
    expect(typed.compatible).toBe(false);
    expect(typed.reasons[0]).toMatch(/^FIELD_WIRE_JSON_COMPATIBLE_TYPE: Field "2" with name "amount_cents" on message "Payment" changed type from "int32" to "string"/);
    // A rename keeps the wire format but breaks JSON (the encoding the gateway and Pub/Sub read).
    expect((await protobufCompatibility(v1, renamed, BUF)).compatible).toBe(false);
  }, 60_000);

  it('EVENT002 passes prod as synthesized and fails an ingest topic without a schema, or a gateway route with another definition', () => {
    expect(explain(good, 'EVENT002')).toEqual([]);
    const noSchema = mutateResource(good, 'google_pubsub_topic', 'ingest', (v) => delete v.schema_settings);
    expect(explain(noSchema, 'EVENT002')).toEqual([
      'EVENT002 gateway-routes.json#routes/ingest-ingest: ingest route "ingest-ingest" publishes to topic "ingest", which has no schema: anything POSTed reaches its consumers',
    ]);
    expect(evaluate(RULES, [noSchema]).map((f) => f.ruleId)).toEqual(['EVENT002']);
    const other = structuredClone(good);
    const routes = (other.edge.gatewayRoutes?.config as Json).routes as Json[];
    const ingest = routes.find((r) => r.name === 'ingest-ingest') as Json;
    ingest.schema.definition = JSON.stringify({ type: 'record', name: 'Other', fields: [] });
    expect(explain(other, 'EVENT002')).toEqual([
      expect.stringMatching(/^EVENT002 gateway-routes\.json#routes\/ingest-ingest: ingest route "ingest-ingest" checks bodies against a different definition/),
    ]);
    const unchecked = structuredClone(good);
    delete ((unchecked.edge.gatewayRoutes?.config as Json).routes as Json[]).find((r) => r.name === 'ingest-ingest')?.schema;
    expect(explain(unchecked, 'EVENT002')).toEqual([expect.stringMatching(/does not check bodies against the contract of topic "ingest"$/)]);
  });
});
