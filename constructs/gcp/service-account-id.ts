/** Google service account ids, derived from names. Pure: no cdktf here. */

/**
 * A valid Google service account id (6–30 chars, [a-z0-9-], starts with a letter, no trailing
 * "-") for `base`: as is when it fits, else shortened with a stable hash suffix. The id is public
 * API (it is in IAM bindings and emails), so the mapping must never change.
 */
export function serviceAccountId(base: string): string {
  let hash = 0;
  for (const ch of base) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const suffix = hash.toString(36).padStart(6, '0').slice(0, 6);
  if (base.length > 30) return `${base.slice(0, 23).replace(/-+$/, '')}-${suffix}`;
  if (base.length < 6) return `${base}-${suffix}`.slice(0, 30);
  return base;
}
