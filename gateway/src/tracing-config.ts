// Tracing configuration from the standard OpenTelemetry environment variables only, validated
// with zod (errors name the variable). No endpoint (or OTEL_SDK_DISABLED=true, or
// OTEL_TRACES_EXPORTER=none) means tracing is off.
// The one exporter built into the bundle is OTLP/HTTP with JSON encoding: another protocol is
// refused at start-up rather than silently ignored.
import { z } from 'zod';
import type { TracingConfig } from './tracing.ts';

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const ms = z.coerce.number().int().positive();
const count = z.coerce.number().int().positive();

const OtelEnvSchema = z.object({
  OTEL_SDK_DISABLED: z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False']).optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none'], { error: 'only "otlp" (or "none") is built into the gateway' }).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.literal('http/json', { error: 'only "http/json" is built into the gateway' }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.literal('http/json', { error: 'only "http/json" is built into the gateway' }).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
  OTEL_EXPORTER_OTLP_TIMEOUT: ms.optional(),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: ms.optional(),
  OTEL_BSP_SCHEDULE_DELAY: ms.default(5_000),
  OTEL_BSP_MAX_QUEUE_SIZE: count.default(2_048),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: count.default(512),
});

const NAMES = Object.keys(OtelEnvSchema.shape);

/** `key1=value1,key2=value2`, values percent-encoded (OpenTelemetry resource SDK spec). */
function resourceAttributes(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return out;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq <= 0 || key === '') throw new Error(`OTEL_RESOURCE_ATTRIBUTES: "${pair}" is not key=value`);
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new Error(`OTEL_RESOURCE_ATTRIBUTES: the value of "${key}" is not valid percent-encoding`);
    }
  }
  return out;
}

/** The tracing configuration, or undefined when tracing is off. Throws naming the variable. */
export function parseTracingConfig(env: NodeJS.ProcessEnv): TracingConfig | undefined {
  const raw: Record<string, string> = {};
  for (const name of NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const result = OtelEnvSchema.safeParse(raw);
  if (!result.success) throw new Error(result.error.issues.map((i) => `${String(i.path[0] ?? 'OTEL_*')}: ${i.message}`).join('\n'));
  const v = result.data;
  if (v.OTEL_SDK_DISABLED?.toLowerCase() === 'true' || v.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const tracesUrl = v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (v.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? undefined : `${v.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  if (tracesUrl === undefined) return undefined;
  const attributes = resourceAttributes(v.OTEL_RESOURCE_ATTRIBUTES);
  if (v.OTEL_BSP_MAX_EXPORT_BATCH_SIZE > v.OTEL_BSP_MAX_QUEUE_SIZE) {
    throw new Error('OTEL_BSP_MAX_EXPORT_BATCH_SIZE: must not exceed OTEL_BSP_MAX_QUEUE_SIZE');
  }
  return {
    tracesUrl,
    serviceName: v.OTEL_SERVICE_NAME ?? attributes['service.name'] ?? 'edge-gateway',
    resourceAttributes: attributes,
    sampler: v.OTEL_TRACES_SAMPLER,
    // The spec's default ratio when OTEL_TRACES_SAMPLER_ARG is unset is 1.0.
    ratio: v.OTEL_TRACES_SAMPLER_ARG ?? 1,
    exportTimeoutMs: v.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? v.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10_000,
    scheduleDelayMs: v.OTEL_BSP_SCHEDULE_DELAY,
    maxQueueSize: v.OTEL_BSP_MAX_QUEUE_SIZE,
    maxExportBatchSize: v.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
  };
}
