/**
 * The OBS rules against prod as the CLI synthesizes it (the passing fixture) and against minimal
 * mutations of it that break one rule and no other (the failing fixtures).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type EnvironmentArtifacts } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { mutateObject, mutateTerraform, readSynthesized, removeOutput, synthesize, type Json } from './synthesized.ts';

let out: string;
let prod: EnvironmentArtifacts;

beforeAll(async () => {
  out = await synthesize(['prod']);
  prod = await readSynthesized(out, 'prod');
}, 120_000);

afterAll(() => removeOutput(out));

const OBS = RULES.filter((r) => r.id.startsWith('OBS'));
const findings = (a: EnvironmentArtifacts): string[] => evaluate(OBS, [a]).map((f) => `${f.ruleId} ${f.target.address}: ${f.message}`);

const byType = (t: Json, type: string): Json => t.resources.find((r: Json) => r.type === type);
const sink = (change: (v: Json, t: Json) => void) => (a: EnvironmentArtifacts) => mutateTerraform(a, (t) => change(byType(t, 'google_logging_project_sink').values, t));

/** The gateway's OTLP endpoint changed (a minimal mutation of its Deployment). */
const gatewayEndpoint = (url: string) => (a: EnvironmentArtifacts) =>
  mutateObject(a, 'Deployment', 'edge-gateway', (d) => {
    const env = d.spec.template.spec.containers.find((c: Json) => c.name === 'edge-gateway').env;
    env.find((e: Json) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT').value = url;
  });

const CASES: ReadonlyArray<[string, (a: EnvironmentArtifacts) => EnvironmentArtifacts, RegExp]> = [
  ['OBS001', sink((v) => (v.destination = 'bigquery.googleapis.com/projects/other-project/datasets/logs')), /^OBS001 google_logging_project_sink\.\S+: sink "edge-access-logs-prod" writes to "bigquery\.googleapis\.com\/projects\/other-project\/datasets\/logs", which no resource of this stack is/],
  [
    'OBS002',
    (a) => mutateTerraform(a, (t) => (byType(t, 'google_bigquery_dataset').values.access = [{ role: 'READER', special_group: 'allAuthenticatedUsers' }])),
    /^OBS002 google_logging_project_sink\.\S+: .*dataset "edge_access_logs_prod", made public by an access entry for allAuthenticatedUsers/,
  ],
  [
    'OBS002',
    (a) =>
      mutateTerraform(a, (t) => {
        const grant = structuredClone(byType(t, 'google_bigquery_dataset_iam_member'));
        grant.name = 'public';
        grant.address = `google_bigquery_dataset_iam_member.public`;
        grant.values = { ...grant.values, role: 'roles/bigquery.dataViewer', member: 'allUsers' };
        t.resources.push(grant);
      }),
    /^OBS002 .*made public by google_bigquery_dataset_iam_member\.public granting roles\/bigquery\.dataViewer to allUsers/,
  ],
  ['OBS003', sink((v) => (v.unique_writer_identity = false)), /^OBS003 .*: sink "edge-access-logs-prod" uses the project's shared writer identity/],
  [
    'OBS003',
    (a) =>
      mutateTerraform(a, (t) => {
        const grant = byType(t, 'google_bigquery_dataset_iam_member');
        grant.type = 'google_project_iam_member';
        delete grant.values.dataset_id;
        grant.values.project = 'acme-platform-prod';
      }),
    /^OBS003 .*writer identity holds roles\/bigquery\.dataEditor on the whole project/,
  ],
  ['OBS004', sink((v) => (v.bigquery_options = { use_partitioned_tables: false })), /^OBS004 .*: sink "edge-access-logs-prod" writes date-sharded tables/],
  ['OBS004', (a) => mutateTerraform(a, (t) => delete byType(t, 'google_bigquery_dataset').values.default_partition_expiration_ms), /^OBS004 .*: dataset "edge_access_logs_prod" keeps partitions forever/],
  [
    'OBS005',
    gatewayEndpoint('http://otel-collector.telemetry-staging.svc.cluster.local:4318'),
    /^OBS005 Deployment\/edge\/edge-gateway#edge-gateway: OTEL_EXPORTER_OTLP_ENDPOINT "http:\/\/otel-collector\.telemetry-staging\.svc\.cluster\.local:4318" names Service telemetry-staging\/otel-collector, which these manifests do not create/,
  ],
  ['OBS005', gatewayEndpoint('https://telemetry.googleapis.com'), /^OBS005 .*edge-gateway: OTEL_EXPORTER_OTLP_ENDPOINT "https:\/\/telemetry\.googleapis\.com" is not an in-cluster Service/],
  ['OBS005', gatewayEndpoint('http://otel-collector.telemetry.svc.cluster.local:4319'), /^OBS005 .*: OTEL_EXPORTER_OTLP_ENDPOINT .* uses port 4319, which Service telemetry\/otel-collector does not expose/],
  [
    'OBS005',
    (a) => {
      const copy = structuredClone(a) as EnvironmentArtifacts & { edge: { kong: { config: Json } } };
      const plugin = copy.edge.kong.config.plugins.find((p: Json) => p.name === 'opentelemetry');
      plugin.config.traces_endpoint = 'http://collector.example.com/v1/traces';
      return copy;
    },
    /^OBS005 kong\.yml#plugins\/opentelemetry: Kong's opentelemetry plugin traces_endpoint "http:\/\/collector\.example\.com\/v1\/traces" is not an in-cluster Service/,
  ],
];

describe('OBS rules on the synthesized prod stack', () => {
  it('prod as synthesized has a sink, and passes every OBS rule', () => {
    expect(prod.terraform.resources.filter((r) => r.type === 'google_logging_project_sink')).toHaveLength(1);
    expect(findings(prod)).toEqual([]);
    // OBS005 had something to judge: the gateway's endpoint and Kong's plugin.
    expect(JSON.stringify(prod.kubernetes)).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(JSON.stringify(prod.edge.kong?.config)).toContain('"opentelemetry"');
  });

  it('has a failing fixture for every OBS rule', () => {
    expect(new Set(CASES.map(([id]) => id))).toEqual(new Set(OBS.map((r) => r.id)));
  });

  it.each(CASES)('%s fails its minimal mutation, alone', (id, mutate, finding) => {
    const got = findings(mutate(prod));
    expect(got.some((f) => finding.test(f)), got.join('\n')).toBe(true);
    expect(got.filter((f) => !f.startsWith(`${id} `)), 'no other OBS rule fires').toEqual([]);
  });
});
