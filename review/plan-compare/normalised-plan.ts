/**
 * A plan reduced to what applying it would do, in a form two plans can be compared in and that
 * is safe to store: per resource (and output) that changes, its address, Terraform's actions and
 * the attributes that change, each side shown as plan-review shows it (display-value.ts) — so
 * sensitive values are "(sensitive value)", unknown ones "(known after apply)", map keys sorted.
 * No raw value that the plan marks sensitive (or that equals one) survives normalisation: the
 * record can go into an artifact or a log.
 *
 * Left out on purpose: `no-op` changes, `resource_drift` (what refresh found, not what apply
 * does: any of it that apply would undo is in `resource_changes`), and unknowns' placeholders.
 *
 * A consequence to know: a sensitive attribute that changes in both plans compares equal even
 * if its new value differs between them (neither side may be revealed). Everything else does not.
 */
import { createHash } from 'node:crypto';
import { attributeChanges, formatAttributePath } from '../plan-review/attribute-changes.ts';
import { formatInline, type DisplayValue } from '../plan-review/display-value.ts';
import type { Change, PlanJson } from '../plan-review/plan-json.ts';
import { collectSensitiveValues, type SensitiveValues } from '../plan-review/sensitive-values.ts';

export interface NormalisedAttribute {
  /** `node_config[0].machine_type`, as plan-review writes it. */
  readonly path: string;
  /** The side as plan-review shows it; null when absent. */
  readonly before: string | null;
  readonly after: string | null;
  readonly forcesReplacement: boolean;
}

export interface NormalisedChange {
  /** A resource address, or `output.<name>` for a root output. */
  readonly address: string;
  readonly actions: readonly string[];
  readonly attributes: readonly NormalisedAttribute[];
}

const shown = (v: DisplayValue | undefined): string | null => (v === undefined ? null : formatInline(v));

function normaliseChange(address: string, change: Change, secrets: SensitiveValues): NormalisedChange {
  return {
    address,
    actions: [...change.actions],
    attributes: attributeChanges(change, secrets)
      .map((a) => ({ path: formatAttributePath(a.path), before: shown(a.before), after: shown(a.after), forcesReplacement: a.forcesReplacement }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
}

const isNoOp = (c: Change): boolean => c.actions.length === 1 && c.actions[0] === 'no-op';

/** The changes of a parsed plan, sorted by address (deposed objects get ` (deposed <key>)`). */
export function normalisePlan(plan: PlanJson): NormalisedChange[] {
  const secrets = collectSensitiveValues(plan);
  const changes: NormalisedChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (isNoOp(rc.change)) continue;
    const address = rc.deposed ? `${rc.address} (deposed ${rc.deposed})` : rc.address;
    changes.push(normaliseChange(address, rc.change, secrets));
  }
  for (const [name, change] of Object.entries(plan.output_changes ?? {})) {
    if (isNoOp(change)) continue;
    changes.push(normaliseChange(`output.${name}`, change, secrets));
  }
  return changes.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** `sha256:<hex>` of the canonical JSON of the changes: the reviewed plan's identity. */
export function changesDigest(changes: readonly NormalisedChange[]): string {
  const canonical = JSON.stringify(changes.map((c) => ({ address: c.address, actions: c.actions, attributes: c.attributes.map((a) => ({ path: a.path, before: a.before, after: a.after, forcesReplacement: a.forcesReplacement })) })));
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
