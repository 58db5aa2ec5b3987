/**
 * `plan-review <plan.json>`: render `terraform show -json <planfile>` for a pull-request comment.
 * Without --out-dir the review goes to stdout; with it, comment-1.md, comment-2.md, … (each under
 * --max-chars) are written there, replacing any comment files a previous run left.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PlanJsonError } from '../../review/plan-review/plan-json.ts';
import { DEFAULT_REVIEW_OPTIONS, GITHUB_COMMENT_LIMIT, REVIEW_FORMATS, reviewPlanText } from '../../review/plan-review/plan-review.ts';
import { parseCommandFlags } from '../command-flags.ts';

export const PLAN_REVIEW_USAGE = `usage: platform plan-review <plan.json> [flags]

  <plan.json>            output of: terraform show -json <planfile>

flags:
  --format <f>           ${REVIEW_FORMATS.join(' | ')} (default: ${DEFAULT_REVIEW_OPTIONS.format})
  --max-chars <n>        characters per comment, at most (default: ${GITHUB_COMMENT_LIMIT}, GitHub's limit)
  --max-comments <n>     comments at most; the rest is left out with a note (default: ${DEFAULT_REVIEW_OPTIONS.maxComments})
  --out-dir <dir>        write comment-1.md, comment-2.md, … there instead of printing
  --title <text>         named in each comment's heading (e.g. the stack: platform-prod)
  --help`;

const count = (flag: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${flag}: must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${flag}: must be at least ${min}`).max(max, `${flag}: must be at most ${max}`));

const Flags = z.object({
  plan: z.string({ message: 'name the plan JSON file (terraform show -json <planfile> > plan.json)' }).min(1),
  format: z.enum(REVIEW_FORMATS, { message: `--format: must be ${REVIEW_FORMATS.join(' or ')}` }).default(DEFAULT_REVIEW_OPTIONS.format),
  maxChars: count('--max-chars', 2_000, 10_000_000).optional(),
  maxComments: count('--max-comments', 1, 1_000).optional(),
  outDir: z.string().min(1, '--out-dir: must name a directory').optional(),
  title: z.string().max(200, '--title: at most 200 characters').optional(),
});
type Flags = z.output<typeof Flags>;

function parseFlags(argv: readonly string[]): Flags | 'help' {
  return parseCommandFlags(argv, {
    usage: PLAN_REVIEW_USAGE,
    options: {
      format: { type: 'string' },
      'max-chars': { type: 'string' },
      'max-comments': { type: 'string' },
      'out-dir': { type: 'string' },
      title: { type: 'string' },
    },
    schema: Flags,
    positionals: { max: 1, tooMany: ': plan-review reads one plan' },
    input: (values, [plan]) => ({
      plan,
      format: values.format,
      maxChars: values['max-chars'],
      maxComments: values['max-comments'],
      outDir: values['out-dir'],
      title: values.title,
    }),
    // Every message names its flag (or the plan) itself.
    flagOf: () => '',
  });
}

const COMMENT_FILE = /^comment-\d+\.(md|txt)$/;

async function writeComments(dir: string, parts: readonly string[], extension: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  // A previous, longer review must not leave its extra parts behind to be posted again.
  for (const name of await readdir(dir)) if (COMMENT_FILE.test(name)) await rm(join(dir, name));
  const files = parts.map((_, i) => join(dir, `comment-${i + 1}.${extension}`));
  await Promise.all(parts.map((body, i) => writeFile(files[i]!, body)));
  return files;
}

export async function run(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    console.log(PLAN_REVIEW_USAGE);
    return 0;
  }
  let text: string;
  try {
    text = await readFile(flags.plan, 'utf8');
  } catch (err) {
    console.error(`error: ${flags.plan}: cannot read the plan JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return 1;
  }
  let parts: string[];
  try {
    parts = reviewPlanText(text, flags.plan, {
      format: flags.format,
      maxChars: flags.maxChars ?? DEFAULT_REVIEW_OPTIONS.maxChars,
      maxComments: flags.maxComments ?? DEFAULT_REVIEW_OPTIONS.maxComments,
      ...(flags.title !== undefined ? { title: flags.title } : {}),
    });
  } catch (err) {
    if (!(err instanceof PlanJsonError)) throw err;
    console.error(`error: ${err.message}`);
    return 1;
  }
  if (flags.outDir === undefined) {
    process.stdout.write(parts.join(flags.format === 'markdown' ? '\n---\n\n' : '\n----\n\n'));
    return 0;
  }
  const files = await writeComments(flags.outDir, parts, flags.format === 'markdown' ? 'md' : 'txt');
  console.error(`plan-review: ${files.length} comment${files.length === 1 ? '' : 's'} in ${flags.outDir}`);
  for (const file of files) console.log(file);
  return 0;
}
