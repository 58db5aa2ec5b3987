/**
 * The common shape of every structured diff: two maps of key → value, compared key by key
 * into add / remove / update entries with attribute-level changes.
 */
import type { DiffEntry, Risk } from './diff-model.ts';
import { diffValues, type AttributeDiffOptions } from './attribute-diff.ts';

export interface KeyedDiffOptions extends AttributeDiffOptions {
  /** Risk and reason of a removal (default: a destroy, "removed"). */
  readonly removal?: (key: string) => { readonly risk: Risk; readonly reason?: string };
}

export function diffKeyed(
  before: ReadonlyMap<string, unknown>,
  after: ReadonlyMap<string, unknown>,
  options: KeyedDiffOptions = {},
): DiffEntry[] {
  const entries: DiffEntry[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])]) {
    const was = before.get(key);
    const is = after.get(key);
    const attributes = diffValues(was, is, options);
    if (was !== undefined && is === undefined) {
      const removal = options.removal?.(key) ?? { risk: 'destroy' as const, reason: 'removed' };
      entries.push({ key, change: 'remove', attributes, risk: removal.risk, ...(removal.reason ? { reason: removal.reason } : {}) });
    } else if (was === undefined && is !== undefined) {
      entries.push({ key, change: 'add', attributes, risk: 'normal' });
    } else if (attributes.length > 0) {
      entries.push({ key, change: 'update', attributes, risk: 'normal' });
    }
  }
  return entries;
}
