/**
 * `plan-compare <reviewed.json> <current.json>`: is the plan now the plan that was reviewed?
 * Each file is a plan JSON (`terraform show -json <planfile>`) or a reviewed-plan record. Both
 * are normalised (review/plan-compare/normalised-plan.ts) and compared: addresses, actions and
 * attribute values, ignoring unknowns' placeholders and the order of keys.
 *
 * Exit 0: the same. 1: different (the differences, in plan-review's words, on stdout and in
 * --summary). 2: a file cannot be read, or the flags are wrong.
 *
 * `plan-compare --record <out.json> --stack <name> --commit <sha> <plan.json>` writes the record a
 * pull request's plan job keeps (no sensitive value in it) and prints its identity marker;
 * `--skipped <why>` instead of the plan records a stack that was not planned (no changes).
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../args.ts';
import { parseCommandFlags } from '../command-flags.ts';
import { comparePlans } from '../../review/plan-compare/compare-plans.ts';
import { DIFFERENCE_FORMATS, renderDifference } from '../../review/plan-compare/render-difference.ts';
import { identityMarker, makeRecord, PlanInputError, readComparablePlan, type ComparablePlan } from '../../review/plan-compare/reviewed-plan.ts';

export const PLAN_COMPARE_USAGE = `usage: platform plan-compare <reviewed.json> <current.json> [flags]
       platform plan-compare --record <out.json> --stack <name> --commit <sha> (<plan.json> | --skipped <why>)

  <reviewed.json>, <current.json>   each: terraform show -json <planfile>, or a record written by --record

flags:
  --format <f>           ${DIFFERENCE_FORMATS.join(' | ')} (default: text)
  --summary <file>       also append the result, as Markdown, to this file (e.g. $GITHUB_STEP_SUMMARY)
  --stack <name>         the stack compared (named in the result; with --record, recorded)
  --record <out.json>    write the reviewed-plan record of <plan.json> instead of comparing
  --commit <sha>         with --record: the commit that was planned
  --skipped <why>        with --record: the stack was not planned (e.g. its synthesized JSON equals the base's)
  --help

exit: 0 the same, 1 different, 2 cannot read (a file or the flags)`;

const Flags = z
  .object({
    files: z.array(z.string().min(1)),
    format: z.enum(DIFFERENCE_FORMATS, { message: `--format: must be ${DIFFERENCE_FORMATS.join(' or ')}` }).default('text'),
    summary: z.string().min(1).optional(),
    stack: z.string().regex(/^[a-z][a-z0-9-]*$/, '--stack: must be a stack name').optional(),
    record: z.string().min(1).optional(),
    commit: z.string().regex(/^[0-9a-f]{7,64}$/, '--commit: must be a commit SHA (hex)').optional(),
    skipped: z.string().min(1).max(300).optional(),
  })
  .superRefine((f, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (f.record === undefined) {
      if (f.files.length !== 2) problem('name two files: the reviewed plan, then the current one');
      if (f.commit !== undefined || f.skipped !== undefined) problem('--commit and --skipped go with --record');
    } else {
      if (f.stack === undefined || f.commit === undefined) problem('--record needs --stack and --commit');
      if ((f.skipped === undefined) === (f.files.length !== 1)) problem('--record needs one plan JSON, or --skipped without one');
    }
  });

async function readPlan(file: string): Promise<ComparablePlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PlanInputError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return readComparablePlan(text, file);
}

export async function run(argv: readonly string[]): Promise<number> {
  let flags;
  try {
    flags = parseCommandFlags(argv, {
      usage: PLAN_COMPARE_USAGE,
      options: { format: { type: 'string' }, summary: { type: 'string' }, stack: { type: 'string' }, record: { type: 'string' }, commit: { type: 'string' }, skipped: { type: 'string' } },
      schema: Flags,
      positionals: { max: 2, tooMany: ': plan-compare compares two plans' },
      input: (values, files) => ({ ...values, files }),
      flagOf: () => '',
    });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n\n${PLAN_COMPARE_USAGE}`);
    return 2;
  }
  if (flags === 'help') {
    console.log(PLAN_COMPARE_USAGE);
    return 0;
  }
  try {
    if (flags.record !== undefined) {
      const changes = flags.skipped !== undefined ? [] : (await readPlan(flags.files[0]!)).changes;
      const record = makeRecord(flags.stack!, flags.commit!, changes, flags.skipped);
      await writeFile(flags.record, `${JSON.stringify(record, null, 2)}\n`);
      console.log(identityMarker(record));
      return 0;
    }
    const [reviewed, current] = await Promise.all(flags.files.map(readPlan));
    const stack = flags.stack ?? reviewed!.record?.stack ?? current!.record?.stack;
    if (reviewed!.record && current!.record && reviewed!.record.stack !== current!.record.stack) {
      throw new PlanInputError(`${current!.file}: stack: ${current!.record.stack}, but ${reviewed!.file} is ${reviewed!.record.stack}`);
    }
    const diffs = comparePlans(reviewed!.changes, current!.changes);
    const heading = { ...(stack ? { stack } : {}), reviewedDigest: reviewed!.digest, currentDigest: current!.digest };
    process.stdout.write(renderDifference(diffs, heading, flags.format));
    if (flags.summary) await appendFile(flags.summary, renderDifference(diffs, heading, 'markdown'));
    return diffs.length === 0 ? 0 : 1;
  } catch (err) {
    if (!(err instanceof PlanInputError)) throw err;
    console.error(`error: ${err.message}`);
    return 2;
  }
}
