/**
 * Atomic publication of synth output: everything is written into a staging directory beside
 * the real output, then renamed into place. A failed synth leaves the previous output as it
 * was; a successful one replaces it whole (all environments) or per environment (`--env`).
 * Publishing is a journal of renames: if any step fails, the completed ones are undone in
 * reverse, so the previous output survives a failure half-way through too.
 */
import { mkdtemp, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
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

/** Renames that can be undone in reverse order. */
class RenameJournal {
  private readonly done: { from: string; to: string }[] = [];

  async move(from: string, to: string): Promise<void> {
    await rename(from, to);
    this.done.push({ from, to });
  }

  /** Best effort: every step is tried even if one fails, so as much as possible is restored. */
  async undo(): Promise<void> {
    for (const { from, to } of this.done.reverse()) await rename(to, from).catch(() => undefined);
  }
}

/** The stacks of one environment: `platform-<env>` (GCP) and `k8s-<env>` (the cluster). */
const STACK_PREFIXES = ['platform', 'k8s'] as const;
const stackDirs = (root: string, env: string): string[] => STACK_PREFIXES.map((p) => join(root, 'stacks', `${p}-${env}`));

/**
 * Terraform's working state in a stack directory (`.terraform/` with the providers,
 * `.terraform.lock.hcl` with their pins) is not synth output: it moves into the new stack
 * directory, as `cdktf synth` (which rewrites cdk.tf.json in place) would keep it.
 */
async function carryTerraformState(journal: RenameJournal, oldStack: string, newStack: string): Promise<void> {
  if (!existsSync(oldStack) || !existsSync(newStack)) return;
  for (const entry of await readdir(oldStack)) {
    if (entry.startsWith('.terraform')) await journal.move(join(oldStack, entry), join(newStack, entry));
  }
}

/**
 * Publishes the staged output. With `whole`, the entire `cdktf.out/` and `dist/` are replaced
 * (stale stacks of removed environments disappear); otherwise only the given environments'
 * stack and manifest directories are, and cdktf's manifest.json is merged.
 */
export async function publish(staging: Staging, outRoot: string, envs: readonly string[], whole: boolean): Promise<void> {
  const outCdktf = join(outRoot, 'cdktf.out');
  const outDist = join(outRoot, 'dist');
  const trash = join(staging.dir, 'previous');
  await mkdir(trash);
  const journal = new RenameJournal();
  const swap = async (from: string, to: string, trashName: string): Promise<void> => {
    if (existsSync(to)) await journal.move(to, join(trash, trashName));
    await mkdir(join(to, '..'), { recursive: true });
    await journal.move(from, to);
  };
  try {
    for (const env of envs) {
      const [olds, news] = [stackDirs(outCdktf, env), stackDirs(staging.cdktfOut, env)];
      for (const [i, old] of olds.entries()) await carryTerraformState(journal, old, news[i] as string);
    }
    if (whole) {
      await swap(staging.cdktfOut, outCdktf, 'cdktf.out');
      await swap(staging.dist, outDist, 'dist');
    } else {
      const manifest = await mergedManifest(staging, outRoot);
      for (const env of envs) {
        const [staged, published] = [stackDirs(staging.cdktfOut, env), stackDirs(outCdktf, env)];
        for (const [i, dir] of staged.entries()) {
          if (existsSync(dir)) await swap(dir, published[i] as string, `stack-${STACK_PREFIXES[i]}-${env}`);
        }
        await swap(join(staging.dist, env), join(outDist, env), `dist-${env}`);
      }
      const manifestPath = join(outCdktf, 'manifest.json');
      await writeFile(join(staging.dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      if (existsSync(manifestPath)) await journal.move(manifestPath, join(trash, 'manifest.json'));
      await journal.move(join(staging.dir, 'manifest.json'), manifestPath);
    }
  } catch (err) {
    await journal.undo();
    throw err;
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
