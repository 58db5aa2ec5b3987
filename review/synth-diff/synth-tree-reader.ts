/**
 * Reads synthesized output into a SynthTree (and the committed golden copy, which keeps the
 * same files in a flatter layout), and writes the golden copy. The only I/O of the diff engine.
 *
 * Synth output:  <root>/cdktf.out/stacks/<stack>/cdk.tf.json, <root>/dist/<env>/**
 * Golden copy:   <dir>/<env>/cdk.tf.json            (the platform-<env> stack)
 *                <dir>/<env>/<stack>/cdk.tf.json    (any other stack of that environment, e.g. k8s-<env>)
 *                <dir>/<env>/dist/**
 * Files and directories whose names start with "." (Terraform's working state) are skipped.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stackEnvironment, type EnvironmentTree, type SynthTree } from './synth-tree.ts';

async function subdirs(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Every file below `dir` (relative posix paths, sorted), hidden entries skipped. */
async function filesBelow(dir: string, prefix = ''): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesBelow(join(dir, e.name), rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

function envFiles(map: Map<string, Map<string, string>>, env: string): Map<string, string> {
  let files = map.get(env);
  if (!files) {
    files = new Map();
    map.set(env, files);
  }
  return files;
}

function freeze(map: Map<string, Map<string, string>>): SynthTree {
  const environments = new Map<string, EnvironmentTree>();
  for (const env of [...map.keys()].sort()) environments.set(env, { files: map.get(env) ?? new Map() });
  return { environments };
}

/** Reads a synth output root (`--out` of `synth`). A root without cdktf.out/ or dist/ is an error naming it. */
export async function readSynthOutput(root: string): Promise<SynthTree> {
  const stacksDir = join(root, 'cdktf.out', 'stacks');
  const distDir = join(root, 'dist');
  if (!existsSync(stacksDir) && !existsSync(distDir)) {
    throw new Error(`${root}: no synthesized output (neither cdktf.out/stacks nor dist exists)`);
  }
  const map = new Map<string, Map<string, string>>();
  const envs = await subdirs(distDir);
  for (const env of envs) {
    const files = envFiles(map, env);
    for (const rel of await filesBelow(join(distDir, env))) files.set(`dist/${rel}`, await readFile(join(distDir, env, rel), 'utf8'));
  }
  for (const stack of await subdirs(stacksDir)) {
    const env = stackEnvironment(stack, envs);
    if (!env) continue;
    const files = envFiles(map, env);
    for (const rel of await filesBelow(join(stacksDir, stack))) {
      files.set(`stacks/${stack}/${rel}`, await readFile(join(stacksDir, stack, rel), 'utf8'));
    }
  }
  return freeze(map);
}

/** Golden-copy path of a logical file, relative to the golden directory. */
export function goldenPath(env: string, logical: string): string | undefined {
  if (logical.startsWith('dist/')) return `${env}/${logical}`;
  const m = /^stacks\/([^/]+)\/cdk\.tf\.json$/.exec(logical);
  if (!m) return undefined;
  return m[1] === `platform-${env}` ? `${env}/cdk.tf.json` : `${env}/${m[1]}/cdk.tf.json`;
}

export async function readGoldenTree(dir: string): Promise<SynthTree> {
  if (!existsSync(dir)) throw new Error(`${dir}: no golden copy (run \`npm run golden:update\`)`);
  const map = new Map<string, Map<string, string>>();
  for (const env of await subdirs(dir)) {
    const files = envFiles(map, env);
    for (const rel of await filesBelow(join(dir, env))) {
      const text = await readFile(join(dir, env, rel), 'utf8');
      if (rel === 'cdk.tf.json') files.set(`stacks/platform-${env}/cdk.tf.json`, text);
      else if (rel.startsWith('dist/')) files.set(rel, text);
      else {
        const m = /^([^/]+)\/cdk\.tf\.json$/.exec(rel);
        if (!m) throw new Error(`${join(dir, env, rel)}: not part of a golden copy (expected cdk.tf.json, <stack>/cdk.tf.json or dist/…)`);
        files.set(`stacks/${m[1]}/cdk.tf.json`, text);
      }
    }
  }
  return freeze(map);
}

/** Throws unless `dir` is absent or holds a golden copy (and nothing else but top-level files such as a README). */
export async function assertReplaceableGolden(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  try {
    await readGoldenTree(dir);
  } catch (err) {
    throw new Error(`refusing to replace ${dir}: it is not a golden copy (${(err as Error).message})`);
  }
}

/**
 * Replaces the golden copy with `tree` (stack cdk.tf.json files and dist/ only). Returns the
 * files written. The old copy is read first, so a directory that is not a golden copy (a typo
 * in --dir) is refused rather than deleted; only its environment directories are replaced.
 */
export async function writeGoldenTree(tree: SynthTree, dir: string): Promise<string[]> {
  if (existsSync(dir)) {
    await assertReplaceableGolden(dir);
    for (const env of await subdirs(dir)) await rm(join(dir, env), { recursive: true, force: true });
  }
  const written: string[] = [];
  for (const [env, t] of tree.environments) {
    for (const [logical, text] of t.files) {
      const rel = goldenPath(env, logical);
      if (rel === undefined) continue;
      const file = join(dir, rel);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
      written.push(rel);
    }
  }
  return written.sort();
}
