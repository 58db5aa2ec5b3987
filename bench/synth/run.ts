/**
 * bench/synth: our whole synth (every environment, both apps, in one process, no policies)
 * against `npx cdktf synth` (the Terraform part alone), measured alternately in one run.
 * Target (DESIGN.md §7): ratio ≤ 0.5. Usage: npm run bench:synth [-- --runs 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = z.coerce.number().int().min(1).max(50).parse(values.runs);
const work = mkdtempSync(join(tmpdir(), 'bench-synth-'));

interface Target {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
}

const targets: Target[] = [
  { name: 'npx cdktf synth (Terraform only)', cmd: 'npx', args: ['cdktf', 'synth', '--output', join(work, 'cdktf')] },
  { name: 'npm start --no-policies (both apps)', cmd: join(ROOT, 'node_modules/.bin/tsx'), args: ['cli/main.ts', 'synth', '--no-policies', '--out', join(work, 'ours')] },
];

function timeOnce(t: Target): number {
  const start = performance.now();
  const res = spawnSync(t.cmd, t.args, { cwd: ROOT, env: { ...process.env, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (res.status !== 0) throw new Error(`${t.name} failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

try {
  for (const t of targets) timeOnce(t); // warm the file cache and tsx's transform cache
  const samples = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const t of targets) samples.get(t.name)?.push(timeOnce(t));
    process.stderr.write(`run ${i + 1}/${runs}\r`);
  }
  const [cdktf, ours] = targets.map((t) => median(samples.get(t.name) ?? []));
  console.log(`\n${'target'.padEnd(40)} median of ${runs}`);
  for (const t of targets) console.log(`${t.name.padEnd(40)} ${(median(samples.get(t.name) ?? []) / 1000).toFixed(2)} s`);
  const ratio = (ours ?? NaN) / (cdktf ?? NaN);
  console.log(`\nratio ours / cdktf = ${ratio.toFixed(2)} (target ≤ 0.50: ${ratio <= 0.5 ? 'met' : 'NOT met'})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
