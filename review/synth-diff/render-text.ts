/** The terminal view of a synth diff: a summary line per environment, then each entry, riskiest first. */
import { describeSummary, type DiffEntry, type SynthDiff } from './diff-model.ts';
import { formatValue, isMultiline, multilineChange } from './value-format.ts';

export interface RenderLabels {
  /** What was diffed against: the base ref (`origin/main`), or `golden copy`. */
  readonly base: string;
  /** What it was compared with: `working tree`, `synthesized output`. */
  readonly head: string;
}

const WORD: Readonly<Record<string, string>> = { destroy: 'DESTROY', breaking: 'BREAKING', replace: 'REPLACE', add: 'ADD', update: 'UPDATE', remove: 'REMOVE' };

export function entryWord(e: DiffEntry): string {
  return e.risk === 'normal' ? (WORD[e.change] ?? e.change) : (WORD[e.risk] ?? e.risk);
}

export function renderText(diff: SynthDiff, labels: RenderLabels): string {
  const out: string[] = [`synth diff: ${labels.base} → ${labels.head}`];
  for (const env of diff.environments) {
    const whole = env.change === 'add' ? ' (new environment)' : env.change === 'remove' ? ' (environment removed)' : '';
    out.push('', `${env.env}${whole}: ${describeSummary(env.summary)}`);
    for (const artifact of env.artifacts) {
      for (const e of artifact.entries) {
        out.push(`  ${entryWord(e).padEnd(8)} ${e.key}  (${artifact.file})`);
        if (e.reason) out.push(`           why: ${e.reason}`);
        // A removal's attributes are all "→ (absent)": the key says it; --format json keeps them.
        const shown = e.change === 'update' ? e.attributes : e.change === 'add' ? e.attributes.slice(0, 20) : [];
        for (const a of shown) {
          if (isMultiline(a.before) || isMultiline(a.after)) {
            out.push(`           ${a.path}:`, ...multilineChange(a.before, a.after).map((l) => `             ${l}`));
          } else {
            out.push(`           ${a.path}: ${formatValue(a.before)} → ${formatValue(a.after)}`);
          }
        }
        if (e.change !== 'remove' && shown.length < e.attributes.length) out.push(`           … ${e.attributes.length - shown.length} more attributes (--format json shows all)`);
      }
    }
  }
  return out.join('\n');
}
