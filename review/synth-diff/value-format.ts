/** How attribute values read in the Markdown and text views (the JSON view keeps them as they are). */
import { lineDiff } from './line-diff.ts';

export const ABSENT = '(absent)';

export function isMultiline(v: unknown): v is string {
  return typeof v === 'string' && v.includes('\n');
}

/** One line: strings quoted, structures as compact JSON, long values cut with an ellipsis. */
export function formatValue(v: unknown, max = 200): string {
  if (v === undefined) return ABSENT;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A multi-line string change as `-`/`+` lines (only the changed lines). */
export function multilineChange(before: unknown, after: unknown): string[] {
  const b = typeof before === 'string' ? before : before === undefined ? '' : formatValue(before);
  const a = typeof after === 'string' ? after : after === undefined ? '' : formatValue(after);
  return lineDiff(b, a).flatMap((h) => [`@@ ${h.beforeStart},${h.before.length} → ${h.afterStart},${h.after.length}`, ...h.before.map((l) => `- ${l}`), ...h.after.map((l) => `+ ${l}`)]);
}
