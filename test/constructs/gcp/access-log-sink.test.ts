// The edge's access logs in BigQuery, synthesized by the real platform stack, and the plan's
// catalog defaults and filters.
import { describe, expect, it } from 'vitest';
import { App, Testing } from 'cdktf';
import { PlatformStack } from '../../../infra/platform-stack.ts';
import { planTelemetry, ACCESS_LOG_RETENTION_DAYS_BY_TIER, SAMPLE_RATIO_BY_TIER } from '../../../constructs/observability/telemetry-plan.ts';
import { planOf } from '../../plan-fixtures.ts';
import { parseEnvironment } from '../../../environments/load.ts';
import prod from '../../../environments/prod.ts';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function synth(envName: 'dev' | 'staging' | 'prod', plan = planOf(envName)): Resources {
  const stack = new PlatformStack(new App({ stackTraces: false }), { plan });
  return (JSON.parse(Testing.synth(stack)) as { resource: Resources }).resource;
}

const only = (resources: Resources, type: string): [string, Record<string, unknown>] => {
  const entries = Object.entries(resources[type] ?? {});
  expect(entries, type).toHaveLength(1);
  return entries[0] as [string, Record<string, unknown>];
};

describe('edge access logs kept in BigQuery', () => {
  it('creates a dataset with partition expiry from the tier, a sink into it with partitioned tables, and grants the writer on the dataset alone', () => {
    const resources = synth('prod');
    const [datasetName, dataset] = only(resources, 'google_bigquery_dataset');
    expect(dataset).toMatchObject({
      dataset_id: 'edge_access_logs_prod',
      location: 'europe-west4',
      default_partition_expiration_ms: ACCESS_LOG_RETENTION_DAYS_BY_TIER.production * 86_400_000,
      delete_contents_on_destroy: false,
    });
    expect(dataset.access).toBeUndefined();
    const [sinkName, sink] = only(resources, 'google_logging_project_sink');
    expect(sink).toMatchObject({ name: 'edge-access-logs-prod', unique_writer_identity: true, bigquery_options: { use_partitioned_tables: true } });
    // The destination is the dataset of this stack, by reference.
    expect(sink.destination).toBe(`bigquery.googleapis.com/projects/\${google_bigquery_dataset.${datasetName}.project}/datasets/\${google_bigquery_dataset.${datasetName}.dataset_id}`);
    const [, writer] = only(resources, 'google_bigquery_dataset_iam_member');
    expect(writer).toMatchObject({
      dataset_id: `\${google_bigquery_dataset.${datasetName}.dataset_id}`,
      role: 'roles/bigquery.dataEditor',
      member: `\${google_logging_project_sink.${sinkName}.writer_identity}`,
    });
    // No project-wide role for the sink's writer.
    for (const grant of Object.values(resources.google_project_iam_member ?? {})) expect(String(grant.member)).not.toContain('writer_identity');
    const [, exclusion] = only(resources, 'google_logging_project_exclusion');
    expect(exclusion).toMatchObject({ name: 'health-checks-prod' });
    // Each waits for its API on a fresh project.
    expect(String(dataset.depends_on)).toContain('google_project_service.api-bigquery');
    expect(String(sink.depends_on)).toContain('google_project_service.api-logging');
  });

  it('takes retention from the catalog, and leaves BigQuery out when the catalog turns it off', () => {
    const withRetention = parseEnvironment('prod', { ...structuredClone(prod), observability: { ...prod.observability, accessLogs: { retentionDays: 90 } } });
    if (!withRetention.ok) throw new Error(withRetention.problems.join('\n'));
    const base = planOf('prod');
    expect(only(synth('prod', { ...base, observability: { ...base.observability, ...planTelemetry(withRetention.env) } }), 'google_bigquery_dataset')[1].default_partition_expiration_ms).toBe(90 * 86_400_000);
    const off = parseEnvironment('prod', { ...structuredClone(prod), observability: { ...prod.observability, accessLogs: { bigQuery: false } } });
    if (!off.ok) throw new Error(off.problems.join('\n'));
    const resources = synth('prod', { ...base, observability: { ...base.observability, ...planTelemetry(off.env) } });
    expect(resources.google_bigquery_dataset).toBeUndefined();
    expect(resources.google_logging_project_sink).toBeUndefined();
  });

  it('samples by tier unless the catalog says', () => {
    expect(planOf('dev').observability.tracing).toEqual({ enabled: true, sampleRatio: SAMPLE_RATIO_BY_TIER.development });
    expect(planOf('prod').observability.tracing.sampleRatio).toBe(0.01);
    const set = parseEnvironment('prod', { ...structuredClone(prod), observability: { ...prod.observability, tracing: { sampleRatio: 0.25 } } });
    if (!set.ok) throw new Error(set.problems.join('\n'));
    expect(planTelemetry(set.env).tracing.sampleRatio).toBe(0.25);
  });

  it('rejects bad observability values with path-named errors', () => {
    const bad = parseEnvironment('prod', {
      ...structuredClone(prod),
      observability: { tracing: { sampleRatio: 1.5, on: true }, accessLogs: { retentionDays: 0.5 } },
    });
    expect(bad.ok).toBe(false);
    const problems = bad.ok ? [] : bad.problems;
    expect(problems).toContain('prod.observability.tracing.sampleRatio: must be between 0 and 1');
    expect(problems.some((p) => p.startsWith('prod.observability.tracing: Unrecognized key') && p.includes('"on"'))).toBe(true);
    expect(problems).toContain('prod.observability.accessLogs.retentionDays: must be a whole number of days');
  });

  it("selects the edge namespace's request lines and skips health checks; the exclusion selects health checks anywhere", () => {
    const plan = planOf('prod').observability.accessLogs;
    expect(plan.sinkFilter).toContain('resource.labels.namespace_name="edge"');
    expect(plan.sinkFilter).toContain('resource.labels.project_id="acme-platform-prod"');
    expect(plan.sinkFilter).toContain('httpRequest.requestMethod:*');
    expect(plan.sinkFilter).toMatch(/AND NOT \(httpRequest\.requestUrl=~"\^\[a-z\]\+:\/\/\[\^\/\]\*\/healthz\(\$\|\\\\\?\)"/);
    expect(plan.exclusionFilter).not.toContain('namespace_name');
    expect(plan.exclusionFilter).toContain('httpRequest.userAgent=~"^(kube-probe|GoogleHC)/"');
  });
});
