/**
 * The differences between the reviewed plan and the plan at deploy time, in plan-review's words
 * (its action labels, attribute paths and value display), as text for the log or Markdown for
 * the job summary. Values are the normalised ones: nothing sensitive reaches here.
 */
import { codeSpan, escapeProse } from '../plan-review/markdown-safe.ts';
import { actionLabel } from '../plan-review/review-words.ts';
import { classifyActions } from '../plan-review/review-model.ts';
import type { PlanDifference } from './compare-plans.ts';
import type { NormalisedAttribute } from './normalised-plan.ts';

export const DIFFERENCE_FORMATS = ['text', 'markdown'] as const;
export type DifferenceFormat = (typeof DIFFERENCE_FORMATS)[number];

const label = (actions: readonly string[]): string => actionLabel(classifyActions(actions), actions);

function side(a: NormalisedAttribute | undefined): string {
  if (!a) return 'not changed';
  return `${a.before ?? '(absent)'} → ${a.after ?? '(absent)'}${a.forcesReplacement ? ' (forces replacement)' : ''}`;
}

/** One line per difference: `<address>: …`. */
function lines(diffs: readonly PlanDifference[], code: (s: string) => string, prose: (s: string) => string): string[] {
  return diffs.map((d) => {
    switch (d.kind) {
      case 'only-reviewed':
        return `${code(d.change.address)}: reviewed as ${prose(label(d.change.actions))}, now no change`;
      case 'only-current':
        return `${code(d.change.address)}: not in the reviewed plan, now ${prose(label(d.change.actions))}${d.change.attributes.length > 0 ? ` (${d.change.attributes.map((a) => `${code(a.path)}: ${prose(side(a))}`).join('; ')})` : ''}`;
      case 'actions':
        return `${code(d.address)}: reviewed as ${prose(label(d.reviewed))}, now ${prose(label(d.current))}`;
      case 'attribute':
        return `${code(d.address)} ${code(d.path)}: reviewed ${prose(side(d.reviewed))}, now ${prose(side(d.current))}`;
    }
  });
}

export interface DifferenceHeading {
  readonly stack?: string;
  readonly reviewedDigest: string;
  readonly currentDigest: string;
}

export function renderDifference(diffs: readonly PlanDifference[], heading: DifferenceHeading, format: DifferenceFormat): string {
  const stack = heading.stack ? ` · ${heading.stack}` : '';
  if (diffs.length === 0) {
    return format === 'markdown'
      ? `### Plan as reviewed${stack}\n\nThe plan is the one reviewed (${codeSpan(heading.currentDigest)}).\n`
      : `plan as reviewed${stack}: ${heading.currentDigest}\n`;
  }
  const count = `${diffs.length} difference${diffs.length === 1 ? '' : 's'}`;
  if (format === 'text') {
    return [
      `plan differs from the reviewed one${stack}: ${count} (reviewed ${heading.reviewedDigest}, now ${heading.currentDigest})`,
      ...lines(diffs, (s) => s, (s) => s).map((l) => `  ${l}`),
      'nothing was applied; the fix is a new pull request, reviewed with the plan as it is now',
      '',
    ].join('\n');
  }
  return [
    `### Plan differs from the reviewed one${stack}`,
    '',
    '> [!CAUTION]',
    `> **Nothing was applied.** ${count} between the plan reviewed in the pull request and the plan now. The fix is a new pull request, reviewed with the plan as it is now.`,
    '',
    ...lines(diffs, (s) => codeSpan(s), escapeProse).map((l) => `- ${l}`),
    '',
    `Reviewed ${codeSpan(heading.reviewedDigest)}, now ${codeSpan(heading.currentDigest)}.`,
    '',
  ].join('\n');
}
