/**
 * Service level objectives (`services[].slo`) and where their alerts go
 * (`observability.alerting`). Most services write no `slo`: the defaults come from the
 * service's kind and the environment's tier (constructs/observability/slo-defaults.ts), and the
 * cross-field checks (constructs/observability/slo-checks.ts) judge the resolved values.
 */
import { z } from 'zod';

/** An objective in percent, strictly between 0 and 100 (100 % leaves no error budget). */
export const objectivePercent = z
  .number()
  .gt(0, 'must be a percentage above 0 and below 100 (e.g. 99.9)')
  .lt(100, 'must be below 100: an objective of 100 % leaves no error budget to alert on');

export const ServiceSloSchema = z.strictObject({
  /** Share of requests (or stream sessions) that succeed, in percent. */
  availability: objectivePercent.optional(),
  /**
   * Request/response routes only: `percent` of requests answered within `thresholdMs`. The
   * threshold must be a bucket boundary of the histogram the SLI reads. `false` turns it off.
   */
  latency: z
    .union([
      z.strictObject({
        thresholdMs: z.number().positive('must be a positive number of milliseconds'),
        percent: objectivePercent,
      }),
      z.literal(false),
    ])
    .optional(),
  /** Event consumers: the share of minutes in which the oldest unacked message is younger than maxAgeSec. */
  freshness: z.strictObject({ maxAgeSec: z.number().int().positive(), percent: objectivePercent }).optional(),
  /** Whether a fast burn pages (default: yes outside the development tier). */
  page: z.boolean().optional(),
});
export type ServiceSlo = z.infer<typeof ServiceSloSchema>;

/** The Secret (namespace `monitoring`) that holds every receiver credential, one key each. */
export const RECEIVER_SECRET = 'alertmanager-receivers';

const secretKey = z
  .string()
  .regex(/^[-._a-zA-Z0-9]+$/, `must be a key of the Secret "${RECEIVER_SECRET}" (letters, digits, "-", "_", ".")`);

/**
 * A channel that exists outside this repository. Only the name of the Secret key holding its
 * credential is here: the rendered Alertmanager config reads it from the mounted Secret
 * (`*_file` fields), so no credential is in git, a ConfigMap or Terraform state.
 */
export const AlertChannelSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pagerduty'), routingKeySecretKey: secretKey }),
  z.strictObject({
    type: z.literal('slack'),
    channel: z.string().regex(/^#[-_a-z0-9]+$/, 'must be a Slack channel like #platform-alerts'),
    webhookSecretKey: secretKey,
  }),
  /**
   * Any HTTP receiver (an incident tool's inbound hook). Alertmanager 0.25 has no `url_file` for
   * webhooks, so the URL must carry no secret (no user info, no query): the credential is a
   * bearer token read from the Secret (`http_config.authorization.credentials_file`).
   */
  z.strictObject({
    type: z.literal('webhook'),
    url: z
      .url({ protocol: /^https?$/ })
      .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u) && !u.includes('?'), 'must carry no credential: no user info and no query string (put the token in the Secret: tokenSecretKey)'),
    tokenSecretKey: secretKey.optional(),
  }),
]);
export type AlertChannel = z.infer<typeof AlertChannelSchema>;

export const AlertingSchema = z.strictObject({
  /** Fast burns (workbook: 14.4× over 1 h and 5 m, 6× over 6 h and 30 m). Absent: nothing pages. */
  page: AlertChannelSchema.optional(),
  /** Slow burns (3× over 1 d and 2 h, 1× over 3 d and 6 h) and saturation warnings. */
  ticket: AlertChannelSchema.optional(),
  /** Where the generated runbooks (docs/runbooks/) are browsed: alerts link `<base>/docs/runbooks/<env>/<alert>.md`. */
  runbookBaseUrl: z.url({ protocol: /^https$/ }).default('https://github.com/acme/platform/blob/main'),
});
export type Alerting = z.infer<typeof AlertingSchema>;
