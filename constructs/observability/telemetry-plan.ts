/**
 * Traces and kept access logs (the `tracing` and `accessLogs` of `plan.observability`), derived once from the catalog's `observability` (pure, no I/O).
 * Every layer reads these names and numbers from here: the gateway's OTEL_* variables, the
 * BigQuery dataset, the Cloud Logging sink and exclusion and their filters.
 */
import type { Environment } from '../../environments/schema.ts';
import { planCollector, type CollectorPlan } from './collector-plan.ts';

type Tier = Environment['tier'];

/** Share of new traces recorded when the catalog does not say: everything in development, 1 % in production. */
export const SAMPLE_RATIO_BY_TIER: Readonly<Record<Tier, number>> = { development: 1, staging: 0.1, production: 0.01 };
/** Days an access-log partition is kept when the catalog does not say. */
export const ACCESS_LOG_RETENTION_DAYS_BY_TIER: Readonly<Record<Tier, number>> = { development: 7, staging: 30, production: 400 };

/** The namespace whose containers' lines are the edge's access logs (nginx, Kong, the gateway). */
export const EDGE_LOG_NAMESPACE = 'edge';

/** Probe and health-check requests: nginx's and the gateway's admin paths, Kong's status endpoint. */
const HEALTH_PATHS = ['/healthz', '/readyz', '/status'] as const;

export interface TracingPlan {
  readonly enabled: boolean;
  /** Ratio for traces that start at the edge (parent-based: a caller's decision is followed). */
  readonly sampleRatio: number;
}

export interface AccessLogPlan {
  readonly enabled: boolean;
  /** BigQuery dataset id ([A-Za-z0-9_]). */
  readonly datasetId: string;
  /** The dataset's location: the environment's region. */
  readonly location: string;
  readonly retentionDays: number;
  readonly sinkName: string;
  /** Cloud Logging filter: the edge namespace's container lines, health checks excluded. */
  readonly sinkFilter: string;
  readonly exclusionName: string;
  /** Cloud Logging filter of the lines kept out of ingestion: probes and health checks, cluster-wide. */
  readonly exclusionFilter: string;
}

export interface TelemetryPlan {
  readonly tracing: TracingPlan;
  /** Where the cluster's spans go (constructs/observability/collector-plan.ts). */
  readonly collector: CollectorPlan;
  readonly accessLogs: AccessLogPlan;
}

/** Lines of health-check requests: the httpRequest URL's path, or a plain probe path in the message. */
function healthCheckClause(): string {
  const urls = HEALTH_PATHS.map((p) => `httpRequest.requestUrl=~"^[a-z]+://[^/]*${p}($|\\\\?)"`);
  return `(${urls.join(' OR ')} OR httpRequest.userAgent=~"^(kube-probe|GoogleHC)/")`;
}

export function planTelemetry(env: Environment): TelemetryPlan {
  const { tracing, accessLogs } = env.observability;
  const base = `resource.type="k8s_container" AND resource.labels.project_id="${env.gcp.projectId}"`;
  return {
    tracing: { enabled: tracing.enabled, sampleRatio: tracing.sampleRatio ?? SAMPLE_RATIO_BY_TIER[env.tier] },
    collector: planCollector(env),
    accessLogs: {
      enabled: accessLogs.bigQuery,
      datasetId: `edge_access_logs_${env.name.replace(/-/g, '_')}`,
      location: env.gcp.region,
      retentionDays: accessLogs.retentionDays ?? ACCESS_LOG_RETENTION_DAYS_BY_TIER[env.tier],
      sinkName: `edge-access-logs-${env.name}`,
      sinkFilter: `${base} AND resource.labels.namespace_name="${EDGE_LOG_NAMESPACE}" AND httpRequest.requestMethod:* AND NOT ${healthCheckClause()}`,
      exclusionName: `health-checks-${env.name}`,
      exclusionFilter: `${base} AND ${healthCheckClause()}`,
    },
  };
}
