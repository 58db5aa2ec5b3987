// kong.yml for every environment against Kong's own declarative schema (decK's
// kong_json_schema.json, draft-04, from ../shared — DESIGN.md §6) and every plugin's `config`
// against the fields of that plugin's schema.lua in Kong 3.9.3.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { kongConfig, renderKongConfig, type KongConfig } from '../../../constructs/edge/kong-config.ts';
import type { RoutePlan } from '../../../constructs/edge/route-plan.ts';
import { planOf } from '../../plan-fixtures.ts';

const ENVS = ['dev', 'staging', 'prod'] as const;

/**
 * `config` fields per plugin, from kong/plugins/<name>/schema.lua at Kong 3.9.3 (the image the
 * edge chart pins). A key we render that is not here would make Kong refuse the whole file.
 */
const PLUGIN_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'rate-limiting': ['second', 'minute', 'hour', 'day', 'month', 'year', 'limit_by', 'header_name', 'path', 'policy', 'fault_tolerant', 'redis', 'hide_client_headers', 'error_code', 'error_message', 'sync_rate'],
  cors: ['origins', 'headers', 'exposed_headers', 'methods', 'max_age', 'credentials', 'private_network', 'preflight_continue'],
  'correlation-id': ['header_name', 'generator', 'echo_downstream'],
  'request-size-limiting': ['allowed_payload_size', 'size_unit', 'require_content_length'],
  prometheus: ['per_consumer', 'status_code_metrics', 'ai_metrics', 'latency_metrics', 'bandwidth_metrics', 'upstream_health_metrics'],
  opentelemetry: ['traces_endpoint', 'logs_endpoint', 'headers', 'resource_attributes', 'queue', 'batch_span_count', 'batch_flush_delay', 'connect_timeout', 'send_timeout', 'read_timeout', 'http_response_header_for_traceid', 'header_type', 'sampling_rate', 'propagation'],
  'key-auth': ['key_names', 'hide_credentials', 'anonymous', 'key_in_header', 'key_in_query', 'key_in_body', 'run_on_preflight', 'realm'],
};
/** Enumerations the same schemas constrain (DB-less: rate-limiting policy is local or redis). */
const ENUMS: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>> = {
  'rate-limiting': { policy: ['local', 'redis'], limit_by: ['consumer', 'credential', 'ip', 'service', 'header', 'path'] },
  'correlation-id': { generator: ['uuid', 'uuid#counter', 'tracker'] },
  'request-size-limiting': { size_unit: ['megabytes', 'kilobytes', 'bytes'] },
};
/**
 * Nested records the same schemas define (opentelemetry's `propagation`: kong/observability/tracing/propagation/schema.lua
 * at 3.9.3, formats from propagation/utils.lua): each key's allowed values, for strings and string arrays.
 */
const PROPAGATION_FORMATS = ['w3c', 'b3', 'b3-single', 'jaeger', 'ot', 'datadog', 'aws', 'gcp'];
const NESTED_ENUMS: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>>> = {
  opentelemetry: {
    propagation: {
      extract: PROPAGATION_FORMATS.filter((f) => f !== 'b3-single'),
      inject: ['preserve', ...PROPAGATION_FORMATS],
      default_format: PROPAGATION_FORMATS,
      clear: [],
    },
  },
};
/** Ranges the schemas constrain with `between`. */
const RANGES: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> = { opentelemetry: { sampling_rate: [0, 1] } };

const SCHEMA_ENV = process.env.KONG_DECLARATIVE_SCHEMA;
const schemaPath = SCHEMA_ENV ?? path.resolve(import.meta.dirname, '../../../../shared/schemas/kong/kong_json_schema.json');
const haveSchema = existsSync(schemaPath);
if (!haveSchema && process.env.CI === 'true') {
  throw new Error(`Kong's declarative schema is required under CI=true: ${schemaPath} (or set KONG_DECLARATIVE_SCHEMA)`);
}

function allPlugins(config: KongConfig): { where: string; name: string; config: Readonly<Record<string, unknown>> }[] {
  return [
    ...config.plugins.map((p) => ({ where: 'plugins', ...p })),
    ...config.services.flatMap((s) => s.routes.flatMap((r) => (r.plugins ?? []).map((p) => ({ where: `routes/${r.name}`, ...p })))),
  ];
}

describe.skipIf(!haveSchema)(`kong.yml against Kong's declarative schema${haveSchema ? '' : ` (skipped: ${schemaPath} not found; set KONG_DECLARATIVE_SCHEMA)`}`, () => {
  // ajv-draft-04 is CommonJS with `exports.default`: under NodeNext the class is that default.
  const Ajv = AjvDraft04.default;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(haveSchema ? (JSON.parse(readFileSync(schemaPath, 'utf8')) as object) : {});

  it.each(ENVS)('%s validates', (envName) => {
    const plan = planOf(envName);
    const doc: unknown = parse(renderKongConfig(plan.env, plan.routes, plan.edge));
    const ok = validate(doc);
    expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('rejects what Kong would reject (the validator is not vacuous)', () => {
    const plan = planOf('prod');
    const doc = parse(renderKongConfig(plan.env, plan.routes, plan.edge)) as { services: { read_timeout: unknown; routes: { strip_path: unknown }[] }[] };
    const service = doc.services[0];
    if (!service) throw new Error('prod has no Kong service');
    service.read_timeout = '35s';
    expect(validate(doc)).toBe(false);
  });
});

describe('kong.yml', () => {
  it.each(ENVS)('%s: every plugin config key exists in its Kong 3.9.3 schema, with allowed values', (envName) => {
    const plan = planOf(envName);
    const plugins = allPlugins(kongConfig(plan.env, plan.routes));
    expect(plugins.map((p) => p.name)).toEqual(expect.arrayContaining(['correlation-id', 'prometheus', 'rate-limiting', 'request-size-limiting']));
    for (const p of plugins) {
      const fields = PLUGIN_FIELDS[p.name];
      expect(fields, `${p.where}: plugin ${p.name} has no known schema`).toBeDefined();
      for (const key of Object.keys(p.config)) expect(fields, `${p.where}: ${p.name}.config.${key}`).toContain(key);
      for (const [key, allowed] of Object.entries(ENUMS[p.name] ?? {})) {
        if (key in p.config) expect(allowed, `${p.where}: ${p.name}.config.${key}`).toContain(p.config[key]);
      }
      for (const [record, keys] of Object.entries(NESTED_ENUMS[p.name] ?? {})) {
        const value = (p.config[record] ?? {}) as Record<string, unknown>;
        for (const [key, v] of Object.entries(value)) {
          const allowed = keys[key];
          expect(allowed, `${p.where}: ${p.name}.config.${record}.${key}`).toBeDefined();
          for (const element of Array.isArray(v) ? v : [v]) expect(allowed, `${p.where}: ${p.name}.config.${record}.${key}`).toContain(element);
        }
      }
      for (const [key, [min, max]] of Object.entries(RANGES[p.name] ?? {})) {
        if (key in p.config) expect(p.config[key] as number, `${p.where}: ${p.name}.config.${key}`).toBeGreaterThanOrEqual(min);
        if (key in p.config) expect(p.config[key] as number, `${p.where}: ${p.name}.config.${key}`).toBeLessThanOrEqual(max);
      }
    }
  });

  it('starts with a comment naming the environment and is deterministic', () => {
    const plan = planOf('staging');
    const text = renderKongConfig(plan.env, plan.routes, plan.edge);
    expect(text.split('\n')[0]).toBe('# kong.yml for environment "staging" — generated from the platform catalog by constructs/edge/kong-config.ts.');
    expect(renderKongConfig(planOf('staging').env, planOf('staging').routes, plan.edge)).toBe(text);
    expect(text).toMatch(/^_format_version: "3\.0"$/m);
  });

  it('gives Kong the proxy hop of the chain in milliseconds, no retries, segment-bounded paths, the host preserved', () => {
    const plan = planOf('prod');
    const route = plan.routes.find((r) => r.name === 'orders-api') as RoutePlan;
    const [service] = kongConfig(plan.env, plan.routes).services;
    expect(service).toMatchObject({
      name: 'orders-api',
      protocol: 'http',
      host: 'orders-api.commerce.svc.cluster.local',
      port: 8080,
      read_timeout: route.timeouts.proxy.totalSec * 1000,
      write_timeout: route.timeouts.proxy.totalSec * 1000,
      retries: 0,
      routes: [{ name: 'orders-api', hosts: ['api.acme.example'], paths: ['~/v1/orders(/|$)'], strip_path: false, preserve_host: true, response_buffering: true }],
    });
    // Kong gives up before nginx does.
    expect(route.timeouts.proxy.totalSec).toBeLessThan(route.timeouts.nginx.totalSec);
    const pathRegex = new RegExp(`^${(service?.routes[0]?.paths[0] ?? '').slice(1)}`);
    // Kong matches the path without its query string.
    expect(['/v1/orders', '/v1/orders/42'].map((p) => pathRegex.test(p))).toEqual([true, true]);
    expect(pathRegex.test('/v1/ordersx')).toBe(false);
  });

  it('puts gRPC routes via Kong on its h2c listener, streams unbuffered, key-auth and CORS where the catalog asks', () => {
    const plan = planOf('prod');
    const base = plan.routes.find((r) => r.name === 'orders-api') as RoutePlan;
    const extra: RoutePlan[] = [
      { ...base, name: 'inventory', pathPrefix: '/inventory.v1.Inventory', protocol: 'grpc', maxBodyBytes: 0, upstream: { service: 'inventory', namespace: 'commerce', url: 'http://inventory.commerce.svc.cluster.local:9090' } },
      { ...base, name: 'prices', pathPrefix: '/v1/prices', protocol: 'sse', auth: { type: 'key-auth' }, rateLimit: { requestsPerMinute: 60 } },
    ];
    const env = { ...plan.env, edge: { ...plan.env.edge, corsOrigins: ['https://app.acme.example'] } };
    const config = kongConfig(env, [...plan.routes, ...extra]);
    const byName = (name: string) => config.services.find((s) => s.name === name);
    expect(byName('inventory')).toMatchObject({ protocol: 'grpc', routes: [{ protocols: ['grpc'], paths: ['~/inventory\\.v1\\.Inventory(/|$)'], strip_path: false }] });
    expect(byName('inventory')?.routes[0]).not.toHaveProperty('response_buffering');
    expect(byName('inventory')?.routes[0]?.plugins?.map((p) => p.name)).not.toContain('cors');
    const prices = byName('prices')?.routes[0];
    expect(prices).toMatchObject({ response_buffering: false });
    expect(prices?.plugins?.map((p) => p.name)).toEqual(['key-auth', 'rate-limiting', 'cors', 'request-size-limiting']);
    expect(prices?.plugins?.find((p) => p.name === 'rate-limiting')?.config).toMatchObject({ minute: 60, policy: 'local', limit_by: 'consumer' });
    // No credential in the file: key-auth consumers come from a Secret at pod start.
    expect(JSON.stringify(config)).not.toMatch(/keyauth_credentials|"consumers"/);
  });
});
