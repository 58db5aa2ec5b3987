/**
 * Runs the terraform binary for the deploy and plan commands: its progress goes to our stderr
 * (stdout stays the command's own result); stdout is captured only when asked (`show -json`),
 * into memory — a plan JSON holds sensitive values in clear and is never written by us.
 */
import { spawn } from 'node:child_process';

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
}

export function runTerraform(bin: string, dir: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined, capture = false): Promise<TerraformResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, [`-chdir=${dir}`, ...args], { env: env ?? process.env, stdio: ['ignore', capture ? 'pipe' : 2, 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', () => resolve({ code: 127, stdout: '' }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(chunks).toString('utf8') }));
  });
}
