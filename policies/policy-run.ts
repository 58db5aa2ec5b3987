/**
 * One policy run: read each environment's synthesized output, evaluate every rule, apply the
 * catalog's waivers as of a date. `check` and `synth` both go through here; the report formats
 * render its result.
 */
import { CatalogError } from '../environments/load.ts';
import type { Tier } from './engine.ts';
import { evaluate, readArtifacts, type Rule } from './engine.ts';
import { RULES } from './index.ts';
import { WAIVER_RULES, applyWaivers, waiverProblems, type Result, type Waiver } from './waivers.ts';

/** What the catalog says about an environment that the synthesized output does not. */
export interface PolicyEnvironment {
  readonly name: string;
  /** Absent when the environment is not in the catalog (rules then judge it as production). */
  readonly tier?: Tier;
  readonly waivers: readonly Waiver[];
  /** The catalog file that declares it (where its waivers are written). */
  readonly file: string;
}

export interface PolicyRun {
  /** The rules reported on: the policy rules, then the rules about waivers. */
  readonly rules: readonly Rule[];
  readonly environments: readonly string[];
  /** The date waivers were judged against (YYYY-MM-DD). */
  readonly today: string;
  readonly results: readonly Result[];
}

/**
 * Checks the waivers against the rule ids before anything runs (or is written, in synth): bad
 * catalog input, reported like the schema's problems (exit 1).
 */
export function assertWaiversValid(environments: readonly Pick<PolicyEnvironment, 'name' | 'waivers'>[], rules: readonly Rule[] = RULES): void {
  const problems = waiverProblems(environments.map((e) => ({ env: e.name, waivers: e.waivers })), rules);
  if (problems.length > 0) throw new CatalogError(problems);
}

export async function runPolicies(
  outRoot: string,
  environments: readonly PolicyEnvironment[],
  today: string,
  rules: readonly Rule[] = RULES,
): Promise<PolicyRun> {
  assertWaiversValid(environments, rules);
  const artifacts = await Promise.all(environments.map((e) => readArtifacts(outRoot, e.name, e.tier)));
  const findings = evaluate(rules, artifacts);
  const results = applyWaivers(
    findings,
    environments.map((e) => ({ env: e.name, file: e.file, waivers: e.waivers })),
    today,
  );
  return { rules: [...rules, ...WAIVER_RULES], environments: environments.map((e) => e.name), today, results };
}

/** A run's verdict: exit 2 when any error is open (not waived). */
export function hasOpenErrors(run: Pick<PolicyRun, 'results'>): boolean {
  return run.results.some((r) => r.status === 'open' && r.severity === 'error');
}
