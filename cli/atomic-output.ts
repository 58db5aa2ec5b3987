/**
 * Atomic publication of synth output: everything is written into a staging directory beside
 * the real output, then renamed into place. A failed synth leaves the previous output as it
 * was; a successful one replaces it whole (all environments) or per environment (`--env`).
 */
import { mkdtemp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface Staging {
  readonly dir: string;
  /** Where the cdktf app writes (`<staging>/cdktf.out`). */
  readonly cdktfOut: string;
  /** Where the cdk8s charts write (`<staging>/dist`). */
  readonly dist: string;
}

export async function createStaging(outRoot: string): Promise<Staging> {
  await mkdir(outRoot, { recursive: true });
  const dir = await mkdtemp(join(outRoot, '.synth-'));
  return { dir, cdktfOut: join(dir, 'cdktf.out'), dist: join(dir, 'dist') };
}

export async function discardStaging(staging: Staging): Promise<void> {
  await rm(staging.dir, { recursive: true, force: true });
}

/** Moves `from` onto `to`, keeping the old `to` (if any) in `trash` until the caller drops it. */
async function swap(from: string, to: string, trash: string): Promise<void> {
  if (existsSync(to)) await rename(to, trash);
  await mkdir(join(to, '..'), { recursive: true });
  await rename(from, to);
}

/**
 * Publishes the staged output. With `envs` = every environment the whole `cdktf.out/` and
 * `dist/` are replaced (stale stacks of removed environments disappear); otherwise only those
 * environments' stack and manifest directories are, and cdktf's manifest.json is merged.
 */
export async function publish(staging: Staging, outRoot: string, envs: readonly string[], whole: boolean): Promise<void> {
  const trash = join(staging.dir, 'previous');
  await mkdir(trash);
  if (whole) {
    await swap(staging.cdktfOut, join(outRoot, 'cdktf.out'), join(trash, 'cdktf.out'));
    await swap(staging.dist, join(outRoot, 'dist'), join(trash, 'dist'));
  } else {
    const manifest = await mergedManifest(staging, outRoot);
    for (const env of envs) {
      const stack = join('cdktf.out', 'stacks', `platform-${env}`);
      await swap(join(staging.dir, stack), join(outRoot, stack), join(trash, `stack-${env}`));
      await swap(join(staging.dist, env), join(outRoot, 'dist', env), join(trash, `dist-${env}`));
    }
    const manifestPath = join(outRoot, 'cdktf.out', 'manifest.json');
    await writeFile(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(`${manifestPath}.tmp`, manifestPath);
  }
  await discardStaging(staging);
}

interface CdktfManifest {
  readonly version: string;
  readonly stacks: Record<string, unknown>;
}

async function mergedManifest(staging: Staging, outRoot: string): Promise<CdktfManifest> {
  const fresh = JSON.parse(await readFile(join(staging.cdktfOut, 'manifest.json'), 'utf8')) as CdktfManifest;
  const existingPath = join(outRoot, 'cdktf.out', 'manifest.json');
  if (!existsSync(existingPath)) return fresh;
  const existing = JSON.parse(await readFile(existingPath, 'utf8')) as CdktfManifest;
  return { ...fresh, stacks: { ...existing.stacks, ...fresh.stacks } };
}
