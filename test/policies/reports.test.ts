/**
 * Report formats over a real run: prod synthesized by the CLI, one container broken on disk (an
 * open error with a real line), a cluster setting broken and waived, an expired and an
 * unmatched waiver. SARIF goes through Microsoft's validator and the SARIF 2.1.0 JSON schema;
 * JUnit through an XML parser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
// @xmldom/xmldom comes with the CDK CLIs' dev dependencies (jsii-rosetta); it is pinned by the lockfile.
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { CatalogSources } from '../../policies/catalog-sources.ts';
import { runPolicies, type PolicyRun } from '../../policies/policy-run.ts';
import { renderReport } from '../../policies/report.ts';
import { FINGERPRINT_KEY } from '../../policies/report-sarif.ts';
import { resultLocations } from '../../policies/result-locations.ts';
import type { Result } from '../../policies/waivers.ts';
import { ROOT, removeOutput, synthesize, type Json } from './synthesized.ts';

const run$ = promisify(execFile);
const TODAY = '2026-11-22';

/** Microsoft's SARIF validator; returns the results of its own output log. */
async function validateSarif(dir: string, sarif: string, name: string): Promise<Json[]> {
  const input = join(dir, `${name}.sarif`);
  const output = join(dir, `${name}.validation.sarif`);
  await writeFile(input, sarif);
  await run$(join(ROOT, 'node_modules/.bin/sarif-multitool'), ['validate', '--output', output, input], { cwd: ROOT, timeout: 120_000 });
  const log = JSON.parse(await readFile(output, 'utf8')) as Json;
  expect(log.runs[0].invocations[0].executionSuccessful).toBe(true);
  return log.runs[0].results as Json[];
}

/** The SARIF 2.1.0 schema shipped with the validator (it skips some schema errors silently, e.g. bad enum values). */
async function sarifSchema(): Promise<object> {
  const base = join(ROOT, 'node_modules/@microsoft');
  const dir = (await readdir(base)).find((d) => existsSync(join(base, d, 'sarif-2.1.0.json')));
  if (!dir) throw new Error('sarif-2.1.0.json not found under node_modules/@microsoft/sarif-multitool-*');
  return JSON.parse(await readFile(join(base, dir, 'sarif-2.1.0.json'), 'utf8')) as object;
}

function parseXml(text: string): Document {
  return new DOMParser({
    // Warnings are heuristics (a U+FFFD "may be an encoding issue"); errors are malformed XML.
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`${level}: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
}

describe('policy reports', () => {
  let out: string | undefined;
  let scratch: string;
  let run: PolicyRun;
  let sources: CatalogSources;

  beforeAll(async () => {
    out = await synthesize(['prod']);
    scratch = await mkdtemp(join(tmpdir(), 'policy-reports-'));
    // One open error (orders-api's container), one finding to waive (shielded nodes), and the
    // cluster's logging and monitoring set, so the run does not depend on the catalog's waivers.
    const workloads = join(out, 'dist/prod/0001-workloads.yaml');
    await writeFile(workloads, (await readFile(workloads, 'utf8')).replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'));
    const tfFile = join(out, 'cdktf.out/stacks/platform-prod/cdk.tf.json');
    const tf = JSON.parse(await readFile(tfFile, 'utf8')) as Json;
    for (const cluster of Object.values(tf.resource.google_container_cluster as Json)) {
      Object.assign(cluster, {
        enable_shielded_nodes: false,
        logging_config: { enable_components: ['SYSTEM_COMPONENTS', 'WORKLOADS'] },
        monitoring_config: { enable_components: ['SYSTEM_COMPONENTS', 'DCGM'], managed_prometheus: { enabled: true } },
      });
    }
    await writeFile(tfFile, JSON.stringify(tf, null, 2));
    const waivers = [
      { rule: 'GKE005', target: 'google_container_cluster.gke_cluster_C5D95197', reason: 'shielded nodes come with the node image upgrade', expires: '2027-01-31' },
      { rule: 'K8S005', target: 'Deployment/commerce/orders-api', reason: 'a waiver whose date has passed already', expires: '2026-01-31' },
      { rule: 'K8S001', target: 'Deployment/commerce/gone', reason: 'a waiver for something that no longer exists', expires: '2027-01-31' },
    ];
    run = await runPolicies(out, [{ name: 'prod', tier: 'production', waivers, file: 'environments/prod.ts' }], TODAY);
    sources = await CatalogSources.read(join(ROOT, 'environments/index.ts'), ROOT);
  }, 180_000);
  afterAll(async () => {
    await removeOutput(out);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const brief = (): string[] => run.results.map((r) => `${r.status} ${r.severity} ${r.ruleId} ${r.target.address}`);

  it('are built from a run with open, waived, expired and unmatched results', () => {
    expect(brief()).toEqual([
      'waived error GKE005 google_container_cluster.gke_cluster_C5D95197',
      'open error K8S006 Deployment/commerce/orders-api#orders-api',
      'open error WAIVER001 waivers[1]',
      'open warning WAIVER002 waivers[2]',
    ]);
  });

  it('SARIF passes Microsoft\'s validator and the SARIF 2.1.0 schema, and the validator does fail a broken log', async () => {
    const sarif = renderReport(run, 'sarif', { ...resultLocations('.', sources, run.rules, out), toolVersion: '0.1.0' });
    const findings = await validateSarif(scratch, sarif, 'good');
    expect(findings.filter((f) => f.level === 'error').map((f) => `${f.ruleId} ${JSON.stringify(f.message)}`)).toEqual([]);
    const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(await sarifSchema());
    expect(validate(JSON.parse(sarif)), JSON.stringify(validate.errors)).toBe(true);

    const broken = JSON.parse(sarif) as Json;
    delete broken.runs[0].results[0].message;
    broken.runs[0].results[1].locations[0].physicalLocation.region.startLine = 0;
    const brokenFindings = await validateSarif(scratch, JSON.stringify(broken), 'broken');
    expect(brokenFindings.filter((f) => f.level === 'error').length).toBeGreaterThanOrEqual(2);
    expect(validate(broken)).toBe(false);
  }, 120_000);

  it('SARIF carries rule help, locations at the synthesized line and the catalog line, suppressions, stable fingerprints', async () => {
    const context = { ...resultLocations('.', sources, run.rules, out) };
    const sarif = JSON.parse(renderReport(run, 'sarif', context)) as Json;
    const [sarifRun] = sarif.runs as Json[];
    const rules = sarifRun?.tool.driver.rules as Json[];
    for (const rule of rules) {
      expect(Object.keys(rule).sort()).toEqual(['defaultConfiguration', 'fullDescription', 'help', 'id', 'name', 'properties', 'shortDescription']);
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.help.markdown).toContain('**Fix.**');
      expect(rule.properties.tags.length).toBeGreaterThan(0);
    }
    const results = sarifRun?.results as Json[];
    for (const r of results) expect(rules[r.ruleIndex]?.id).toBe(r.ruleId);

    const k8s = results.find((r) => r.ruleId === 'K8S006') as Json;
    const loc = k8s.locations[0].physicalLocation;
    expect(loc.artifactLocation.uri).toBe('dist/prod/0001-workloads.yaml');
    const yaml = (await readFile(join(out!, loc.artifactLocation.uri), 'utf8')).split('\n');
    expect(yaml[loc.region.startLine - 1]).toBe('          name: orders-api');
    const related = k8s.relatedLocations[0].physicalLocation;
    expect(related.artifactLocation.uri).toBe('environments/services.ts');
    expect((await readFile(join(ROOT, related.artifactLocation.uri), 'utf8')).split('\n')[related.region.startLine - 1]).toContain("name: 'orders-api'");
    expect(k8s.message.text).toContain('[the catalog](1)');

    const gke = results.find((r) => r.ruleId === 'GKE005') as Json;
    const tf = (await readFile(join(out!, 'cdktf.out/stacks/platform-prod/cdk.tf.json'), 'utf8')).split('\n');
    expect(tf[gke.locations[0].physicalLocation.region.startLine - 1]).toBe('      "gke_cluster_C5D95197": {');
    const gkeSource = gke.relatedLocations[0].physicalLocation;
    expect((await readFile(join(ROOT, gkeSource.artifactLocation.uri), 'utf8')).split('\n')[gkeSource.region.startLine - 1]).toMatch(/^\s*gke:/);
    expect(gke.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: expect.stringContaining('(waived until 2027-01-31)') }]);
    expect(results.find((r) => r.ruleId === 'WAIVER001')?.locations[0].physicalLocation.artifactLocation.uri).toBe('environments/prod.ts');

    const again = JSON.parse(renderReport(run, 'sarif', context)) as Json;
    const prints = (s: Json): string[] => s.runs[0].results.map((r: Json) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(prints(again)).toEqual(prints(sarif));
    expect(new Set(prints(sarif)).size).toBe(results.length);
  });

  it('JUnit has a testsuite per environment, failures for open errors, skipped for waived findings', () => {
    const doc = parseXml(renderReport(run, 'junit'));
    const suites = Array.from(doc.getElementsByTagName('testsuite'));
    expect(suites.map((s) => s.getAttribute('name'))).toEqual(['policies prod']);
    const suite = suites[0]!;
    expect([suite.getAttribute('failures'), suite.getAttribute('skipped')]).toEqual(['2', '1']);
    expect(Number(suite.getAttribute('tests'))).toBe(run.rules.length); // a rule with no finding is one case, one with a finding one per finding (here one each)
    const failures = Array.from(doc.getElementsByTagName('failure')).map((f) => f.getAttribute('type'));
    expect(failures).toEqual(['K8S006', 'WAIVER001']);
    const skipped = Array.from(doc.getElementsByTagName('skipped')).map((s) => s.getAttribute('message'));
    expect(skipped).toEqual(['waived until 2027-01-31: shielded nodes come with the node image upgrade']);
  });

  it('JUnit escapes what XML cannot hold as is', () => {
    const odd: Result = { ...run.results[1]!, message: `a <b> & "c" 'd' \u0001`, target: { ...run.results[1]!.target, address: 'x&y' } };
    const doc = parseXml(renderReport({ ...run, results: [odd] }, 'junit'));
    const failure = doc.getElementsByTagName('failure')[0];
    expect(failure?.getAttribute('message')).toBe(`a <b> & "c" 'd' \uFFFD`);
    expect((failure?.parentNode as Element | null)?.getAttribute('name')).toBe('K8S006 x&y');
  });

  it('Markdown gives the verdict, counts per environment, open findings, and waived ones folded', () => {
    const md = renderReport(run, 'markdown');
    expect(md.split('\n')[0]).toBe('### Policy check failed: 2 errors');
    expect(md).toContain('| prod | 2 | 1 | 0 | 1 |');
    expect(md).toContain('| error | K8S006 | prod | `Deployment/commerce/orders-api#orders-api` | root filesystem is writable |');
    expect(md).toContain('<details><summary>1 waived finding</summary>');
    expect(md.indexOf('| error | K8S006')).toBeLessThan(md.indexOf('| warning | WAIVER002'));
    const piped = renderReport({ ...run, results: [{ ...run.results[1]!, message: 'a | b <script>' }] }, 'markdown');
    expect(piped).toContain('| a \\| b &lt;script&gt; |');
  });

  it('Markdown stays under GitHub\'s comment limit, saying what it left out', () => {
    const many = Array.from({ length: 5000 }, (_, i): Result => ({ ...run.results[1]!, target: { ...run.results[1]!.target, address: `Deployment/ns/w${i}#c` } }));
    const md = renderReport({ ...run, results: many }, 'markdown');
    expect(md.length).toBeLessThan(65_536);
    expect(md).toMatch(/_…and \d+ more: run `npm run check` for the full list\._/);
  });

  it('table and JSON show waived findings as waived', () => {
    const table = renderReport(run, 'table');
    expect(table).toMatch(/^WAIVED GKE005 prod google_container_cluster\.gke_cluster_C5D95197\n\s+shielded nodes are off\n\s+waived until 2027-01-31: shielded nodes come/m);
    expect(table).toMatch(/^ERROR K8S006 prod Deployment\/commerce\/orders-api#orders-api\n\s+root filesystem is writable/m);
    expect(table.split('\n').at(-1)).toBe(`policies: ${run.rules.length - 2} rules, 2 errors, 1 warnings, 0 notes, 1 waived`);
    const json = JSON.parse(renderReport(run, 'json')) as Json;
    expect(json.summary).toEqual({ error: 2, warning: 1, info: 0, waived: 1 });
    expect(json.findings[0]).toMatchObject({ ruleId: 'GKE005', status: 'waived', waiver: { expires: '2027-01-31' } });
    expect(json.rules.find((r: Json) => r.id === 'K8S006').equivalents.kyverno).toEqual(['require-ro-rootfs']);
  });
});
