/**
 * Every value the plan marks sensitive anywhere, so it can also be hidden where Terraform
 * forgot the mark. Terraform's marks are not transitive through providers: feed a sensitive
 * variable into `terraform_data.input` and the computed `output` carries the secret unmarked in
 * the prior state (Terraform 1.11's own `terraform show` prints it). Marks are the first line
 * of defence (display-value.ts); this is the second: a scalar equal to a known sensitive value,
 * or a string containing one, is masked wherever it appears.
 *
 * Sources: resource changes and drift (before/after with their marks), output changes, prior
 * state and planned values (`sensitive_values`, sensitive outputs), and root variables the
 * configuration declares `sensitive = true`.
 */
import { isPlainObject, markAt, marksSensitive } from './display-value.ts';
import type { PlanJson } from './plan-json.ts';

/** Shorter secrets only mask exact matches: "ab" inside every other string would hide everything. */
const MIN_SUBSTRING = 6;

export interface SensitiveValues {
  /** Whether showing this scalar could show a sensitive value. */
  hides(value: string | number | boolean): boolean;
}

export const NO_SENSITIVE_VALUES: SensitiveValues = { hides: () => false };

class KnownSensitiveValues implements SensitiveValues {
  private readonly exact = new Set<string>();
  private readonly substrings: string[] = [];

  add(value: unknown): void {
    if (typeof value === 'string' || typeof value === 'number') {
      const text = String(value);
      if (text === '' || this.exact.has(text)) return;
      this.exact.add(text);
      if (text.length >= MIN_SUBSTRING) this.substrings.push(text);
    } else if (Array.isArray(value)) {
      for (const item of value) this.add(item);
    } else if (isPlainObject(value)) {
      for (const item of Object.values(value)) this.add(item);
    }
    // booleans and null: masking every `true` would hide everything and protect nothing
  }

  /** Adds the parts of `value` that `mark` marks sensitive. */
  addMarked(value: unknown, mark: unknown): void {
    if (marksSensitive(mark)) return this.add(value);
    if (Array.isArray(value)) value.forEach((item, i) => this.addMarked(item, markAt(mark, i)));
    else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) this.addMarked(v, markAt(mark, k));
  }

  get size(): number {
    return this.exact.size;
  }

  hides(value: string | number | boolean): boolean {
    if (typeof value === 'boolean') return false;
    const text = String(value);
    if (this.exact.has(text)) return true;
    return typeof value === 'string' && this.substrings.some((s) => text.includes(s));
  }
}

function field(value: unknown, key: string): unknown {
  return isPlainObject(value) ? value[key] : undefined;
}

/** `values` representation (prior_state.values, planned_values): resources and outputs, modules nested. */
function addModule(found: KnownSensitiveValues, module: unknown): void {
  const resources = field(module, 'resources');
  if (Array.isArray(resources)) for (const r of resources) found.addMarked(field(r, 'values'), field(r, 'sensitive_values'));
  const children = field(module, 'child_modules');
  if (Array.isArray(children)) for (const child of children) addModule(found, child);
}

function addValues(found: KnownSensitiveValues, values: unknown): void {
  addModule(found, field(values, 'root_module'));
  const outputs = field(values, 'outputs');
  if (isPlainObject(outputs)) for (const o of Object.values(outputs)) if (field(o, 'sensitive') === true) found.add(field(o, 'value'));
}

export function collectSensitiveValues(plan: PlanJson): SensitiveValues {
  const found = new KnownSensitiveValues();
  for (const rc of [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])]) {
    found.addMarked(rc.change.before, rc.change.before_sensitive);
    found.addMarked(rc.change.after, rc.change.after_sensitive);
  }
  for (const change of Object.values(plan.output_changes ?? {})) {
    found.addMarked(change.before, change.before_sensitive);
    found.addMarked(change.after, change.after_sensitive);
  }
  addValues(found, field(plan.prior_state, 'values'));
  addValues(found, plan.planned_values);
  const declared = field(field(plan.configuration, 'root_module'), 'variables');
  if (isPlainObject(declared) && isPlainObject(plan.variables)) {
    for (const [name, decl] of Object.entries(declared)) {
      if (field(decl, 'sensitive') === true) found.add(field(plan.variables[name], 'value'));
    }
  }
  return found.size === 0 ? NO_SENSITIVE_VALUES : found;
}
