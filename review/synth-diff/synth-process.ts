/**
 * Runs a project's own synth in a child process: `tsx cli/main.ts synth --no-policies --out
 * <dir>` from that project's directory, with that project's dependencies — so a base commit is
 * synthesized by the base's code, not ours. A project without cli/main.ts (older than the CLI)
 * is synthesized with `npm start`, which writes into the project itself.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface SynthRequest {
  /** The project directory (holds package.json, cli/, node_modules). */
  readonly project: string;
  /** Output root for cdktf.out/ and dist/. */
  readonly out: string;
  /** A catalog module (absolute path), when not the project's default. */
  readonly catalog?: string;
  /** What is being synthesized, for error messages: `base origin/main`, `the working tree`. */
  readonly label: string;
}

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command, collecting its output; never rejects for a non-zero exit (only for a missing binary). */
export function runProcess(command: string, args: readonly string[], cwd: string, onStderr?: (chunk: string) => void): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr?.(d);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

const tail = (text: string, lines = 30): string => text.trimEnd().split('\n').slice(-lines).join('\n');

/** Synthesizes; returns the output root that holds cdktf.out/ and dist/. Fails with the child's own message. */
export async function synthesize(req: SynthRequest): Promise<string> {
  if (existsSync(join(req.project, 'cli', 'main.ts'))) {
    const tsx = join(req.project, 'node_modules', '.bin', 'tsx');
    if (!existsSync(tsx)) throw new Error(`${req.label}: ${tsx} is missing (dependencies not installed)`);
    const args = ['cli/main.ts', 'synth', '--no-policies', '--out', req.out, ...(req.catalog ? ['--catalog', req.catalog] : [])];
    const run = await runProcess(tsx, args, req.project);
    if (run.code !== 0) throw new Error(`${req.label} cannot be synthesized (exit ${run.code}):\n${tail(run.stderr || run.stdout)}`);
    return req.out;
  }
  if (req.catalog) throw new Error(`${req.label}: has no cli/main.ts, so --catalog cannot be passed to its synth`);
  const run = await runProcess('npm', ['start', '--silent'], req.project);
  // 2: synthesized, but its policies failed — the output is there, which is all a diff needs.
  if (run.code !== 0 && run.code !== 2) throw new Error(`${req.label} cannot be synthesized with npm start (exit ${run.code}):\n${tail(run.stderr || run.stdout)}`);
  return req.project;
}
