/**
 * A plan value made safe to show: Terraform's sensitivity marks (`before_sensitive`,
 * `after_sensitive`) and unknown marks (`after_unknown`) are merged into the value tree, so a
 * sensitive value is replaced by a marker *before* any renderer sees it — at any depth — and an
 * unknown one reads "(known after apply)".
 *
 * Scalars that equal a value marked sensitive elsewhere in the plan are masked too
 * (sensitive-values.ts says why).
 *
 * Marks mirror the value's shape: `true` marks the whole subtree, an object or array marks
 * its members, `false`/absent marks nothing. Anything else in a sensitivity mark (a malformed
 * plan) is treated as sensitive: when unsure, hide.
 */
import type { SensitiveValues } from './sensitive-values.ts';

export type DisplayValue =
  | { readonly kind: 'sensitive' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'null' }
  | { readonly kind: 'scalar'; readonly value: string | number | boolean }
  | { readonly kind: 'list'; readonly items: readonly DisplayValue[] }
  | { readonly kind: 'map'; readonly entries: ReadonlyArray<readonly [string, DisplayValue]> };

export const SENSITIVE_TEXT = '(sensitive value)';
export const UNKNOWN_TEXT = '(known after apply)';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether a sensitivity mark hides the whole value it sits on. */
export function marksSensitive(mark: unknown): boolean {
  if (mark === true) return true;
  if (mark === false || mark === undefined || mark === null) return false;
  return typeof mark !== 'object'; // a structural mark marks members; any other junk hides
}

/** The mark for one member (object key or list index) of a structural mark. */
export function markAt(mark: unknown, key: string | number): unknown {
  if (Array.isArray(mark)) return typeof key === 'number' ? mark[key] : undefined;
  if (isPlainObject(mark)) return mark[String(key)];
  return undefined;
}

/** Object keys of an unknown-mark that say "this member is (partly) unknown". */
function unknownKeys(unknown: unknown): string[] {
  if (!isPlainObject(unknown)) return [];
  return Object.keys(unknown).filter((k) => unknown[k] === true || (unknown[k] !== null && typeof unknown[k] === 'object'));
}

/** Merges a value with its sensitivity and unknown marks. */
export function reveal(value: unknown, sensitive: unknown, unknown: unknown, secrets: SensitiveValues): DisplayValue {
  if (marksSensitive(sensitive)) return { kind: 'sensitive' };
  if (unknown === true) return { kind: 'unknown' };
  if (Array.isArray(value) || (Array.isArray(unknown) && (value === undefined || value === null))) {
    const list = Array.isArray(value) ? value : [];
    const length = Math.max(list.length, Array.isArray(unknown) ? unknown.length : 0);
    return {
      kind: 'list',
      items: Array.from({ length }, (_, i) => reveal(list[i], markAt(sensitive, i), markAt(unknown, i), secrets)),
    };
  }
  if (isPlainObject(value)) {
    const keys = [...new Set([...Object.keys(value), ...unknownKeys(unknown)])].sort();
    return {
      kind: 'map',
      entries: keys.map((k) => [k, reveal(value[k], markAt(sensitive, k), markAt(unknown, k), secrets)] as const),
    };
  }
  if (value === undefined || value === null) return { kind: 'null' };
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
  return secrets.hides(scalar) ? { kind: 'sensitive' } : { kind: 'scalar', value: scalar };
}

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function formatKey(key: string): string {
  return BARE_KEY.test(key) ? key : JSON.stringify(key);
}

/** One line, HCL-like: `{ name = "y", token = (sensitive value) }`, `["a", 1]`. */
export function formatInline(value: DisplayValue): string {
  switch (value.kind) {
    case 'sensitive':
      return SENSITIVE_TEXT;
    case 'unknown':
      return UNKNOWN_TEXT;
    case 'null':
      return 'null';
    case 'scalar':
      return typeof value.value === 'string' ? JSON.stringify(value.value) : String(value.value);
    case 'list':
      return `[${value.items.map(formatInline).join(', ')}]`;
    case 'map':
      return value.entries.length === 0 ? '{}' : `{ ${value.entries.map(([k, v]) => `${formatKey(k)} = ${formatInline(v)}`).join(', ')} }`;
  }
}

/** Several lines, indented; multi-line strings as heredocs. For fenced blocks. */
export function formatPretty(value: DisplayValue, indent = ''): string {
  const inner = `${indent}  `;
  switch (value.kind) {
    case 'scalar':
      if (typeof value.value === 'string' && value.value.includes('\n')) {
        const body = value.value.endsWith('\n') ? value.value : `${value.value}\n`;
        return `<<EOT\n${body}EOT`;
      }
      return formatInline(value);
    case 'list':
      if (value.items.length === 0) return '[]';
      return `[\n${value.items.map((v) => `${inner}${formatPretty(v, inner)},`).join('\n')}\n${indent}]`;
    case 'map':
      if (value.entries.length === 0) return '{}';
      return `{\n${value.entries.map(([k, v]) => `${inner}${formatKey(k)} = ${formatPretty(v, inner)}`).join('\n')}\n${indent}}`;
    default:
      return formatInline(value);
  }
}
