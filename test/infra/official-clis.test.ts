import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { environmentStacks } from '../../infra/stack-order.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: ROOT, timeout: 170_000, env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/**
 * `npx cdktf synth` and `npx cdk8s synth` must work on the same code (cdktf.json, cdk8s.yaml)
 * and produce exactly what `npm start` produces in one process.
 */
describe('official CLIs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'platform-clis-'));
    const ours = await run(join(ROOT, 'node_modules/.bin/tsx'), ['cli/main.ts', 'synth', '--out', join(dir, 'ours'), '--no-policies']);
    expect(ours.code, ours.out).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('cdktf synth writes the same Terraform JSON', async () => {
    const res = await run(join(ROOT, 'node_modules/.bin/cdktf'), ['synth', '--output', join(dir, 'cdktf')]);
    expect(res.code, res.out).toBe(0);
    for (const env of ['dev', 'staging', 'prod']) {
      const theirs = await readFile(join(dir, 'cdktf/stacks', `platform-${env}`, 'cdk.tf.json'), 'utf8');
      const ours = await readFile(join(dir, 'ours/cdktf.out/stacks', `platform-${env}`, 'cdk.tf.json'), 'utf8');
      expect(JSON.parse(theirs)).toEqual(JSON.parse(ours));
    }
    // Every stack stack-order.ts names, with the dependencies it names, as `cdktf deploy` reads them.
    const manifest = JSON.parse(await readFile(join(dir, 'cdktf/manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies: string[] }> };
    const expected = ['dev', 'staging', 'prod'].flatMap(environmentStacks);
    expect(Object.keys(manifest.stacks).sort()).toEqual(expected.map((s) => s.name).sort());
    for (const s of expected) expect(manifest.stacks[s.name]?.dependencies, s.name).toEqual(s.dependsOn);
    expect(manifest.stacks['k8s-prod']?.dependencies).toEqual(['control-planes-prod']);
    expect(manifest.stacks['control-planes-prod']?.dependencies).toEqual(['platform-prod']);
    for (const s of expected) {
      const theirs = await readFile(join(dir, 'cdktf/stacks', s.name, 'cdk.tf.json'), 'utf8');
      const ours = await readFile(join(dir, 'ours/cdktf.out/stacks', s.name, 'cdk.tf.json'), 'utf8');
      expect(JSON.parse(theirs), s.name).toEqual(JSON.parse(ours));
    }
    // Nine stacks through the official CLI: on a shared, loaded machine it took over the default 60 s.
  }, 180_000);

  it('cdk8s synth writes the same manifests', async () => {
    const res = await run(join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--output', join(dir, 'cdk8s')]);
    expect(res.code, res.out).toBe(0);
    for (const env of ['dev', 'staging', 'prod']) {
      // Every file npm start writes for the environment, the rendered edge configs included.
      const ours = (await readdir(join(dir, 'ours/dist', env), { recursive: true })).sort();
      const theirs = (await readdir(join(dir, 'cdk8s', env), { recursive: true })).sort();
      expect(theirs).toEqual(ours);
      expect(ours).toEqual(expect.arrayContaining(['0000-namespaces.yaml', '0001-workloads.yaml', '0002-edge.yaml', 'edge/nginx.conf', 'edge/kong.yml', 'edge/gateway-routes.json']));
      for (const f of ours.filter((f) => f.includes('.'))) {
        expect(await readFile(join(dir, 'cdk8s', env, f), 'utf8'), f).toBe(await readFile(join(dir, 'ours/dist', env, f), 'utf8'));
      }
    }
  });
});
