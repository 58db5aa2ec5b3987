/**
 * Attribute-level before → after for one change: only the attributes that differ, each with
 * masked/unknown-aware display values and whether it forces the replacement (`replace_paths`).
 * Sensitive attributes are compared on their raw values (so a changed secret shows as changed)
 * but only ever *shown* as "(sensitive value)".
 */
import { isDeepStrictEqual } from 'node:util';
import { isPlainObject, markAt, marksSensitive, reveal, type DisplayValue } from './display-value.ts';
import type { Change } from './plan-json.ts';
import type { SensitiveValues } from './sensitive-values.ts';

export type AttributePath = readonly (string | number)[];

export interface AttributeChange {
  readonly path: AttributePath;
  /** undefined: the attribute is absent (or null) on that side. */
  readonly before: DisplayValue | undefined;
  readonly after: DisplayValue | undefined;
  readonly forcesReplacement: boolean;
}

/** `['node_config', 0, 'machine_type']` → `node_config[0].machine_type`; odd keys quoted. */
export function formatAttributePath(path: AttributePath): string {
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function side(value: unknown, sensitive: unknown, unknown: unknown, secrets: SensitiveValues): DisplayValue | undefined {
  if (unknown === true) return { kind: 'unknown' };
  // An absent value is absent even under a sensitivity mark: nothing to hide, nothing to show.
  if (isAbsent(value) && !Array.isArray(unknown) && !isPlainObject(unknown)) return undefined;
  return reveal(value, sensitive, unknown, secrets);
}

function startsWith(path: AttributePath, prefix: AttributePath): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => key === path[i]);
}

interface Marks {
  readonly before: unknown;
  readonly beforeSensitive: unknown;
  readonly after: unknown;
  readonly afterSensitive: unknown;
  readonly afterUnknown: unknown;
}

function member(m: Marks, key: string | number): Marks {
  return {
    before: markAt(m.before, key),
    beforeSensitive: markAt(m.beforeSensitive, key),
    after: markAt(m.after, key),
    afterSensitive: markAt(m.afterSensitive, key),
    afterUnknown: markAt(m.afterUnknown, key),
  };
}

function walk(path: AttributePath, m: Marks, secrets: SensitiveValues, out: Array<{ path: AttributePath; before: DisplayValue | undefined; after: DisplayValue | undefined }>): void {
  const emit = (): void => {
    out.push({ path, before: side(m.before, m.beforeSensitive, false, secrets), after: side(m.after, m.afterSensitive, m.afterUnknown, secrets) });
  };
  if (m.afterUnknown === true) return emit();
  if (marksSensitive(m.beforeSensitive) || marksSensitive(m.afterSensitive)) {
    const same = isDeepStrictEqual(m.before ?? null, m.after ?? null) && marksSensitive(m.beforeSensitive) === marksSensitive(m.afterSensitive);
    if (!same) emit();
    return;
  }
  // A whole new (or removed) object at the top level reads better attribute by attribute.
  const asObject = (v: unknown): unknown => (path.length === 0 && isAbsent(v) ? {} : v);
  const before = asObject(m.before);
  const after = asObject(m.after);
  if (isPlainObject(before) && isPlainObject(after)) {
    const unknownKeys = isPlainObject(m.afterUnknown) ? Object.keys(m.afterUnknown) : [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...unknownKeys])].sort();
    for (const key of keys) walk([...path, key], member({ ...m, before, after }, key), secrets, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length, Array.isArray(m.afterUnknown) ? m.afterUnknown.length : 0);
    for (let i = 0; i < length; i++) walk([...path, i], member(m, i), secrets, out);
    return;
  }
  if (isDeepStrictEqual(m.before ?? null, m.after ?? null)) return;
  emit();
}

export function attributeChanges(change: Change, secrets: SensitiveValues): AttributeChange[] {
  const rows: Array<{ path: AttributePath; before: DisplayValue | undefined; after: DisplayValue | undefined }> = [];
  walk(
    [],
    {
      before: change.before,
      beforeSensitive: change.before_sensitive,
      after: change.after,
      afterSensitive: change.after_sensitive,
      afterUnknown: change.after_unknown,
    },
    secrets,
    rows,
  );
  const replacePaths = change.replace_paths ?? [];
  return rows.map((row) => ({
    ...row,
    forcesReplacement: replacePaths.some((p) => startsWith(row.path, p) || startsWith(p, row.path)),
  }));
}
