// Runs the real CLI (`tsx cli/main.ts …`) in a child process, as a user would: exit code, stdout
// and stderr, bounded in time. Shared by every suite that tests a command end to end.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const TSX = join(ROOT, 'node_modules/.bin/tsx');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Added to the environment (PLATFORM_TODAY, CI, …). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      TSX,
      ['cli/main.ts', ...args],
      { cwd: ROOT, timeout: options.timeoutMs ?? 120_000, env: { ...process.env, ...options.env } },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
