/**
 * Attribute paths as reviewers read them: `node_config.machine_type`, `secondary_ip_range[1]`,
 * `spec.template.spec.containers[name=api].image`, `metadata.labels["app.kubernetes.io/name"]`.
 */

/** An object key, an array index, or an array element picked by its identifying field (`[name=api]`). */
export type PathSegment = string | number | { readonly by: string; readonly value: string };

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'object') out += `[${s.by}=${s.value}]`;
    else if (PLAIN_KEY.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * Whether a change at `path` touches `pattern`: the path is the pattern or below it
 * (`node_config.taint[0].key` touches `node_config.taint`), or a whole ancestor changed
 * (`node_config` replaced as a block touches `node_config.machine_type`).
 */
export function pathTouches(path: string, pattern: string): boolean {
  const below = (inner: string, outer: string): boolean =>
    inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return below(path, pattern) || below(pattern, path);
}
