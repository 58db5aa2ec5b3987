/**
 * Any file without a structured diff, compared line by line: one entry for the file, one
 * attribute per hunk (`lines -12,3 +12,4`) with the removed and added lines, secrets masked.
 */
import type { DiffEntry, Risk } from './diff-model.ts';
import { hunkLabel, lineDiff } from './line-diff.ts';
import { maskSecretsInText } from './secret-mask.ts';

export interface TextDiffOptions {
  /** Risk when the whole file disappears (default: normal — an unknown file's removal destroys nothing known). */
  readonly removalRisk?: Risk;
  /** Why this file is compared as text (it could not be read as what it should be). */
  readonly note?: string;
}

export function diffText(key: string, before: string | undefined, after: string | undefined, options: TextDiffOptions = {}): DiffEntry[] {
  if (before === after) return [];
  const attributes = lineDiff(before ?? '', after ?? '').map((h) => ({
    path: hunkLabel(h),
    ...(h.before.length > 0 ? { before: maskSecretsInText(h.before.join('\n')) } : {}),
    ...(h.after.length > 0 ? { after: maskSecretsInText(h.after.join('\n')) } : {}),
  }));
  if (before !== undefined && after !== undefined && attributes.length === 0) {
    // Only a trailing newline differs.
    const eol = (t: string): string => (t.endsWith('\n') ? 'newline at end of file' : 'no newline at end of file');
    attributes.push({ path: 'end of file', before: eol(before), after: eol(after) });
  }
  const change = before === undefined ? 'add' : after === undefined ? 'remove' : 'update';
  const risk: Risk = change === 'remove' ? (options.removalRisk ?? 'normal') : 'normal';
  const reasons = [change === 'remove' ? 'file removed' : '', options.note ?? ''].filter(Boolean);
  return [{ key, change, attributes, risk, ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}) }];
}
