/** Building blocks every section of the catalog schema uses: names, CIDRs, quantities, auth. */
import { z } from 'zod';
import { parseCidr } from '../cidr.ts';

/** A lowercase DNS label: Kubernetes names, GCP resource names, Pub/Sub ids all accept it. */
export const dnsLabel = z
  .string()
  .max(40, 'must be at most 40 characters (it prefixes generated GCP and Kubernetes names)')
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label: a-z, 0-9 and "-", starting with a letter');

export const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

export const hostname = z
  .string()
  .regex(/^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, 'must be a lowercase DNS name like api.example.com');

export const seconds = z.number().int('must be a whole number of seconds').positive('must be positive');

export const cpuQuantity = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, 'must be a CPU quantity like "250m" or "2"');
export const memoryQuantity = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity like "512Mi" or "4Gi"');

export const PROTOCOLS = ['http', 'grpc', 'websocket', 'sse'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const SERVICE_KINDS = ['public-api', 'internal-api', 'streaming', 'inference', 'event-consumer'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const TIERS = ['development', 'staging', 'production'] as const;

export const AuthSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('jwt'),
    issuer: z.string().url('must be the issuer URL'),
    audiences: z.array(z.string().min(1)).min(1, 'needs at least one audience'),
    jwksUri: z.string().url('must be the JWKS URL'),
  }),
  z.object({ type: z.literal('key-auth') }),
  z.object({
    type: z.literal('none'),
    reason: z.string().min(10, 'say why this route needs no authentication (at least 10 characters)'),
  }),
]);
export type Auth = z.infer<typeof AuthSchema>;

export const RateLimitSchema = z.object({
  requestsPerMinute: z.number().int().positive(),
  burst: z.number().int().positive().optional(),
});

export const pathPrefix = z
  .string()
  .regex(/^\//, 'must start with "/"')
  .regex(/^[-a-zA-Z0-9_./]*$/, 'may hold only letters, digits, "-", "_", "." and "/"');

export const imageTag = z.string().regex(/^[\w][\w.-]{0,127}$/, 'must be a Docker tag');
export const imageDigest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 hex>');
export const oneOfTagOrDigest = [
  (img: { tag?: string; digest?: string }) => (img.tag === undefined) !== (img.digest === undefined),
  { message: 'give exactly one of tag or digest' },
] as const;
