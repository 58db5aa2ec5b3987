/**
 * Golden outputs: the committed copy of every environment's synthesized output (test/golden/),
 * compared structurally with a fresh synth by the same diff engine as `diff --base`, so a
 * mismatch reads as "google_container_node_pool.… node_config.machine_type: a → b", not as a
 * wall of JSON. Used by `golden check` and by test/review/golden.test.ts.
 */
import { isEmpty, type SynthDiff } from './diff-model.ts';
import { diffTrees } from './synth-diff.ts';
import { goldenView } from './synth-tree.ts';
import { readGoldenTree, readSynthOutput } from './synth-tree-reader.ts';
import { renderText } from './render-text.ts';

export const GOLDEN_DIR = 'test/golden';
export const GOLDEN_HINT = 'run `npm run golden:update` if the change is intended';

export interface GoldenComparison {
  readonly matches: boolean;
  readonly diff: SynthDiff;
  /** The structural diff as text, ending with the hint; empty when it matches. */
  readonly report: string;
}

export async function compareWithGolden(outRoot: string, goldenDir: string): Promise<GoldenComparison> {
  const [golden, fresh] = await Promise.all([readGoldenTree(goldenDir), readSynthOutput(outRoot)]);
  const diff = diffTrees(golden, goldenView(fresh));
  const matches = isEmpty(diff) && diff.environments.every((e) => e.change === undefined);
  return {
    matches,
    diff,
    report: matches ? '' : `${renderText(diff, { base: `golden copy (${goldenDir})`, head: 'synthesized output' })}\n\n${GOLDEN_HINT}`,
  };
}
