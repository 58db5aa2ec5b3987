import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentStacks } from '../../infra/stack-order.ts';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, runCli, type CliRun } from '../cli-process.ts';


const cli = (...args: string[]): Promise<CliRun> => runCli(args, { timeoutMs: 60_000 });

/** A digest of every file under `dir` (path + content), to prove output did not change. */
async function treeDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (d: string): Promise<void> => {
    for (const entry of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else hash.update(`${p}\0`).update(await readFile(p));
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

describe('platform CLI', () => {
  let out: string;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'platform-cli-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('synthesizes every environment into the documented layout and prints a summary', async () => {
    const run = await cli('synth', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const env of ['dev', 'staging', 'prod']) {
      expect(existsSync(join(out, 'cdktf.out/stacks', `platform-${env}`, 'cdk.tf.json'))).toBe(true);
      for (const s of environmentStacks(env)) expect(existsSync(join(out, 'cdktf.out/stacks', s.name, 'cdk.tf.json')), s.name).toBe(true);
      expect(await readdir(join(out, 'dist', env))).toEqual(expect.arrayContaining(['0000-namespaces.yaml', '0001-workloads.yaml', '0002-edge.yaml', 'edge']));
      expect((await readdir(join(out, 'dist', env, 'edge'))).sort()).toEqual(['gateway-routes.json', 'kong.yml', 'nginx.conf']);
    }
    expect(run.stdout).toMatch(/^prod\s+\d+\s+\d+\s+\d+ rules ok(, \d+ waived)?\s+\d+ ms$/m);
    expect((await readdir(out)).filter((f) => f.startsWith('.synth-'))).toEqual([]);
  });

  it('runs the policies on existing output, as a table or JSON', async () => {
    const table = await cli('check', '--out', out);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^policies: \d+ rules, (no findings|0 errors, \d+ warnings, 0 notes(, \d+ waived)?)$/m);
    const json = await cli('check', '--out', out, '--format', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ summary: { error: 0 }, rules: expect.arrayContaining([expect.objectContaining({ id: 'GKE001' })]) });
  });

  it('rejects a broken catalog with path-precise messages, exit 1, and leaves the previous output as it was', async () => {
    const before = await treeDigest(out);
    const catalog = join(out, 'broken-catalog.ts');
    const real = pathToFileURL(join(ROOT, 'environments/index.ts')).href;
    await writeFile(
      catalog,
      `import catalog from '${real}';
const prod = structuredClone(catalog.prod);
prod.services[0].route.pathPrefix = 'v1/orders';
const dev = structuredClone(catalog.dev);
dev.network.podCidr = '10.12.0.0/33';
export default { ...catalog, dev, prod };
`,
    );
    const run = await cli('synth', '--out', out, '--catalog', catalog);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('prod.services[0].route.pathPrefix: must start with "/"');
    expect(run.stderr).toContain('dev.network.podCidr: "10.12.0.0/33" has a prefix length above 32');
    expect(run.stderr).toContain('the catalog has 2 problems');
    expect(run.stdout).toBe('');
    await rm(catalog);
    expect(await treeDigest(out)).toBe(before);
    expect((await readdir(out)).filter((f) => f.startsWith('.synth-'))).toEqual([]);
  });

  it('re-synthesizes one environment without touching the others', async () => {
    const prodBefore = await treeDigest(join(out, 'dist/prod'));
    const run = await cli('synth', '--out', out, '--env', 'dev', '--no-policies');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^dev\s+\d+\s+\d+\s+skipped/m);
    expect(run.stdout).not.toMatch(/^prod/m);
    expect(await treeDigest(join(out, 'dist/prod'))).toBe(prodBefore);
    const manifest = JSON.parse(await readFile(join(out, 'cdktf.out/manifest.json'), 'utf8')) as { stacks: object };
    expect(Object.keys(manifest.stacks).sort()).toEqual(['dev', 'staging', 'prod'].flatMap((e) => environmentStacks(e).map((s) => s.name)).sort());
  });

  it('exits 2 when a policy fails on synthesized output', async () => {
    const file = join(out, 'cdktf.out/stacks/platform-staging/cdk.tf.json');
    const tf = JSON.parse(await readFile(file, 'utf8')) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    for (const cluster of Object.values(tf.resource.google_container_cluster ?? {})) cluster.enable_shielded_nodes = false;
    await writeFile(file, JSON.stringify(tf));
    const run = await cli('check', '--out', out);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/ERROR GKE005 staging google_container_cluster\.\S+\n\s+shielded nodes are off/);
  });

  it('rejects unknown flags and environments with exit 1 and no output', async () => {
    const flag = await cli('synth', '--out', out, '--frobnicate');
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/Unknown option '--frobnicate'/);
    const env = await cli('synth', '--out', join(out, 'never'), '--env', 'qa');
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('qa: no such environment (the catalog has dev, staging, prod)');
    expect(existsSync(join(out, 'never', 'dist'))).toBe(false);
    const twice = await cli('synth', '--out', join(out, 'never'), '--env', 'dev', '--env', 'dev');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('--env: names an environment twice');
  });
});
