/**
 * The OBS rules against prod as the CLI synthesizes it (the passing fixture) and against minimal
 * mutations of it that break one rule and no other (the failing fixtures).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type EnvironmentArtifacts } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { mutateTerraform, readSynthesized, removeOutput, synthesize, type Json } from './synthesized.ts';

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
];

describe('OBS rules on the synthesized prod stack', () => {
  it('prod as synthesized has a sink, and passes every OBS rule', () => {
    expect(prod.terraform.resources.filter((r) => r.type === 'google_logging_project_sink')).toHaveLength(1);
    expect(findings(prod)).toEqual([]);
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
