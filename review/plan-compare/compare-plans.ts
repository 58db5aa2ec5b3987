/**
 * Two normalised plans, compared: which addresses only one of them changes, and for those both
 * change, whether the actions and every changed attribute (both sides, as shown) are the same.
 * Pure: the differences in, words out in render-difference.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import type { NormalisedAttribute, NormalisedChange } from './normalised-plan.ts';

export type PlanDifference =
  | { readonly kind: 'only-reviewed'; readonly change: NormalisedChange }
  | { readonly kind: 'only-current'; readonly change: NormalisedChange }
  | { readonly kind: 'actions'; readonly address: string; readonly reviewed: readonly string[]; readonly current: readonly string[] }
  | { readonly kind: 'attribute'; readonly address: string; readonly path: string; readonly reviewed: NormalisedAttribute | undefined; readonly current: NormalisedAttribute | undefined };

export function comparePlans(reviewed: readonly NormalisedChange[], current: readonly NormalisedChange[]): PlanDifference[] {
  const byAddress = (cs: readonly NormalisedChange[]) => new Map(cs.map((c) => [c.address, c]));
  const r = byAddress(reviewed);
  const c = byAddress(current);
  const addresses = [...new Set([...r.keys(), ...c.keys()])].sort();
  const out: PlanDifference[] = [];
  for (const address of addresses) {
    const a = r.get(address);
    const b = c.get(address);
    if (!b) {
      out.push({ kind: 'only-reviewed', change: a! });
      continue;
    }
    if (!a) {
      out.push({ kind: 'only-current', change: b });
      continue;
    }
    if (!isDeepStrictEqual(a.actions, b.actions)) out.push({ kind: 'actions', address, reviewed: a.actions, current: b.actions });
    const ra = new Map(a.attributes.map((x) => [x.path, x]));
    const ca = new Map(b.attributes.map((x) => [x.path, x]));
    for (const path of [...new Set([...ra.keys(), ...ca.keys()])].sort()) {
      const x = ra.get(path);
      const y = ca.get(path);
      if (!isDeepStrictEqual(x, y)) out.push({ kind: 'attribute', address, path, reviewed: x, current: y });
    }
  }
  return out;
}
