// Command-line flags and GATEWAY_* environment variables, validated with zod. Flags win over
// environment variables, which win over defaults. Tracing is configured by the standard OTEL_*
// variables alone (tracing-config.ts).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { formatIssuePath } from './route-table.ts';
import type { TracingConfig } from './tracing.ts';
import { parseTracingConfig } from './tracing-config.ts';

const port = z.coerce.number().int().min(0).max(65535);
const ms = z.coerce.number().int().nonnegative();

export const GatewayConfigSchema = z.strictObject({
  routes: z.string().min(1),
  host: z.string().min(1).default('0.0.0.0'),
  httpPort: port.default(8080),
  grpcPort: port.default(8081),
  adminPort: port.default(9090),
  drainDelayMs: ms.default(5_000),
  drainTimeoutMs: ms.default(25_000),
  trustedHops: z.coerce.number().int().min(0).max(10).default(0),
  reloadDebounceMs: ms.default(100),
  upstreamConnections: z.coerce.number().int().positive().default(256),
  keepAliveTimeoutMs: ms.default(65_000),
  publishTimeoutMs: ms.default(5_000),
  pubsubProject: z.string().min(1).optional(),
  /** The project access lines' `logging.googleapis.com/trace` names (default: the Pub/Sub project, then GOOGLE_CLOUD_PROJECT). */
  logProject: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a Google Cloud project id').optional(),
  jwksCooldownMs: ms.default(30_000),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema> & { tracing: TracingConfig | undefined };

/** flag name → config key → environment variable. */
const FIELDS = [
  ['routes', 'routes', 'GATEWAY_ROUTES'],
  ['host', 'host', 'GATEWAY_HOST'],
  ['http-port', 'httpPort', 'GATEWAY_HTTP_PORT'],
  ['grpc-port', 'grpcPort', 'GATEWAY_GRPC_PORT'],
  ['admin-port', 'adminPort', 'GATEWAY_ADMIN_PORT'],
  ['drain-delay-ms', 'drainDelayMs', 'GATEWAY_DRAIN_DELAY_MS'],
  ['drain-timeout-ms', 'drainTimeoutMs', 'GATEWAY_DRAIN_TIMEOUT_MS'],
  ['trusted-hops', 'trustedHops', 'GATEWAY_TRUSTED_HOPS'],
  ['reload-debounce-ms', 'reloadDebounceMs', 'GATEWAY_RELOAD_DEBOUNCE_MS'],
  ['upstream-connections', 'upstreamConnections', 'GATEWAY_UPSTREAM_CONNECTIONS'],
  ['keep-alive-timeout-ms', 'keepAliveTimeoutMs', 'GATEWAY_KEEP_ALIVE_TIMEOUT_MS'],
  ['publish-timeout-ms', 'publishTimeoutMs', 'GATEWAY_PUBLISH_TIMEOUT_MS'],
  ['pubsub-project', 'pubsubProject', 'GATEWAY_PUBSUB_PROJECT'],
  ['log-project', 'logProject', 'GATEWAY_LOG_PROJECT'],
  ['jwks-cooldown-ms', 'jwksCooldownMs', 'GATEWAY_JWKS_COOLDOWN_MS'],
  ['log-level', 'logLevel', 'GATEWAY_LOG_LEVEL'],
] as const;

export function parseGatewayConfig(argv: readonly string[], env: NodeJS.ProcessEnv): GatewayConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(FIELDS.map(([flag]) => [flag, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  });
  const raw: Record<string, string> = {};
  for (const [flag, key, envName] of FIELDS) {
    const value = (values as Record<string, string | undefined>)[flag] ?? env[envName];
    if (value !== undefined) raw[key] = value;
  }
  if (raw.logProject === undefined) {
    const fallback = raw.pubsubProject ?? env.GOOGLE_CLOUD_PROJECT;
    if (fallback !== undefined && fallback !== '') raw.logProject = fallback;
  }
  const result = GatewayConfigSchema.safeParse(raw);
  if (!result.success) {
    const byKey = new Map<string, string>(FIELDS.map(([flag, key, envName]) => [key, `--${flag} / ${envName}`]));
    throw new Error(
      result.error.issues.map((i) => `${byKey.get(String(i.path[0])) ?? formatIssuePath(i.path)}: ${i.message}`).join('\n'),
    );
  }
  return { ...result.data, tracing: parseTracingConfig(env) };
}
