/** The catalog's `edge` (domains, Cloud Armor, SSL policy) and `mesh` sections. */
import { z } from 'zod';
import { cidr, hostname, imageDigest, imageTag, oneOfTagOrDigest, seconds } from './primitives.ts';

export const OWASP_RULE_SETS = [
  'sqli-v33-stable', 'xss-v33-stable', 'lfi-v33-stable', 'rfi-v33-stable', 'rce-v33-stable',
  'methodenforcement-v33-stable', 'scannerdetection-v33-stable', 'protocolattack-v33-stable',
  'sessionfixation-v33-stable',
] as const;

/** Interval values Cloud Armor accepts for rate-based rules. */
const RATE_INTERVALS = [10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600] as const;

export const EdgeSchema = z.object({
  domains: z.array(hostname).min(1, 'needs at least one domain (the managed certificate covers them)'),
  armor: z.object({
    owasp: z.array(z.object({ ruleSet: z.enum(OWASP_RULE_SETS), sensitivity: z.number().int().min(1).max(4) })).default([]),
    rateBan: z.object({
      thresholdCount: z.number().int().positive(),
      intervalSec: z.number().refine((n) => (RATE_INTERVALS as readonly number[]).includes(n), {
        message: `must be one of ${RATE_INTERVALS.join(', ')}`,
      }),
      banDurationSec: seconds,
    }),
    denyCountries: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like "KP"')).default([]),
    denyIpRanges: z.array(cidr).default([]),
    allowIpRanges: z.array(cidr).default([]),
    adaptiveProtection: z.boolean().default(false),
    /** Log what the WAF would block instead of blocking it. */
    preview: z.boolean().default(false),
  }),
  /** Browser origins allowed to call REST routes through Kong (its `cors` plugin); none → no CORS. */
  corsOrigins: z
    .array(z.string().regex(/^https:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?$/, 'must be an https origin like https://app.example.com'))
    .default([]),
  /** The edge gateway image built from gateway/Dockerfile, in the environment's Artifact Registry. */
  gateway: z
    .object({
      image: z
        .object({ tag: imageTag.optional(), digest: imageDigest.optional() })
        .refine(...oneOfTagOrDigest)
        .default({ tag: '0.1.0' }),
    })
    .prefault({}),
  sslPolicy: z
    .object({
      minTlsVersion: z.enum(['TLS_1_0', 'TLS_1_1', 'TLS_1_2']).default('TLS_1_2'),
      profile: z.enum(['COMPATIBLE', 'MODERN', 'RESTRICTED']).default('MODERN'),
    })
    .prefault({}),
});

export const MeshSchema = z
  .object({
    mtls: z.enum(['STRICT', 'PERMISSIVE']).default('STRICT'),
    trustDomain: z.string().default('cluster.local'),
  })
  .prefault({});
