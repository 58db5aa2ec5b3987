/**
 * `golden update` re-synthesizes every environment of the default catalog and replaces the
 * committed golden copy (test/golden/: each stack's cdk.tf.json and dist/ per environment);
 * `golden check` synthesizes and compares, printing the structural diff and exiting 1 on a
 * mismatch. Synthesis runs in a child process into a temporary directory that is always removed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseCommandFlags } from '../command-flags.ts';
import { synthesize } from '../../review/synth-diff/synth-process.ts';
import { assertReplaceableGolden, readSynthOutput, writeGoldenTree } from '../../review/synth-diff/synth-tree-reader.ts';
import { goldenView } from '../../review/synth-diff/synth-tree.ts';
import { GOLDEN_DIR, compareWithGolden } from '../../review/synth-diff/golden-compare.ts';

export const GOLDEN_USAGE = `usage: platform golden <update | check> [--dir <dir>]

  update        synthesize every environment of the default catalog into the golden copy
  check         synthesize and compare with the golden copy; exit 1 with the diff on a mismatch

flags:
  --dir <dir>   the golden copy (default: ${GOLDEN_DIR})
  --help`;

const Flags = z.object({
  action: z.enum(['update', 'check'], { message: 'say "golden update" or "golden check"' }),
  dir: z.string().min(1).default(GOLDEN_DIR),
});

function parseFlags(argv: readonly string[]): z.infer<typeof Flags> | 'help' {
  return parseCommandFlags(argv, {
    usage: GOLDEN_USAGE,
    options: { dir: { type: 'string' } },
    schema: Flags,
    positionals: { max: 1 },
    input: (values, positionals) => ({ action: positionals[0], dir: values.dir }),
    flagOf: (path) => (path[0] === 'action' ? '' : `--${path.join('.')}`),
  });
}

const progress = (line: string): void => void process.stderr.write(`golden: ${line}\n`);

export async function run(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    console.log(GOLDEN_USAGE);
    return 0;
  }
  const dir = resolve(flags.dir);
  // Before the (slow) synth: a --dir that is not a golden copy is refused, never overwritten.
  if (flags.action === 'update') await assertReplaceableGolden(dir);
  const tmp = await mkdtemp(join(tmpdir(), 'platform-golden-'));
  try {
    progress(`synthesizing every environment into ${tmp}`);
    const out = await synthesize({ project: process.cwd(), out: join(tmp, 'out'), label: 'the working tree' });
    if (flags.action === 'update') {
      const written = await writeGoldenTree(goldenView(await readSynthOutput(out)), dir);
      console.log(`golden: wrote ${written.length} files to ${flags.dir}`);
      return 0;
    }
    const result = await compareWithGolden(out, dir);
    if (result.matches) {
      console.log(`golden: the synthesized output matches ${flags.dir}`);
      return 0;
    }
    console.log(result.report);
    return 1;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
