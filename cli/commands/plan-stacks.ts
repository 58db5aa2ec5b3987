/**
 * `plan-stacks --env <name> --out-dir <dir> [--synth-diff diff.json] [--drift]`: plan every stack
 * of one environment in deploy order (review/deploy/plan-environment.ts) and write the
 * environment's one comment (comment-1.md), the reviewed-plan records (records/<stack>.json) and
 * result.json. With --synth-diff (the JSON of `npm run diff`), a stack the diff found unchanged
 * is not planned. --drift: the deployed stacks only, no lock taken; comment-1.md is the drift
 * issue's body.
 *
 * Exit 0 every stack planned (or skipped, or planned after its dependency); 1 a plan failed (the
 * comment says which); 2 bad flags or an unreadable synth diff.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../args.ts';
import { parseCommandFlags } from '../command-flags.ts';
import { failed, planEnvironment, writeEnvironment } from '../../review/deploy/plan-environment.ts';

export const PLAN_STACKS_USAGE = `usage: platform plan-stacks --env <name> --out-dir <dir> [flags]

flags:
  --env <name>           the environment (its stacks: npm run stacks -- --env <name>)
  --out-dir <dir>        where comment-1.md, records/<stack>.json and result.json go
  --commit <sha>         the commit planned, recorded in each record (default: $GITHUB_SHA)
  --synth-diff <file>    npm run diff -- --format json output: stacks it found unchanged are not planned
  --stacks-dir <dir>     the synthesized stacks (default: cdktf.out/stacks)
  --drift                drift check: deployed stacks only, no state lock
  --help`;

const Flags = z.object({
  env: z.string({ message: '--env: name the environment' }).regex(/^[a-z][a-z0-9-]*$/, '--env: must be an environment name'),
  'out-dir': z.string({ message: '--out-dir: name a directory' }).min(1),
  commit: z.string({ message: '--commit: name the commit planned (or set GITHUB_SHA)' }).regex(/^[0-9a-f]{7,64}$/, '--commit: must be a commit SHA (hex)'),
  'synth-diff': z.string().min(1).optional(),
  'stacks-dir': z.string().min(1).default('cdktf.out/stacks'),
  drift: z.boolean().default(false),
});

/** The synth diff's JSON, only as far as this command reads it. */
const SynthDiffJson = z.looseObject({
  environments: z.array(z.looseObject({ env: z.string(), artifacts: z.array(z.looseObject({ file: z.string() })) })),
});

/** Stacks with any difference in their cdk.tf.json, by the synth diff. */
export function changedStacks(diff: z.infer<typeof SynthDiffJson>): Set<string> {
  const changed = new Set<string>();
  for (const e of diff.environments) {
    for (const a of e.artifacts) {
      const m = /^cdktf\.out\/stacks\/([^/]+)\/cdk\.tf\.json$/.exec(a.file);
      if (m) changed.add(m[1]!);
    }
  }
  return changed;
}

export async function run(argv: readonly string[]): Promise<number> {
  let flags;
  try {
    flags = parseCommandFlags(argv, {
      usage: PLAN_STACKS_USAGE,
      options: { env: { type: 'string' }, 'out-dir': { type: 'string' }, commit: { type: 'string' }, 'synth-diff': { type: 'string' }, 'stacks-dir': { type: 'string' }, drift: { type: 'boolean' } },
      schema: Flags,
      input: (values) => ({ ...values, commit: values.commit ?? process.env.GITHUB_SHA }),
      flagOf: () => '',
    });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n\n${PLAN_STACKS_USAGE}`);
    return 2;
  }
  if (flags === 'help') {
    console.log(PLAN_STACKS_USAGE);
    return 0;
  }
  let changed: Set<string> | undefined;
  if (flags['synth-diff'] !== undefined) {
    const file = flags['synth-diff'];
    try {
      const parsed = SynthDiffJson.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      changed = changedStacks(parsed.data);
    } catch (err) {
      console.error(`error: ${file}: not the JSON of npm run diff -- --format json (${(err as Error).message})`);
      return 2;
    }
  }
  const mode = flags.drift ? 'drift' : 'review';
  const results = await planEnvironment({ env: flags.env, mode, stacksDir: flags['stacks-dir'], commit: flags.commit, ...(changed ? { changed } : {}) });
  await writeEnvironment(flags['out-dir'], flags.env, mode, results);
  for (const r of results) console.log(`${r.stack}: ${r.status}${r.status === 'after' ? ` ${r.after}` : ''}${r.status === 'planned' ? ` (${r.changes} changes)` : ''}`);
  return failed(results) ? 1 : 0;
}
