/**
 * `observability`: how the environment is watched. One strict object of named sections, each
 * with defaults, so an environment file may leave any of them (or the whole object) out.
 * - `alerting`: where the SLO alerts go (schema/slo.ts).
 * - `tracing`: OpenTelemetry traces through the edge (gateway, Kong, mesh sidecars) to Cloud
 *   Trace via the in-cluster collector. The sampling ratio applies to traces that start at the
 *   edge; a caller's sampled flag is always followed. Unset, it comes from the tier
 *   (constructs/observability/telemetry-plan.ts).
 * - `accessLogs`: the edge namespace's access lines kept in a BigQuery dataset (a Cloud Logging
 *   sink, partitioned tables), for `retentionDays` (unset: by tier).
 */
import { z } from 'zod';
import { AlertingSchema } from './slo.ts';

export const TracingSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Share of new traces recorded, 0..1 (1 = every request). Default: by tier. */
  sampleRatio: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
});

export const AccessLogsSchema = z.strictObject({
  /** Route the edge's access lines into BigQuery. */
  bigQuery: z.boolean().default(true),
  /** Days a partition is kept (BigQuery partition expiration). Default: by tier. */
  retentionDays: z.number().int('must be a whole number of days').min(1).max(3650).optional(),
});

export const ObservabilitySchema = z.strictObject({
  /** Where SLO alerts go (schema/slo.ts): page and ticket channels, runbook links. */
  alerting: AlertingSchema.prefault({}),
  tracing: TracingSchema.prefault({}),
  accessLogs: AccessLogsSchema.prefault({}),
});
export type Observability = z.output<typeof ObservabilitySchema>;
