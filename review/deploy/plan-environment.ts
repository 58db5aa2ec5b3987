/**
 * Plans every stack of one environment in dependency order (infra/stack-order.ts), for a pull
 * request's review or for the drift check, and writes what the workflows post:
 *
 * - a stack the synth diff found unchanged is not planned ("unchanged"), and is recorded with no
 *   changes, so a deploy that finds any (drift) stops instead of applying them unreviewed;
 * - a stack whose dependency has no state yet is "planned after <dependency> is applied" —
 *   its provider cannot reach what does not exist — which is not a failure;
 * - in drift mode, a stack with no state is not checked (nothing is deployed to drift);
 * - every other stack: `plan -out`, `show -json` (in memory), plan-review's rendering and the
 *   reviewed-plan record (plan-compare) with the commit.
 *
 * Pure of GitHub: the workflows post `comment-1.md` and read `result.json`.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { environmentStacks } from '../../infra/stack-order.ts';
import { parsePlanJson, PlanJsonError } from '../plan-review/plan-json.ts';
import { reviewPlan } from '../plan-review/plan-review.ts';
import { normalisePlan } from '../plan-compare/normalised-plan.ts';
import { identityMarker, makeRecord, type ReviewedPlanRecord } from '../plan-compare/reviewed-plan.ts';
import { runTerraform } from './terraform-run.ts';

export type PlanMode = 'review' | 'drift';

export type StackResult =
  | { readonly stack: string; readonly status: 'planned'; readonly changes: number; readonly review: string; readonly record: ReviewedPlanRecord }
  | { readonly stack: string; readonly status: 'unchanged'; readonly record: ReviewedPlanRecord }
  | { readonly stack: string; readonly status: 'after'; readonly after: string }
  | { readonly stack: string; readonly status: 'not-deployed' }
  | { readonly stack: string; readonly status: 'failed'; readonly message: string };

export interface PlanEnvironmentOptions {
  readonly env: string;
  readonly mode: PlanMode;
  /** Where the synthesized stacks are (cdktf.out/stacks). */
  readonly stacksDir: string;
  /** The commit planned (the pull request's head); recorded. */
  readonly commit: string;
  /** Stacks the synth diff found changed; undefined: plan every stack. */
  readonly changed?: ReadonlySet<string>;
  /** Characters of review per stack (the environment's comment holds them all). */
  readonly maxCharsPerStack?: number;
  readonly terraform?: string;
  readonly processEnv?: NodeJS.ProcessEnv;
}

export const UNCHANGED_REASON = 'its synthesized JSON is identical to the base branch';

export async function planEnvironment(o: PlanEnvironmentOptions): Promise<StackResult[]> {
  const bin = o.terraform ?? 'terraform';
  const tf = (stack: string, args: readonly string[], capture = false) => runTerraform(bin, join(o.stacksDir, stack), args, o.processEnv, capture);
  const initialised = new Map<string, boolean>();
  const init = async (stack: string): Promise<boolean> => {
    if (!initialised.has(stack)) initialised.set(stack, (await tf(stack, ['init', '-input=false'])).code === 0);
    return initialised.get(stack)!;
  };
  const deployed = new Map<string, boolean>();
  const isDeployed = async (stack: string): Promise<boolean> => {
    if (!deployed.has(stack)) {
      const list = (await init(stack)) ? await tf(stack, ['state', 'list'], true) : { code: 1, stdout: '' };
      deployed.set(stack, list.code === 0 && list.stdout.trim() !== '');
    }
    return deployed.get(stack)!;
  };

  const results: StackResult[] = [];
  for (const s of environmentStacks(o.env)) {
    if (o.mode === 'review' && o.changed && !o.changed.has(s.name)) {
      results.push({ stack: s.name, status: 'unchanged', record: makeRecord(s.name, o.commit, [], UNCHANGED_REASON) });
      continue;
    }
    const missing = await firstUndeployed(s.dependsOn, isDeployed);
    if (missing) {
      results.push({ stack: s.name, status: 'after', after: missing });
      continue;
    }
    if (!(await init(s.name))) {
      results.push({ stack: s.name, status: 'failed', message: 'terraform init failed' });
      continue;
    }
    if (o.mode === 'drift' && !(await isDeployed(s.name))) {
      results.push({ stack: s.name, status: 'not-deployed' });
      continue;
    }
    // Drift checks only read: no lock taken from a deploy in progress.
    const lock = o.mode === 'drift' ? ['-lock=false'] : ['-lock-timeout=5m'];
    if ((await tf(s.name, ['plan', '-input=false', ...lock, '-out=tfplan'])).code !== 0) {
      results.push({ stack: s.name, status: 'failed', message: 'terraform plan failed' });
      continue;
    }
    const shown = await tf(s.name, ['show', '-json', 'tfplan'], true);
    try {
      const plan = parsePlanJson(shown.stdout, `${s.name}/tfplan`);
      const changes = normalisePlan(plan);
      const [review = ''] = reviewPlan(plan, { format: 'markdown', title: s.name, maxChars: o.maxCharsPerStack ?? 20_000, maxComments: 1 });
      results.push({ stack: s.name, status: 'planned', changes: changes.length, review, record: makeRecord(s.name, o.commit, changes) });
    } catch (err) {
      if (!(err instanceof PlanJsonError)) throw err;
      results.push({ stack: s.name, status: 'failed', message: err.message });
    }
  }
  return results;
}

async function firstUndeployed(stacks: readonly string[], isDeployed: (s: string) => Promise<boolean>): Promise<string | undefined> {
  for (const s of stacks) if (!(await isDeployed(s))) return s;
  return undefined;
}

/** One line per stack, then each planned stack's review: the environment's one comment. */
export function renderEnvironment(env: string, mode: PlanMode, results: readonly StackResult[]): string {
  const line = (r: StackResult): string => {
    switch (r.status) {
      case 'planned':
        return `- \`${r.stack}\`: ${r.changes === 0 ? 'no changes' : `${r.changes} change${r.changes === 1 ? '' : 's'} (below)`}`;
      case 'unchanged':
        return `- \`${r.stack}\`: not planned — ${UNCHANGED_REASON}`;
      case 'after':
        return `- \`${r.stack}\`: planned after \`${r.after}\` is applied`;
      case 'not-deployed':
        return `- \`${r.stack}\`: not deployed yet, nothing to drift`;
      case 'failed':
        return `- \`${r.stack}\`: **the plan failed** (${r.message}); see the workflow run`;
    }
  };
  const title = mode === 'drift' ? `### Drift · ${env}` : `### Terraform plans · ${env}`;
  const intro =
    mode === 'drift'
      ? 'What a plan of the deployed stacks would change now, with nothing merged: someone or something changed these outside Terraform (or a provider changed a default). Review it, then either merge a change that keeps it, or let the next deploy undo it.'
      : 'Every stack of the environment, in deploy order. On merge, each is planned again and applied only if that plan equals the one below.';
  const markers = results.flatMap((r) => ('record' in r ? [identityMarker(r.record)] : []));
  const reviews = results.flatMap((r) => (r.status === 'planned' && (mode === 'review' || r.changes > 0) ? [r.review.trim()] : []));
  return [...markers, title, '', intro, '', ...results.map(line), '', ...reviews.flatMap((r) => [r, '']), ''].join('\n');
}

export function hasDrift(results: readonly StackResult[]): boolean {
  return results.some((r) => r.status === 'planned' && r.changes > 0);
}

export function failed(results: readonly StackResult[]): boolean {
  return results.some((r) => r.status === 'failed');
}

/** comment-1.md, records/<stack>.json and result.json in `dir` (previous ones removed). */
export async function writeEnvironment(dir: string, env: string, mode: PlanMode, results: readonly StackResult[]): Promise<void> {
  await mkdir(join(dir, 'records'), { recursive: true });
  for (const f of await readdir(join(dir, 'records'))) await rm(join(dir, 'records', f));
  for (const r of results) if ('record' in r) await writeFile(join(dir, 'records', `${r.stack}.json`), `${JSON.stringify(r.record, null, 2)}\n`);
  await writeFile(join(dir, 'comment-1.md'), renderEnvironment(env, mode, results));
  const summary = results.map((r) => ({ stack: r.stack, status: r.status, ...(r.status === 'planned' ? { changes: r.changes } : {}), ...(r.status === 'after' ? { after: r.after } : {}) }));
  await writeFile(join(dir, 'result.json'), `${JSON.stringify({ env, mode, drift: hasDrift(results), failed: failed(results), stacks: summary }, null, 2)}\n`);
}
