/**
 * Attribute-level differences between two JSON-like values: one change per leaf that differs,
 * with its path. Objects are compared key by key; arrays of objects that all carry a unique
 * string identifier (`name`, or another chosen field) are matched by it, so inserting a
 * container or an env var shows as one addition rather than a shifted list; other arrays of
 * objects are compared by index; arrays of scalars are compared whole (a list of scopes or
 * CIDRs reads best as before → after). Secret-looking paths are masked here, so no caller
 * can forget to.
 */
import type { AttributeChange } from './diff-model.ts';
import { formatPath, type PathSegment } from './value-path.ts';
import { isSecretPath, maskSecretsInText, maskValue } from './secret-mask.ts';

export interface AttributeDiffOptions {
  /** Keys skipped at every depth (cdktf's `//` construct metadata). */
  readonly ignoreKeys?: ReadonlySet<string>;
  /** Extra secret paths beyond the key names (a Kubernetes Secret's `data`). */
  readonly isSecret?: (path: readonly PathSegment[]) => boolean;
  /** Fields that identify an element of an array of objects, tried in order (default: `name`). */
  readonly identityFields?: readonly string[];
}

export type PlainObject = Record<string, unknown>;

export function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** A copy without the ignored keys, at every depth. */
export function withoutKeys(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutKeys(v, keys));
  if (!isPlainObject(value)) return value;
  const out: PlainObject = {};
  for (const [k, v] of Object.entries(value)) if (!keys.has(k)) out[k] = withoutKeys(v, keys);
  return out;
}

/** The field every element carries with a unique string value, if any. */
function identityField(a: readonly unknown[], b: readonly unknown[], fields: readonly string[]): string | undefined {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isPlainObject)) return undefined;
  return fields.find((f) => {
    const unique = (list: readonly unknown[]): boolean => {
      const ids = list.map((x) => (x as PlainObject)[f]);
      return ids.every((id) => typeof id === 'string') && new Set(ids).size === ids.length;
    };
    return unique(a) && unique(b);
  });
}

export function diffValues(before: unknown, after: unknown, options: AttributeDiffOptions = {}): AttributeChange[] {
  const ignore = options.ignoreKeys ?? new Set<string>();
  const fields = options.identityFields ?? ['name'];
  const secret = (path: readonly PathSegment[]): boolean => isSecretPath(path) || (options.isSecret?.(path) ?? false);
  const changes: AttributeChange[] = [];

  const leaf = (path: readonly PathSegment[], b: unknown, a: unknown): void => {
    const hide = secret(path);
    const show = (v: unknown): unknown => (hide ? maskValue(v) : maskNested(v, path, secret));
    const change: { path: string; before?: unknown; after?: unknown } = { path: formatPath(path) };
    if (b !== undefined) change.before = show(b);
    if (a !== undefined) change.after = show(a);
    changes.push(change);
  };

  const walk = (path: PathSegment[], b: unknown, a: unknown): void => {
    if (deepEqual(b, a)) return;
    const bObj = isPlainObject(b) || (b === undefined && isPlainObject(a));
    const aObj = isPlainObject(a) || (a === undefined && isPlainObject(b));
    if (bObj && aObj && !secret(path)) {
      const bo = (b ?? {}) as PlainObject;
      const ao = (a ?? {}) as PlainObject;
      const keys = [...new Set([...Object.keys(bo), ...Object.keys(ao)])].filter((k) => !ignore.has(k)).sort();
      if (keys.length === 0) leaf(path, b, a); // `{}` appearing or disappearing
      for (const k of keys) walk([...path, k], bo[k], ao[k]);
      return;
    }
    const bArr = Array.isArray(b) ? b : b === undefined && Array.isArray(a) ? [] : undefined;
    const aArr = Array.isArray(a) ? a : a === undefined && Array.isArray(b) ? [] : undefined;
    if (bArr && aArr && !secret(path) && [...bArr, ...aArr].some((x) => isPlainObject(x) || Array.isArray(x))) {
      const by = identityField(bArr, aArr, fields);
      if (by !== undefined) {
        const index = (list: readonly unknown[]): Map<string, unknown> => new Map(list.map((x) => [String((x as PlainObject)[by]), x]));
        const bi = index(bArr);
        const ai = index(aArr);
        const ids = [...new Set([...bi.keys(), ...ai.keys()])];
        // The identifying field is in the path already; an element added or removed with nothing else is shown whole.
        const rest = (x: unknown): PlainObject | undefined => {
          if (x === undefined) return undefined;
          const { [by]: _id, ...others } = x as PlainObject;
          return others;
        };
        for (const id of ids) {
          const elementPath = [...path, { by, value: id }];
          const [was, is] = [bi.get(id), ai.get(id)];
          const [restWas, restIs] = [rest(was), rest(is)];
          const bare = (r: PlainObject | undefined): boolean => r !== undefined && Object.keys(r).length === 0;
          if ((was === undefined && bare(restIs)) || (is === undefined && bare(restWas))) leaf(elementPath, was, is);
          else walk(elementPath, restWas, restIs);
        }
        return;
      }
      for (let i = 0; i < Math.max(bArr.length, aArr.length); i++) walk([...path, i], bArr[i], aArr[i]);
      return;
    }
    leaf(path, b, a);
  };

  walk([], withoutKeys(before, ignore), withoutKeys(after, ignore));
  return changes;
}

/**
 * A value shown whole (an added block, a type change): secret-looking keys inside it are
 * masked, and secret-looking `key: value` text inside its strings (embedded configs).
 */
export function maskNested(
  value: unknown,
  path: readonly PathSegment[] = [],
  secret: (path: readonly PathSegment[]) => boolean = isSecretPath,
): unknown {
  if (secret(path)) return maskValue(value);
  if (typeof value === 'string') return maskSecretsInText(value);
  if (Array.isArray(value)) return value.map((v, i) => maskNested(v, [...path, i], secret));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskNested(v, [...path, k], secret)]));
  return value;
}
