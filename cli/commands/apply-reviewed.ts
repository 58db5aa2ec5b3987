/**
 * `apply-reviewed --dir <stack dir> --stack <name> --reviewed <record.json> [--commit <sha>]`:
 * plan the stack again and apply the saved plan only if plan-compare finds it equal to the
 * reviewed one (review/deploy/apply-as-reviewed.ts). The deploy workflow runs it per stack,
 * in the order `npm run stacks` prints.
 *
 * Exit 0 applied (or nothing to apply); 1 different from the review, nothing applied; 2 cannot
 * read the review, plan or flags, nothing applied; 3 the apply of the saved plan failed.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../args.ts';
import { parseCommandFlags } from '../command-flags.ts';
import { applyAsReviewed, OUTCOME_EXIT } from '../../review/deploy/apply-as-reviewed.ts';
import { PlanInputError, readComparablePlan } from '../../review/plan-compare/reviewed-plan.ts';

export const APPLY_REVIEWED_USAGE = `usage: platform apply-reviewed --dir <stack dir> --stack <name> --reviewed <record.json> [flags]

flags:
  --dir <dir>            the stack's Terraform directory (cdktf.out/stacks/<stack>)
  --stack <name>         the stack; the record must be its review
  --reviewed <file>      the reviewed-plan record (plan-compare --record, in the pull request)
  --commit <sha>         the pull request's head commit: the record must be the review of it
  --summary <file>       append the result as Markdown (e.g. $GITHUB_STEP_SUMMARY)
  --no-init              skip terraform init (already initialised)
  --help

exit: 0 applied or nothing to apply, 1 differs from the review (nothing applied),
      2 cannot read or plan (nothing applied), 3 the apply failed`;

const Flags = z.object({
  dir: z.string({ message: '--dir: name the stack directory' }).min(1),
  stack: z.string({ message: '--stack: name the stack' }).regex(/^[a-z][a-z0-9-]*$/, '--stack: must be a stack name'),
  reviewed: z.string({ message: '--reviewed: name the reviewed-plan record' }).min(1),
  commit: z.string().regex(/^[0-9a-f]{7,64}$/, '--commit: must be a commit SHA (hex)').optional(),
  summary: z.string().min(1).optional(),
  'no-init': z.boolean().default(false),
});

export async function run(argv: readonly string[]): Promise<number> {
  let flags;
  try {
    flags = parseCommandFlags(argv, {
      usage: APPLY_REVIEWED_USAGE,
      options: { dir: { type: 'string' }, stack: { type: 'string' }, reviewed: { type: 'string' }, commit: { type: 'string' }, summary: { type: 'string' }, 'no-init': { type: 'boolean' } },
      schema: Flags,
      flagOf: () => '',
    });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n\n${APPLY_REVIEWED_USAGE}`);
    return 2;
  }
  if (flags === 'help') {
    console.log(APPLY_REVIEWED_USAGE);
    return 0;
  }
  let reviewed;
  try {
    reviewed = readComparablePlan(await readFile(flags.reviewed, 'utf8'), flags.reviewed);
  } catch (err) {
    const message = err instanceof PlanInputError ? err.message : `${flags.reviewed}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    console.error(`error: ${message}; nothing applied`);
    return 2;
  }
  const outcome = await applyAsReviewed({
    dir: flags.dir,
    reviewed,
    stack: flags.stack,
    ...(flags.commit ? { commit: flags.commit } : {}),
    ...(flags.summary ? { summary: flags.summary } : {}),
    init: !flags['no-init'],
    log: (line) => console.log(line),
  });
  return OUTCOME_EXIT[outcome];
}
