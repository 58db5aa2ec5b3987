/** `check`: run every policy over what is already synthesized in cdktf.out/ and dist/. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluate, readArtifacts, type Finding } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { renderFindings, type Format } from '../../policies/report.ts';
import { UsageError } from '../args.ts';

/** Environments present in the output: those with a platform stack. */
export async function synthesizedEnvironments(outRoot: string): Promise<string[]> {
  const stacks = join(outRoot, 'cdktf.out', 'stacks');
  if (!existsSync(stacks)) return [];
  return (await readdir(stacks)).filter((d) => d.startsWith('platform-')).map((d) => d.slice('platform-'.length)).sort();
}

export async function runPolicies(outRoot: string, envs: readonly string[]): Promise<Finding[]> {
  const artifacts = await Promise.all(envs.map((env) => readArtifacts(outRoot, env)));
  return evaluate(RULES, artifacts);
}

export async function check(outRoot: string, only: readonly string[], format: Format): Promise<number> {
  const available = await synthesizedEnvironments(outRoot);
  if (available.length === 0) throw new UsageError(`nothing synthesized under ${outRoot}: run "npm start" first`);
  const missing = only.filter((e) => !available.includes(e));
  if (missing.length > 0) throw new UsageError(`not synthesized: ${missing.join(', ')} (have ${available.join(', ')})`);
  const findings = await runPolicies(outRoot, only.length > 0 ? only : available);
  console.log(renderFindings(findings, RULES, format));
  return findings.some((f) => f.severity === 'error') ? 2 : 0;
}
