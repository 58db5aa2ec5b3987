/**
 * Apply exactly what was reviewed: in a stack's directory, plan again (`plan -out`), compare
 * that plan with the reviewed record (review/plan-compare/), and apply the *saved plan file*
 * only when they are the same. Anything else leaves the state as it was: a difference stops
 * with the differences in plan-review's words; a plan that cannot be made or read stops too.
 *
 * The plan JSON is read from `terraform show -json` into memory and normalised there: it holds
 * sensitive values in clear and is never written. Terraform's own output goes to stderr.
 */
import { appendFile } from 'node:fs/promises';
import { comparePlans } from '../plan-compare/compare-plans.ts';
import { renderDifference } from '../plan-compare/render-difference.ts';
import { PlanInputError, readComparablePlan, type ComparablePlan } from '../plan-compare/reviewed-plan.ts';
import { runTerraform } from './terraform-run.ts';

export type ApplyOutcome = 'applied' | 'nothing-to-apply' | 'different' | 'cannot-plan' | 'apply-failed';

/** Exit codes of `apply-reviewed`. */
export const OUTCOME_EXIT: Readonly<Record<ApplyOutcome, number>> = {
  applied: 0,
  'nothing-to-apply': 0,
  different: 1,
  'cannot-plan': 2,
  'apply-failed': 3,
};

export interface ApplyAsReviewedOptions {
  /** The stack's directory (cdktf.out/stacks/<stack>). */
  readonly dir: string;
  /** The reviewed plan (a record written by plan-compare --record). */
  readonly reviewed: ComparablePlan;
  readonly stack: string;
  /** The commit the review must be of (the pull request's head); checked against the record. */
  readonly commit?: string;
  readonly init: boolean;
  /** Markdown result appended here too (the job summary). */
  readonly summary?: string;
  readonly terraform?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where messages go (stdout of the command). */
  readonly log: (line: string) => void;
}

export async function applyAsReviewed(o: ApplyAsReviewedOptions): Promise<ApplyOutcome> {
  const bin = o.terraform ?? 'terraform';
  const tf = (args: readonly string[], capture = false) => runTerraform(bin, o.dir, args, o.env, capture);
  const summarise = async (text: string) => {
    if (o.summary) await appendFile(o.summary, text);
  };
  const refuse = async (outcome: ApplyOutcome, message: string): Promise<ApplyOutcome> => {
    o.log(`${o.stack}: ${message}`);
    await summarise(`### ${o.stack}: not applied\n\n> [!CAUTION]\n> ${message}\n\n`);
    return outcome;
  };

  const record = o.reviewed.record;
  if (!record) return refuse('cannot-plan', `${o.reviewed.file} is not a reviewed-plan record (plan-compare --record writes one)`);
  if (record.stack !== o.stack) return refuse('cannot-plan', `${o.reviewed.file} is the review of ${record.stack}, not of ${o.stack}`);
  if (o.commit !== undefined && !o.commit.startsWith(record.commit) && !record.commit.startsWith(o.commit)) {
    return refuse('different', `the review is of commit ${record.commit}, but the pull request's head is ${o.commit}: the last push was not reviewed`);
  }

  if (o.init && (await tf(['init', '-input=false'])).code !== 0) return refuse('cannot-plan', 'terraform init failed (its error is in the log above)');
  if ((await tf(['plan', '-input=false', '-lock-timeout=5m', '-out=tfplan'])).code !== 0) return refuse('cannot-plan', 'terraform plan failed (its error is in the log above)');
  const shown = await tf(['show', '-json', 'tfplan'], true);
  if (shown.code !== 0) return refuse('cannot-plan', 'terraform show -json tfplan failed');
  let current: ComparablePlan;
  try {
    current = readComparablePlan(shown.stdout, `${o.stack} (plan now)`);
  } catch (err) {
    if (err instanceof PlanInputError) return refuse('cannot-plan', err.message);
    throw err;
  }

  const diffs = comparePlans(o.reviewed.changes, current.changes);
  const heading = { stack: o.stack, reviewedDigest: o.reviewed.digest, currentDigest: current.digest };
  o.log(renderDifference(diffs, heading, 'text').trimEnd());
  await summarise(renderDifference(diffs, heading, 'markdown'));
  if (diffs.length > 0) return 'different';
  if (current.changes.length === 0) {
    o.log(`${o.stack}: nothing to apply`);
    return 'nothing-to-apply';
  }
  // The saved plan, not a new one: what is applied is what was just compared.
  if ((await tf(['apply', '-input=false', '-lock-timeout=5m', 'tfplan'])).code !== 0) return refuse('apply-failed', 'terraform apply of the saved plan failed (its error is in the log above)');
  o.log(`${o.stack}: applied the reviewed plan (${current.digest})`);
  return 'applied';
}
