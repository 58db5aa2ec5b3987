// The gateway's Avro contract check on its own: the field path and what was expected, for each
// kind of node; compiled once with the route table, and a bad schema refuses the whole table.
import { describe, expect, it } from 'vitest';
import { compileAvroValidator } from '../../gateway/src/event-avro-validator.ts';
import { compileRoutes } from '../../gateway/src/compiled-routes.ts';
import { GatewayMetrics } from '../../gateway/src/gateway-metrics.ts';
import { JwksCache } from '../../gateway/src/route-authenticator.ts';
import { parseGatewayRoutes } from '../../gateway/src/route-table.ts';

const ORDER = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'items', type: { type: 'array', items: { type: 'record', name: 'Item', fields: [{ name: 'sku', type: 'string' }, { name: 'qty', type: 'int' }] } } },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'DONE'] } },
    { name: 'note', type: ['null', 'string', 'acme.Item'], default: null },
    { name: 'tags', type: { type: 'map', values: 'long' } },
    { name: 'next', type: ['null', 'acme.Order'], default: null },
  ],
});
const validate = compileAvroValidator(ORDER);
const base = { id: 'o-1', items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }, { sku: 'c', qty: 3 }], status: 'NEW', note: null, tags: {}, next: null };
const check = (value: unknown): string | undefined => {
  const v = validate(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));
  return v && `${v.path}: ${v.message}`;
};

describe('Avro contract check', () => {
  it('accepts a conforming event, wrapped union branches (also named ones and recursion), and undeclared fields', () => {
    expect(check(base)).toBeUndefined();
    expect(check({ ...base, note: { string: 'x' } })).toBeUndefined();
    expect(check({ ...base, note: { 'acme.Item': { sku: 's', qty: 0 } } })).toBeUndefined();
    expect(check({ ...base, next: { 'acme.Order': { ...base, next: null } }, extra: true })).toBeUndefined();
  });

  it('names the field path and what was expected', () => {
    const items = base.items.map((i, n) => (n === 2 ? { ...i, qty: 'two' } : i));
    expect(check({ ...base, items })).toBe('$.items[2].qty: expected int, got "two"');
    expect(check({ ...base, status: 'LOST' })).toBe('$.status: expected NEW | DONE, got "LOST"');
    const { id: _id, ...noId } = base;
    expect(check(noId)).toBe('$.id: required field missing (Pub/Sub fills in no defaults)');
    expect(check({ ...base, note: 'x' })).toBe('$.note: expected null or {"<branch>": value} with branch string | acme.Item, got "x"');
    expect(check({ ...base, note: { int: 1 } })).toBe('$.note: expected a union branch string | acme.Item, got branch "int"');
    expect(check({ ...base, note: { string: 5 } })).toBe('$.note.string: expected string, got 5');
    expect(check({ ...base, tags: { 'a b': 1.5 } })).toBe('$.tags["a b"]: expected long, got 1.5');
    expect(check({ ...base, items: base.items.slice(0, 1).map(() => ({ sku: 'a', qty: 2 ** 31 })) })).toBe('$.items[0].qty: expected int, got 2147483648');
    expect(check({ ...base, next: { 'acme.Order': { ...base, id: 7 } } })).toBe('$.next["acme.Order"].id: expected string, got 7');
    expect(check('{"id": "o-1", ')).toMatch(/^\$: not valid JSON \(/);
    expect(check('')).toBe('$: expected a JSON value, got an empty body');
    expect(check([base])).toBe('$: expected record acme.Order (an object), got an array');
  });

  it('is compiled with the route table: a bad schema refuses the table, naming the route', async () => {
    const table = (definition: string) =>
      parseGatewayRoutes(
        {
          version: 1,
          routes: [
            {
              name: 'orders-ingest',
              match: { pathPrefix: '/v1/orders' },
              kind: 'events',
              topic: 'projects/acme-test/topics/orders',
              schema: { type: 'avro', definition },
              timeouts: { connectMs: 1, headersMs: 1, idleMs: 1 },
              auth: { type: 'none' },
              maxBodyBytes: 1024,
            },
          ],
        },
        'gateway-routes.json',
      );
    const deps = { metrics: new GatewayMetrics(), jwks: new JwksCache({ cooldownMs: 1, cacheMaxAgeMs: 1, timeoutMs: 1 }) };
    const compiled = await compileRoutes(table(ORDER), deps);
    expect(compiled.routes[0]?.validator?.(Buffer.from(JSON.stringify(base)))).toBeUndefined();
    await expect(compileRoutes(table('{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}'), deps)).rejects.toThrow('route orders-ingest: schema: undefined type name: nope');
    // Only events routes carry a schema.
    expect(() =>
      parseGatewayRoutes(
        { version: 1, routes: [{ name: 'api', match: { pathPrefix: '/' }, kind: 'http', upstream: { url: 'http://127.0.0.1:1' }, schema: { type: 'avro', definition: ORDER }, timeouts: { connectMs: 1, headersMs: 1, idleMs: 1 }, auth: { type: 'none' }, maxBodyBytes: 0 }] },
        'gateway-routes.json',
      ),
    ).toThrow('gateway-routes.json: routes[0].schema: only allowed when kind is events');
  });
});
