// The route table contract: one zod schema shared by the gateway (which reads
// gateway-routes.json) and the edge-chain renderer (which writes it from the catalog).
import { z } from 'zod';

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOPIC = /^projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/topics\/[A-Za-z][\w.~+%-]{2,254}$/;

const TimeoutsSchema = z.strictObject({
  connectMs: z.number().int().positive(),
  headersMs: z.number().int().positive(),
  idleMs: z.number().int().positive(),
});

const JwtAuthSchema = z.strictObject({
  type: z.literal('jwt'),
  jwksUri: z.url({ protocol: /^https?$/ }),
  issuer: z.string().min(1),
  audiences: z.array(z.string().min(1)).min(1),
  /** Accepted signature algorithms; defaults to asymmetric ones only. */
  algorithms: z.array(z.string().min(1)).min(1).default(['RS256', 'ES256', 'PS256', 'EdDSA']),
});

const ApiKeyAuthSchema = z.strictObject({
  type: z.literal('api-key'),
  header: z.string().regex(/^[a-z0-9-]+$/, 'lower-case header name').default('x-api-key'),
  /** Mounted Secret file: one lower-case hex SHA-256 digest per line, never plaintext keys. */
  keysFile: z.string().min(1),
});

const NoAuthSchema = z.strictObject({ type: z.literal('none') });

/**
 * An `events` route's contract: the topic's Avro schema, inlined (the route table is rendered
 * from the same definition as the topic's google_pubsub_schema). Bodies are checked against it
 * before they are published.
 */
const EventSchemaSchema = z.strictObject({
  type: z.literal('avro'),
  definition: z.string().min(2),
});

export const RouteAuthSchema = z.discriminatedUnion('type', [JwtAuthSchema, ApiKeyAuthSchema, NoAuthSchema]);

export const GatewayRouteSchema = z
  .strictObject({
    name: z.string().regex(NAME, 'expected [a-z0-9-], 1-63 characters'),
    match: z.strictObject({
      host: z
        .string()
        .regex(/^[a-z0-9.-]+$/, 'expected a lower-case host name without port')
        .optional(),
      pathPrefix: z.string().regex(/^\/[^\s?#]*$/, 'expected an absolute path without query'),
    }),
    kind: z.enum(['http', 'websocket', 'sse', 'grpc', 'events']),
    upstream: z.strictObject({ url: z.url({ protocol: /^http$/ }) }).optional(),
    topic: z.string().regex(TOPIC, 'expected projects/<project>/topics/<topic>').optional(),
    schema: EventSchemaSchema.optional(),
    timeouts: TimeoutsSchema,
    auth: RouteAuthSchema,
    rateLimit: z
      .strictObject({
        requestsPerSecond: z.number().positive(),
        burst: z.number().int().positive(),
      })
      .optional(),
    maxBodyBytes: z.number().int().nonnegative(),
  })
  .superRefine((route, ctx) => {
    if (route.kind === 'events') {
      if (route.topic === undefined) ctx.addIssue({ code: 'custom', path: ['topic'], message: 'required when kind is events' });
      if (route.upstream !== undefined) ctx.addIssue({ code: 'custom', path: ['upstream'], message: 'not allowed when kind is events' });
    } else {
      if (route.upstream === undefined) ctx.addIssue({ code: 'custom', path: ['upstream'], message: `required when kind is ${route.kind}` });
      if (route.topic !== undefined) ctx.addIssue({ code: 'custom', path: ['topic'], message: 'only allowed when kind is events' });
      if (route.schema !== undefined) ctx.addIssue({ code: 'custom', path: ['schema'], message: 'only allowed when kind is events' });
    }
  });

/** `gateway_request_duration_seconds` buckets when the table names none (the renderer always does). */
export const DEFAULT_DURATION_BUCKETS_SECONDS: readonly number[] = [0.005, 0.025, 0.1, 0.5, 2.5, 10, 60];

const MetricsSchema = z.strictObject({
  /**
   * The request-duration histogram's bucket boundaries, ascending: the renderer adds every
   * route's latency objective, so each SLO threshold is a boundary by construction.
   */
  durationBucketsSeconds: z
    .array(z.number().positive().finite())
    .min(1)
    .max(64)
    .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]!), 'must be strictly ascending'),
});

export const GatewayRoutesSchema = z
  .strictObject({
    version: z.literal(1),
    metrics: MetricsSchema.optional(),
    routes: z.array(GatewayRouteSchema),
  })
  .superRefine((table, ctx) => {
    const names = new Map<string, number>();
    const matches = new Map<string, number>();
    table.routes.forEach((route, i) => {
      const firstName = names.get(route.name);
      if (firstName !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'name'], message: `duplicate of routes[${firstName}].name` });
      } else names.set(route.name, i);
      // gRPC routes live on the h2c listener, the rest on HTTP/1.1: collisions only count within one.
      const key = `${route.kind === 'grpc' ? 'h2c' : 'http1'} ${route.match.host ?? '*'} ${route.match.pathPrefix}`;
      const firstMatch = matches.get(key);
      if (firstMatch !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'match'], message: `same host and pathPrefix as routes[${firstMatch}]` });
      } else matches.set(key, i);
    });
  });

export type GatewayRoutes = z.infer<typeof GatewayRoutesSchema>;
/** What a writer (the catalog renderer) may emit: fields with defaults are optional here. */
export type GatewayRoutesInput = z.input<typeof GatewayRoutesSchema>;
export type GatewayRoute = GatewayRoutes['routes'][number];
export type RouteAuth = GatewayRoute['auth'];
export type RouteKind = GatewayRoute['kind'];

/** `routes[2].timeouts.idleMs` from a zod issue path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * Validates a parsed gateway-routes.json. Throws an Error whose message names `source`
 * and every offending field path, one per line after the first:
 * `gateway-routes.json: routes[2].timeouts.idleMs: Invalid input: expected number, received string`.
 */
export function parseGatewayRoutes(json: unknown, source: string): GatewayRoutes {
  const result = GatewayRoutesSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${source}: ${formatIssuePath(issue.path)}: ${issue.message}`);
  throw new Error(lines.join('\n'));
}
