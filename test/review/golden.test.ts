import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../review/synth-diff/synth-process.ts';
import { GOLDEN_HINT, compareWithGolden } from '../../review/synth-diff/golden-compare.ts';
import { readSynthOutput, writeGoldenTree } from '../../review/synth-diff/synth-tree-reader.ts';
import { goldenView } from '../../review/synth-diff/synth-tree.ts';
import { ROOT, runCli, type CliRun } from '../cli-process.ts';

const GOLDEN = join(ROOT, 'test/golden');

const cli = (...args: string[]): Promise<CliRun> => runCli(args);

describe('golden outputs', () => {
  let tmp: string;
  let out: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'platform-golden-test-'));
    out = await synthesize({ project: ROOT, out: join(tmp, 'out'), label: 'the working tree' });
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('every environment synthesizes to the committed golden copy', async () => {
    const result = await compareWithGolden(out, GOLDEN);
    // On a mismatch the message is the structural diff (same engine as `npm run diff`), ending with the hint.
    if (!result.matches) expect.fail(`synthesized output differs from test/golden:\n\n${result.report}`);
    expect(result.diff.environments.map((e) => e.env)).toEqual(['dev', 'prod', 'staging']);
  });

  it('is deterministic: no absolute paths of the machine that synthesized it', async () => {
    const tree = goldenView(await readSynthOutput(out));
    expect([...tree.environments.keys()].sort()).toEqual(['dev', 'prod', 'staging']);
    for (const [env, t] of tree.environments) {
      expect([...t.files.keys()]).toContain(`stacks/platform-${env}/cdk.tf.json`);
      for (const [file, text] of t.files) {
        expect(text.includes(tmp), `${env}/${file} holds the output path`).toBe(false);
        expect(text.includes(ROOT), `${env}/${file} holds the project path`).toBe(false);
      }
    }
  });

  it('reports a mismatch as a structural diff that ends with how to refresh the copy', async () => {
    const copy = join(tmp, 'golden-copy');
    const written = await writeGoldenTree(goldenView(await readSynthOutput(out)), copy);
    expect(written).toContain('dev/cdk.tf.json');
    expect(written).toContain('dev/dist/0001-workloads.yaml');
    expect((await compareWithGolden(out, copy)).matches).toBe(true);

    const workloads = join(copy, 'prod/dist/0001-workloads.yaml');
    const text = await readFile(workloads, 'utf8');
    expect(text).toMatch(/maxReplicas: \d+/);
    await writeFile(workloads, text.replace(/maxReplicas: \d+/, 'maxReplicas: 999'));
    const tf = join(copy, 'dev/cdk.tf.json');
    const json = JSON.parse(await readFile(tf, 'utf8')) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const pools = json.resource.google_container_node_pool ?? {};
    const [poolId, pool] = Object.entries(pools)[0] ?? [];
    (pool?.node_config as Record<string, unknown>).machine_type = 'n1-standard-1';
    await writeFile(tf, JSON.stringify(json, null, 2));

    const result = await compareWithGolden(out, copy);
    expect(result.matches).toBe(false);
    expect(result.report).toMatch(/^synth diff: golden copy \(.*golden-copy\) → synthesized output/);
    expect(result.report).toContain(`REPLACE  google_container_node_pool.${poolId}`);
    expect(result.report).toMatch(/node_config\.machine_type: "n1-standard-1" → "[a-z0-9-]+"/);
    expect(result.report).toMatch(/spec\.maxReplicas: 999 → \d+/);
    expect(result.report.trimEnd().endsWith(GOLDEN_HINT)).toBe(true);

    // The command: exit 1 with the same report on stdout.
    const check = await cli('golden', 'check', '--dir', copy);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/^golden: synthesizing every environment into /m);
    expect(check.stdout).toContain('spec.maxReplicas: 999 → ');
    expect(check.stdout).toContain('run `npm run golden:update` if the change is intended');
  });

  it('refuses to replace a directory that is not a golden copy', async () => {
    const notGolden = join(tmp, 'not-golden');
    await mkdir(join(notGolden, 'src'), { recursive: true });
    await writeFile(join(notGolden, 'src', 'main.ts'), 'export {};\n');
    const update = await cli('golden', 'update', '--dir', notGolden);
    expect(update.code).toBe(1);
    expect(update.stderr).toContain(`refusing to replace ${notGolden}: it is not a golden copy`);
    expect(await readFile(join(notGolden, 'src', 'main.ts'), 'utf8')).toBe('export {};\n');
  });
});
