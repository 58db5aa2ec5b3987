/** The catalog's `edge` (domains, Cloud Armor, SSL policy) and `mesh` sections. */
import { z } from 'zod';
import { cidr, hostname, imageDigest, imageTag, oneOfTagOrDigest, seconds } from './primitives.ts';

export const OWASP_RULE_SETS = [
  'sqli-v33-stable', 'xss-v33-stable', 'lfi-v33-stable', 'rfi-v33-stable', 'rce-v33-stable',
  'methodenforcement-v33-stable', 'scannerdetection-v33-stable', 'protocolattack-v33-stable',
  'sessionfixation-v33-stable',
] as const;
export type OwaspRuleSet = (typeof OWASP_RULE_SETS)[number];

/**
 * The highest sensitivity each CRS 3.3 rule set has signatures at (a sensitivity is the OWASP
 * paranoia level of its signatures; a level a set has none at would only look stricter). From
 * Cloud Armor's preconfigured WAF rule tables: e.g. lfi-v33 has only level-1 signatures,
 * rce-v33 goes to 3 (932200 at 2, 932106/932190 at 3), sqli-v33 to 4.
 */
export const OWASP_MAX_SENSITIVITY: Readonly<Record<OwaspRuleSet, number>> = {
  'sqli-v33-stable': 4,
  'xss-v33-stable': 2,
  'lfi-v33-stable': 1,
  'rfi-v33-stable': 2,
  'rce-v33-stable': 3,
  'methodenforcement-v33-stable': 1,
  'scannerdetection-v33-stable': 2,
  'protocolattack-v33-stable': 3,
  'sessionfixation-v33-stable': 1,
};

/** ISO 3166-1 alpha-2 codes: what Cloud Armor's `origin.region_code` holds. */
export const REGION_CODES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** Interval values Cloud Armor accepts for rate-based rules. */
const RATE_INTERVALS = [10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600] as const;

/** A Google-managed certificate (GKE ManagedCertificate) covers at most 100 names, none of them wildcards. */
const MAX_CERTIFICATE_DOMAINS = 100;

const OwaspRuleSchema = z
  .object({ ruleSet: z.enum(OWASP_RULE_SETS), sensitivity: z.number().int().min(1).max(4) })
  .superRefine((rule, ctx) => {
    const max = OWASP_MAX_SENSITIVITY[rule.ruleSet];
    if (rule.sensitivity > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['sensitivity'],
        message: `${rule.ruleSet} has signatures at sensitivity ${max === 1 ? '1 only' : `1–${max}`}; ${rule.sensitivity} would enable nothing more`,
      });
    }
  });

export const EdgeSchema = z.object({
  domains: z
    .array(hostname.refine((d) => !d.startsWith('*.'), 'a Google-managed certificate cannot cover a wildcard name'))
    .min(1, 'needs at least one domain (the managed certificate covers them)')
    .max(MAX_CERTIFICATE_DOMAINS, `a Google-managed certificate covers at most ${MAX_CERTIFICATE_DOMAINS} names`),
  armor: z.object({
    /** Preconfigured OWASP CRS 3.3 rule sets, each at a sensitivity it has signatures at (one rule per set). */
    owasp: z
      .array(OwaspRuleSchema)
      .default([])
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((r, i) => {
          if (seen.has(r.ruleSet)) ctx.addIssue({ code: 'custom', path: [i, 'ruleSet'], message: `duplicate rule set "${r.ruleSet}"` });
          seen.add(r.ruleSet);
        });
      }),
    rateBan: z.object({
      thresholdCount: z.number().int().positive(),
      intervalSec: z.number().refine((n) => (RATE_INTERVALS as readonly number[]).includes(n), {
        message: `must be one of ${RATE_INTERVALS.join(', ')}`,
      }),
      banDurationSec: seconds,
    }),
    /** Clients whose IP geolocates to these regions get 403 (Cloud Armor's origin.region_code). */
    denyCountries: z
      .array(
        z
          .string()
          .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like "KP"')
          .refine((c) => REGION_CODES.has(c), { message: 'is not an ISO 3166-1 alpha-2 region code (the United Kingdom is "GB")' }),
      )
      .default([]),
    /** Sources always refused (403), before anything else is evaluated. */
    denyIpRanges: z.array(cidr).default([]),
    /**
     * Trusted sources (monitoring, partners behind one NAT) exempt from the rate-based ban. They
     * still pass the deny lists and the WAF: an allow rule never skips the OWASP rules.
     */
    allowIpRanges: z.array(cidr).default([]),
    adaptiveProtection: z.boolean().default(false),
    /**
     * Log what the WAF rules (OWASP, cve-canary) and the rate-based ban would block instead of
     * blocking it; the explicit IP and country lists are always enforced.
     */
    preview: z.boolean().default(false),
  }),
  /** Share of requests the GLB logs (with Cloud Armor's verdict): 1 = every request. */
  logSampleRate: z.number().min(0).max(1).default(1),
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
  /** The GLB's TLS terms (google_compute_ssl_policy): TLS 1.2 or later, MODERN or RESTRICTED ciphers. */
  sslPolicy: z
    .object({
      minTlsVersion: z.literal('TLS_1_2', { message: 'must be "TLS_1_2": TLS 1.0 and 1.1 are deprecated (RFC 8996)' }).default('TLS_1_2'),
      profile: z.enum(['MODERN', 'RESTRICTED'], { message: 'must be "MODERN" or "RESTRICTED" (COMPATIBLE keeps ciphers without forward secrecy)' }).default('MODERN'),
    })
    .prefault({}),
});

export const MeshSchema = z
  .object({
    mtls: z.enum(['STRICT', 'PERMISSIVE']).default('STRICT'),
    trustDomain: z.string().default('cluster.local'),
  })
  .prefault({});
