/** The catalog's `topics` section: Pub/Sub topics, subscriptions, dead letters, public ingest routes. */
import { z } from 'zod';
import { AuthSchema, RateLimitSchema, dnsLabel, hostname, pathPrefix } from './primitives.ts';

/** Pub/Sub ids are 3–255 characters. */
const pubsubId = dnsLabel.refine((v) => v.length >= 3, 'Pub/Sub ids are at least 3 characters');

const SubscriptionSchema = z
  .object({
    name: pubsubId,
    ackDeadlineSec: z.number().int().min(10).max(600).default(30),
    retryBackoff: z
      .object({ minSec: z.number().int().min(0).max(600).default(10), maxSec: z.number().int().min(0).max(600).default(600) })
      .prefault({}),
    /** Dead-letter topic `<topic>-dead-letter` (created, with its own subscription) after this many attempts. */
    deadLetter: z.object({ maxDeliveryAttempts: z.number().int().min(5).max(100).default(5) }).optional(),
    ordering: z.boolean().default(false),
    exactlyOnce: z.boolean().default(false),
    retentionSec: z.number().int().min(600).max(604_800).default(604_800),
  })
  .superRefine((sub, ctx) => {
    if (sub.retryBackoff.minSec > sub.retryBackoff.maxSec) {
      ctx.addIssue({ code: 'custom', path: ['retryBackoff', 'minSec'], message: `is above maxSec (${sub.retryBackoff.maxSec})` });
    }
  });

export const TopicSchema = z.object({
  name: pubsubId,
  messageRetentionSec: z.number().int().min(600).max(2_678_400).default(86_400),
  subscriptions: z.array(SubscriptionSchema).default([]),
  /** A public route whose POST bodies the edge gateway publishes to this topic (202 + message id). */
  ingest: z
    .object({
      /** Default: the environment's first edge domain. */
      host: hostname.optional(),
      pathPrefix,
      auth: AuthSchema,
      rateLimit: RateLimitSchema.optional(),
      maxBodyBytes: z.number().int().positive().max(10 * 1024 * 1024, 'Pub/Sub messages are at most 10 MiB').default(1024 * 1024),
    })
    .optional(),
});
