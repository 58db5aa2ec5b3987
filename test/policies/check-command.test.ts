/**
 * `check` end to end on the real catalog: every environment synthesized once by the CLI, then
 * checked through the CLI (formats, exit codes, the waiver clock) and through the command's
 * function (`--output`, `--catalog`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check } from '../../cli/commands/check.ts';
import catalog from '../../environments/index.ts';
import { parseEnvironment } from '../../environments/load.ts';
import { RULES } from '../../policies/index.ts';
import type { Waiver } from '../../policies/waivers.ts';
import { ROOT, cli, removeOutput, synthesize, type Json } from './synthesized.ts';

const TODAY = '2026-11-22';
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every waiver of the real catalog, with its environment. */
function catalogWaivers(): { env: string; waiver: Waiver }[] {
  return Object.entries(catalog).flatMap(([env, raw]) => {
    const parsed = parseEnvironment(env, raw);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    return parsed.env.waivers.map((waiver) => ({ env, waiver }));
  });
}

describe('npm run check', () => {
  let out: string | undefined;
  const dir = (): string => out ?? '';

  beforeAll(async () => {
    out = await synthesize(['dev', 'staging', 'prod']);
  }, 180_000);
  afterAll(() => removeOutput(out));

  /** A catalog module that edits the real one (`edit` runs on a structured clone of it). */
  async function catalogModule(name: string, edit: string): Promise<string> {
    const file = join(dir(), `${name}.ts`);
    const real = pathToFileURL(join(ROOT, 'environments/index.ts')).href;
    await writeFile(file, `import real from '${real}';\nconst catalog = structuredClone(real);\n${edit}\nexport default catalog;\n`);
    return file;
  }

  it('passes the three catalog environments: every finding is waived, every waiver dated and shown', async () => {
    const run = await cli(['check', '--out', dir()], { PLATFORM_TODAY: TODAY });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/^ERROR /m);
    for (const { env, waiver } of catalogWaivers()) {
      // Each waiver shows: as the finding it waives, or as a warning that it matches nothing any more.
      const shown = new RegExp(`^(WAIVED ${waiver.rule} ${env} ${escape(waiver.target)}(#\\S+)?\\n(.*\\n)\\s+waived until ${waiver.expires}: |WARNING WAIVER002 ${env} waivers)`, 'm');
      expect(run.stdout).toMatch(shown);
    }
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^policies: ${RULES.length} rules, (no findings|0 errors, \\d+ warnings, 0 notes, \\d+ waived)$`));
  });

  it('writes every format', async () => {
    const today = { PLATFORM_TODAY: TODAY };
    const [json, sarif, junit, markdown] = await Promise.all(
      ['json', 'sarif', 'junit', 'markdown'].map((format) => cli(['check', '--out', dir(), '--format', format], today)),
    );
    const summary = (JSON.parse(json?.stdout ?? '') as Json).summary as Json;
    expect(summary.error).toBe(0);
    const log = JSON.parse(sarif?.stdout ?? '') as Json;
    expect(log.version).toBe('2.1.0');
    const waived = log.runs[0].results.filter((r: Json) => r.suppressions?.[0]?.kind === 'external');
    expect(waived).toHaveLength(summary.waived);
    for (const r of waived) expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(/(cdktf\.out\/stacks\/platform-|dist\/)(dev|staging|prod)\//);
    expect(junit?.stdout).toMatch(new RegExp(`^<\\?xml version="1\\.0" encoding="UTF-8"\\?>\\n<testsuites name="platform policies" tests="\\d+" failures="0" errors="0" skipped="${summary.waived}"`));
    expect(markdown?.stdout.split('\n')[0]).toMatch(/^### Policy check passed/);
    for (const r of [json, sarif, junit, markdown]) expect(r?.code).toBe(0);
  });

  it('rejects an unknown format, --output on synth, and a bad PLATFORM_TODAY with exit 1', async () => {
    const format = await cli(['check', '--out', dir(), '--format', 'html']);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('--format:');
    const output = await cli(['synth', '--out', dir(), '--output', 'x.sarif']);
    expect(output.code).toBe(1);
    expect(output.stderr).toContain('--output: only check writes a report file');
    const clock = await cli(['check', '--out', dir()], { PLATFORM_TODAY: '2026-13-01' });
    expect(clock.code).toBe(1);
    expect(clock.stderr).toContain('PLATFORM_TODAY: "2026-13-01" is not a calendar date');
  });

  it('fails once a waiver expires: the expired waiver is an error and the finding it covered is open again', async () => {
    // A real finding to waive: dev's cluster with shielded nodes off, in a copy of the output.
    const copy = join(dir(), 'expiring');
    await Promise.all(['cdktf.out', 'dist'].map((d) => cp(join(dir(), d), join(copy, d), { recursive: true })));
    const stackFile = join(copy, 'cdktf.out/stacks/platform-dev/cdk.tf.json');
    const tf = JSON.parse(await readFile(stackFile, 'utf8')) as Json;
    const [name, cluster] = Object.entries(tf.resource.google_container_cluster as Record<string, Json>)[0] ?? [];
    if (!cluster) throw new Error('dev has no cluster');
    cluster.enable_shielded_nodes = false;
    await writeFile(stackFile, JSON.stringify(tf));
    const address = `google_container_cluster.${name}`;
    const waiving = await catalogModule(
      'waiving',
      `catalog.dev.waivers = [{ rule: 'GKE005', target: '${address}', reason: 'shielded nodes are off while the node image migration runs', expires: '2026-12-31' }];`,
    );
    const before = await cli(['check', '--out', copy, '--env', 'dev', '--catalog', waiving], { PLATFORM_TODAY: TODAY });
    expect(before.code, before.stdout + before.stderr).toBe(0);
    expect(before.stdout).toContain(`WAIVED GKE005 dev ${address}\n`);
    const run = await cli(['check', '--out', copy, '--env', 'dev', '--catalog', waiving], { PLATFORM_TODAY: '2099-01-01' });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`ERROR GKE005 dev ${address}\n`);
    expect(run.stdout).toContain(`ERROR WAIVER001 dev waivers[0]\n    the waiver of GKE005 on ${address} expired on 2026-12-31`);
    expect(run.stdout).not.toContain('WAIVED');
  });

  it('reads waivers from --catalog: without dev\'s waivers, what they waived is open; a waiver naming no rule is bad input', async () => {
    const withWaivers = join(dir(), 'with.json');
    await check(dir(), ['dev'], 'json', { output: withWaivers, today: TODAY });
    const waived = (JSON.parse(await readFile(withWaivers, 'utf8')) as Json).findings.filter((f: Json) => f.status === 'waived');
    const unwaived = await catalogModule('unwaived', 'catalog.dev.waivers = [];');
    const report = join(dir(), 'dev.json');
    expect(await check(dir(), ['dev'], 'json', { catalog: unwaived, output: report, today: TODAY })).toBe(waived.length > 0 ? 2 : 0);
    const open = (JSON.parse(await readFile(report, 'utf8')) as Json).findings;
    expect(open.map((f: Json) => `${f.status} ${f.ruleId} ${f.target.address}`)).toEqual(waived.map((f: Json) => `open ${f.ruleId} ${f.target.address}`));

    const unknown = await catalogModule('unknown-rule', "catalog.dev.waivers = [{ rule: 'GKE999', target: 'terraform.backend', reason: 'no such rule exists in the suite', expires: '2027-01-01' }];");
    await expect(check(dir(), ['dev'], 'table', { catalog: unknown, output: join(dir(), 'x.txt'), today: TODAY })).rejects.toThrow(
      'dev.waivers[0].rule: "GKE999" is not a policy rule',
    );
    const synth = await cli(['synth', '--out', join(dir(), 'never'), '--catalog', unknown]);
    expect(synth.code).toBe(1);
    expect(synth.stderr).toContain('dev.waivers[0].rule: "GKE999" is not a policy rule');
    expect(existsSync(join(dir(), 'never', 'cdktf.out'))).toBe(false);
  });

  it('--output writes the report atomically and still exits 2 on an unwaived error', async () => {
    const file = join(dir(), 'cdktf.out/stacks/platform-staging/cdk.tf.json');
    const tf = JSON.parse(await readFile(file, 'utf8')) as Json;
    for (const cluster of Object.values(tf.resource.google_container_cluster as Json)) cluster.enable_shielded_nodes = false;
    await writeFile(file, JSON.stringify(tf, null, 2));
    const junit = join(dir(), 'policies.xml');
    await writeFile(junit, 'stale');
    expect(await check(dir(), [], 'junit', { output: junit, today: TODAY })).toBe(2);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<failure message="shielded nodes are off" type="GKE005">');
    expect((await readdir(dir())).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(check(dir(), [], 'sarif', { output: join(dir(), 'missing-dir', 'x.sarif'), today: TODAY })).rejects.toThrow(/^--output .*missing-dir\/x\.sarif: ENOENT/);
  });
});
