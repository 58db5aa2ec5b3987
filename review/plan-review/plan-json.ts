/**
 * The part of Terraform's machine-readable plan (`terraform show -json <planfile>`,
 * format_version 1.x) that plan-review reads. Loose on purpose: unknown fields pass through,
 * and `actions` is any list of strings, so a plan from a newer Terraform (new fields, new
 * actions) still parses. A new *major* format version is refused: its meaning may differ.
 */
import { z } from 'zod';

/** Attribute path inside a resource: object keys and list indexes. */
const AttributePath = z.array(z.union([z.string(), z.number()]));

export const Change = z.looseObject({
  actions: z.array(z.string()).min(1, 'must name at least one action'),
  // Values and their marks are arbitrary JSON trees; display-value.ts walks them defensively.
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  after_unknown: z.unknown().optional(),
  before_sensitive: z.unknown().optional(),
  after_sensitive: z.unknown().optional(),
  replace_paths: z.array(AttributePath).optional(),
  importing: z.looseObject({ id: z.string().optional() }).nullish(),
});
export type Change = z.infer<typeof Change>;

export const ResourceChange = z.looseObject({
  address: z.string().min(1),
  previous_address: z.string().optional(),
  mode: z.string().optional(),
  type: z.string().optional(),
  deposed: z.string().optional(),
  change: Change,
  action_reason: z.string().optional(),
});
export type ResourceChange = z.infer<typeof ResourceChange>;

export const PlanJson = z.looseObject({
  format_version: z
    .string()
    .regex(/^1\.\d+$/, 'plan-review reads format 1.x (terraform show -json from Terraform ≥ 1.0)'),
  terraform_version: z.string().optional(),
  resource_changes: z.array(ResourceChange).optional(),
  resource_drift: z.array(ResourceChange).optional(),
  output_changes: z.record(z.string(), Change).optional(),
  errored: z.boolean().optional(),
  applyable: z.boolean().optional(),
  complete: z.boolean().optional(),
});
export type PlanJson = z.infer<typeof PlanJson>;

/** `['change', 'actions', 0]` → `change.actions[0]`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Bad input: the message names the file and the field. */
export class PlanJsonError extends Error {
  override name = 'PlanJsonError';
}

/**
 * Parses the text of a plan JSON file. `file` only names the source in messages.
 * A binary plan file (a zip: "PK…") gets a message saying how to produce the JSON.
 */
export function parsePlanJson(text: string, file: string): PlanJson {
  if (text.startsWith('PK')) {
    throw new PlanJsonError(
      `${file}: is a binary plan file; give plan-review its JSON: terraform show -json ${file} > plan.json`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PlanJsonError(`${file}: not JSON (${(err as Error).message}); expected the output of terraform show -json <planfile>`);
  }
  if (isPlainObject(raw) && 'values' in raw && !('planned_values' in raw)) {
    throw new PlanJsonError(`${file}: is a state, not a plan (terraform show -json of a state file); give plan-review a plan`);
  }
  const result = PlanJson.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${file}: ${formatPath(issue.path) || '(top level)'}: ${issue.message}`);
    throw new PlanJsonError(problems.join('\n'));
  }
  return result.data;
}
