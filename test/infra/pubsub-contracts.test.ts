// The platform stack turns each topic contract into a google_pubsub_schema and the topic's
// schema_settings (schema by reference, so Terraform creates the schema first), for Avro and
// for Protobuf; dead-letter topics and topics without a contract get no schema settings.
import { describe, expect, it } from 'vitest';
import { App, Testing } from 'cdktf';
import { readFileSync } from 'node:fs';
import catalog from '../../environments/index.ts';
import { parseEnvironments } from '../../environments/load.ts';
import { derivePlan } from '../../constructs/platform-plan.ts';
import { PlatformStack } from '../../infra/platform-stack.ts';

type Tf = { resource: Record<string, Record<string, Record<string, any>>> }; // `any`: synthesized Terraform JSON

function synth(mutate: (prod: Record<string, any>) => void = () => undefined): Tf {
  const prod = structuredClone(catalog.prod) as Record<string, any>; // `any`: raw catalog values, mutated on purpose
  mutate(prod);
  const [env] = parseEnvironments({ ...catalog, prod }, ['prod']);
  const stack = new PlatformStack(new App({ stackTraces: false }), { plan: derivePlan(env as NonNullable<typeof env>) });
  return JSON.parse(Testing.synth(stack)) as Tf;
}

const topicNamed = (tf: Tf, name: string) => Object.values(tf.resource.google_pubsub_topic ?? {}).find((t) => t.name === name);

describe('topic contracts in the platform stack', () => {
  it('creates one AVRO schema per contract with the file as its definition, and points the topic at it', () => {
    const tf = synth();
    const schemas = Object.entries(tf.resource.google_pubsub_schema ?? {});
    expect(schemas.map(([, s]) => [s.name, s.type]).sort()).toEqual([
      ['ingest', 'AVRO'],
      ['order-events', 'AVRO'],
    ]);
    const [address, orders] = schemas.find(([, s]) => s.name === 'order-events') as [string, Record<string, any>];
    expect(orders.definition).toBe(readFileSync('environments/events/order-events.avsc', 'utf8'));
    expect(orders.depends_on).toEqual(['google_project_service.api-pubsub']);
    expect(topicNamed(tf, 'order-events')?.schema_settings).toEqual({ schema: `\${google_pubsub_schema.${address}.id}`, encoding: 'JSON' });
    expect(topicNamed(tf, 'order-events-dead-letter')?.schema_settings).toBeUndefined();
  });

  it('creates a PROTOCOL_BUFFER schema for a protobuf contract, with its encoding', () => {
    const tf = synth((p) => (p.topics[1].schema = { type: 'protobuf', file: 'test/environments/fixtures/payment-events.proto', encoding: 'binary' }));
    const schema = Object.values(tf.resource.google_pubsub_schema ?? {}).find((s) => s.name === 'order-events');
    expect(schema).toMatchObject({ type: 'PROTOCOL_BUFFER', definition: readFileSync('test/environments/fixtures/payment-events.proto', 'utf8') });
    expect(topicNamed(tf, 'order-events')?.schema_settings).toMatchObject({ encoding: 'BINARY' });
  });

  it('leaves a topic without a contract without schema settings (a development environment may)', () => {
    const tf = synth((p) => {
      p.tier = 'development';
      delete p.topics[1].schema;
    });
    expect(topicNamed(tf, 'order-events')?.schema_settings).toBeUndefined();
    expect(Object.values(tf.resource.google_pubsub_schema ?? {}).map((s) => s.name)).toEqual(['ingest']);
  });
});
