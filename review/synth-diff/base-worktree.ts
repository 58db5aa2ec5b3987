/**
 * The base of a diff, checked out in a temporary `git worktree add --detach`, with its own
 * dependencies: the working tree's node_modules when both package-lock.json files are equal
 * (a symlink — no install), otherwise `npm ci` inside the worktree. `remove()` always runs
 * `git worktree remove --force` (and prunes if that fails), so no worktree is left registered.
 */
import { existsSync } from 'node:fs';
import { readFile, realpath, rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from './synth-process.ts';

export interface GitContext {
  /** The repository's top level. */
  readonly top: string;
  /** The project's directory relative to the top level (`''` or `infra/platform/`). */
  readonly prefix: string;
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const run = await runProcess('git', args, cwd);
  if (run.code !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr.trim() || `exit ${run.code}`}`);
  return run.stdout.trim();
}

export async function gitContext(project: string): Promise<GitContext> {
  let top: string;
  try {
    top = await git(project, 'rev-parse', '--show-toplevel');
  } catch {
    throw new Error(`${project}: not inside a git repository (diff --base needs one)`);
  }
  return { top, prefix: await git(project, 'rev-parse', '--show-prefix') };
}

/** The commit a ref names; an error naming the ref when it names none. */
export async function resolveCommit(top: string, ref: string): Promise<string> {
  try {
    return await git(top, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    throw new Error(`--base ${ref}: not a commit in ${top}`);
  }
}

export interface BaseWorktree {
  /** The worktree's top level. */
  readonly dir: string;
  /** The project inside it. */
  readonly project: string;
  /** How its dependencies were provided. */
  dependencies: 'linked' | 'installed' | 'none';
  remove(): Promise<void>;
}

export async function addWorktree(ctx: GitContext, commit: string, dir: string): Promise<BaseWorktree> {
  await git(ctx.top, 'worktree', 'add', '--detach', dir, commit);
  const project = join(dir, ctx.prefix);
  let removed = false;
  const worktree: BaseWorktree = {
    dir,
    project,
    dependencies: 'none',
    async remove() {
      if (removed) return;
      removed = true;
      // The symlink first: never let a recursive delete walk into the working tree's node_modules.
      if (worktree.dependencies === 'linked') await unlink(join(project, 'node_modules')).catch(() => undefined);
      try {
        await git(ctx.top, 'worktree', 'remove', '--force', dir);
      } catch {
        await rm(dir, { recursive: true, force: true });
        await git(ctx.top, 'worktree', 'prune').catch(() => undefined);
      }
    },
  };
  return worktree;
}

async function readIfExists(file: string): Promise<string | undefined> {
  return existsSync(file) ? readFile(file, 'utf8') : undefined;
}

/**
 * Gives the worktree's project its dependencies. Same package-lock.json as the working tree →
 * a symlink to the working tree's node_modules; otherwise `npm ci` there (its output streams
 * to `progress`). A base without a package-lock.json cannot be installed reproducibly: error.
 */
export async function provideDependencies(worktree: BaseWorktree, project: string, label: string, progress: (line: string) => void): Promise<void> {
  const baseLock = await readIfExists(join(worktree.project, 'package-lock.json'));
  const ownLock = await readIfExists(join(project, 'package-lock.json'));
  const ownModules = join(project, 'node_modules');
  if (baseLock === undefined) throw new Error(`${label}: has no package-lock.json, so its dependencies cannot be installed`);
  if (baseLock === ownLock && existsSync(ownModules)) {
    await symlink(await realpath(ownModules), join(worktree.project, 'node_modules'), 'dir');
    worktree.dependencies = 'linked';
    progress('package-lock.json unchanged: using the working tree\'s node_modules');
    return;
  }
  progress(`package-lock.json differs: npm ci in ${worktree.project}`);
  const run = await runProcess('npm', ['ci', '--no-audit', '--no-fund'], worktree.project, (chunk) => {
    for (const line of chunk.split('\n')) if (line.trim()) progress(`npm ci: ${line.trim()}`);
  });
  if (run.code !== 0) throw new Error(`${label}: npm ci failed (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-10).join('\n')}`);
  worktree.dependencies = 'installed';
}
