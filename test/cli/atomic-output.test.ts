import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createStaging, discardStaging, publish, type Staging } from '../../cli/atomic-output.ts';

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
const read = (path: string): Promise<string> => readFile(path, 'utf8');
const manifest = (...stacks: string[]): string => JSON.stringify({ version: '0.21.0', stacks: Object.fromEntries(stacks.map((s) => [s, { name: s }])) });

/** Output of a previous synth for environments a and b, with Terraform working state in a's stack. */
async function previousOutput(out: string): Promise<void> {
  await put(join(out, 'cdktf.out/manifest.json'), manifest('platform-a', 'platform-b'));
  for (const env of ['a', 'b']) {
    await put(join(out, `cdktf.out/stacks/platform-${env}/cdk.tf.json`), `old-${env}`);
    await put(join(out, `dist/${env}/0000-x.yaml`), `old-${env}`);
  }
  await put(join(out, 'cdktf.out/stacks/platform-a/.terraform/providers/google'), 'provider binary');
  await put(join(out, 'cdktf.out/stacks/platform-a/.terraform.lock.hcl'), 'lock');
}

async function stage(staging: Staging, envs: string[]): Promise<void> {
  await put(join(staging.cdktfOut, 'manifest.json'), manifest(...envs.map((e) => `platform-${e}`)));
  for (const env of envs) {
    await put(join(staging.cdktfOut, `stacks/platform-${env}/cdk.tf.json`), `new-${env}`);
    await put(join(staging.dist, `${env}/0000-x.yaml`), `new-${env}`);
  }
}

describe('atomic publication of synth output', () => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), 'atomic-output-'));
    await previousOutput(out);
  });
  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('replaces everything, keeps Terraform working state, and leaves no staging behind', async () => {
    const staging = await createStaging(out);
    await stage(staging, ['a']);
    await publish(staging, out, ['a'], true);
    expect(await read(join(out, 'cdktf.out/stacks/platform-a/cdk.tf.json'))).toBe('new-a');
    expect(await read(join(out, 'dist/a/0000-x.yaml'))).toBe('new-a');
    expect(existsSync(join(out, 'cdktf.out/stacks/platform-b'))).toBe(false); // b left the catalog
    expect(await read(join(out, 'cdktf.out/stacks/platform-a/.terraform/providers/google'))).toBe('provider binary');
    expect(await read(join(out, 'cdktf.out/stacks/platform-a/.terraform.lock.hcl'))).toBe('lock');
    expect((await readdir(out)).sort()).toEqual(['cdktf.out', 'dist']);
  });

  it('replaces one environment, leaves the others, and merges the cdktf manifest', async () => {
    const staging = await createStaging(out);
    await stage(staging, ['a']);
    await publish(staging, out, ['a'], false);
    expect(await read(join(out, 'cdktf.out/stacks/platform-a/cdk.tf.json'))).toBe('new-a');
    expect(await read(join(out, 'cdktf.out/stacks/platform-b/cdk.tf.json'))).toBe('old-b');
    expect(await read(join(out, 'dist/b/0000-x.yaml'))).toBe('old-b');
    expect(Object.keys(JSON.parse(await read(join(out, 'cdktf.out/manifest.json'))).stacks).sort()).toEqual(['platform-a', 'platform-b']);
    expect(await read(join(out, 'cdktf.out/stacks/platform-a/.terraform.lock.hcl'))).toBe('lock');
  });

  it('undoes a publication that fails half-way, restoring the previous output and its Terraform state', async () => {
    const staging = await createStaging(out);
    await stage(staging, ['a']);
    // cdktf.out is swapped first; the dist swap then fails because the staged dist is missing.
    await rm(staging.dist, { recursive: true });
    await expect(publish(staging, out, ['a'], true)).rejects.toThrow(/ENOENT/);
    await discardStaging(staging);
    expect(await read(join(out, 'cdktf.out/stacks/platform-a/cdk.tf.json'))).toBe('old-a');
    expect(await read(join(out, 'cdktf.out/stacks/platform-b/cdk.tf.json'))).toBe('old-b');
    expect(await read(join(out, 'dist/a/0000-x.yaml'))).toBe('old-a');
    expect(await read(join(out, 'cdktf.out/stacks/platform-a/.terraform/providers/google'))).toBe('provider binary');
    expect((await readdir(out)).sort()).toEqual(['cdktf.out', 'dist']);
  });

  it('undoes a single-environment publication that fails on a later environment', async () => {
    const staging = await createStaging(out);
    await stage(staging, ['a', 'b']);
    await rm(join(staging.dist, 'b'), { recursive: true });
    await expect(publish(staging, out, ['a', 'b'], false)).rejects.toThrow(/ENOENT/);
    await discardStaging(staging);
    for (const env of ['a', 'b']) {
      expect(await read(join(out, `cdktf.out/stacks/platform-${env}/cdk.tf.json`))).toBe(`old-${env}`);
      expect(await read(join(out, `dist/${env}/0000-x.yaml`))).toBe(`old-${env}`);
    }
    expect(await read(join(out, 'cdktf.out/manifest.json'))).toBe(manifest('platform-a', 'platform-b'));
  });
});
