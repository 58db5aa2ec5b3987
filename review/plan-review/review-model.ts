/**
 * What a reviewer needs from a plan, in the order they need it: counts, then destroys and
 * replaces, unrecognized actions, drift, forgets, updates, creates, reads, moves/imports, and
 * output changes. Pure: plan JSON in, plain objects out; renderers only format this.
 */
import { attributeChanges, type AttributeChange } from './attribute-changes.ts';
import { reveal, type DisplayValue } from './display-value.ts';
import type { Change, PlanJson, ResourceChange } from './plan-json.ts';
import { collectSensitiveValues, type SensitiveValues } from './sensitive-values.ts';
import { contractNotes } from './contract-notes.ts';

export type ActionKind =
  | 'delete'
  | 'replace-destroy-first'
  | 'replace-create-first'
  | 'replace-create-forget'
  | 'other'
  | 'forget'
  | 'update'
  | 'create'
  | 'read'
  | 'no-op';

export interface ActionInfo {
  /** Terraform's own plan symbol. */
  readonly symbol: string;
  readonly label: string;
}

/** In review order: the first ones are what a reviewer must not miss. */
export const ACTION_KINDS: Readonly<Record<ActionKind, ActionInfo>> = {
  delete: { symbol: '-', label: 'delete' },
  'replace-destroy-first': { symbol: '-/+', label: 'replace: destroy the old one first, then create the new (a gap between)' },
  'replace-create-first': { symbol: '+/-', label: 'replace: create the new one, then destroy the old (create_before_destroy)' },
  'replace-create-forget': { symbol: '+/.', label: 'replace: create the new one, then forget the old (not destroyed)' },
  other: { symbol: '?', label: 'unrecognized action' },
  forget: { symbol: '.', label: 'forget: removed from state, not destroyed' },
  update: { symbol: '~', label: 'update in place' },
  create: { symbol: '+', label: 'create' },
  read: { symbol: '<=', label: 'read (data source)' },
  'no-op': { symbol: ' ', label: 'no change' },
};

const KIND_ORDER = Object.keys(ACTION_KINDS) as ActionKind[];

/** The action list as Terraform writes it → one kind; anything else is `other` (rendered, not refused). */
export function classifyActions(actions: readonly string[]): ActionKind {
  switch (actions.join(',')) {
    case 'delete':
      return 'delete';
    case 'delete,create':
      return 'replace-destroy-first';
    case 'create,delete':
      return 'replace-create-first';
    case 'create,forget':
      return 'replace-create-forget';
    case 'forget':
      return 'forget';
    case 'update':
      return 'update';
    case 'create':
      return 'create';
    case 'read':
      return 'read';
    case 'no-op':
      return 'no-op';
    default:
      return 'other';
  }
}

export type SectionId = 'destroy' | 'other' | 'drift' | 'forget' | 'update' | 'create' | 'read' | 'moved' | 'outputs';

export const SECTION_TITLES: Readonly<Record<SectionId, string>> = {
  destroy: 'Destroyed or replaced',
  other: 'Unrecognized actions (from a newer Terraform?): read these carefully',
  drift: 'Drift: changed outside Terraform since the last apply',
  forget: 'Removed from state, not destroyed',
  update: 'Updated in place',
  create: 'Created',
  read: 'Read',
  moved: 'Moved or imported, otherwise unchanged',
  outputs: 'Output changes',
};

function sectionOf(kind: ActionKind): SectionId {
  switch (kind) {
    case 'delete':
    case 'replace-destroy-first':
    case 'replace-create-first':
    case 'replace-create-forget':
      return 'destroy';
    case 'other':
      return 'other';
    case 'forget':
      return 'forget';
    case 'update':
      return 'update';
    case 'create':
      return 'create';
    case 'read':
      return 'read';
    case 'no-op':
      return 'moved';
  }
}

export interface ResourceEntry {
  readonly section: SectionId;
  readonly address: string;
  readonly kind: ActionKind;
  readonly actions: readonly string[];
  readonly actionReason: string | undefined;
  readonly previousAddress: string | undefined;
  readonly importingId: string | undefined;
  readonly deposed: string | undefined;
  /** Attribute paths that force the replacement, as Terraform reports them. */
  readonly replacePaths: ReadonlyArray<readonly (string | number)[]>;
  readonly attributes: readonly AttributeChange[];
  /** Topic contract consequences (a schema revision, a topic replacement's lost backlog); usually empty. */
  readonly contractNotes: readonly string[];
}

export interface OutputEntry {
  readonly name: string;
  readonly kind: ActionKind;
  readonly actions: readonly string[];
  readonly before: DisplayValue | undefined;
  readonly after: DisplayValue | undefined;
}

export interface CountRow {
  readonly kind: ActionKind;
  /** For `other`: the action list as written. */
  readonly actions: string;
  readonly count: number;
}

export interface PlanReviewModel {
  readonly terraformVersion: string | undefined;
  readonly errored: boolean;
  /** false only when the plan says so. */
  readonly applyable: boolean;
  readonly complete: boolean;
  readonly counts: readonly CountRow[];
  /** Terraform's summary line: replacements count as an add and a destroy. */
  readonly toAdd: number;
  readonly toChange: number;
  readonly toDestroy: number;
  readonly toForget: number;
  readonly resources: readonly ResourceEntry[];
  readonly drift: readonly ResourceEntry[];
  readonly outputs: readonly OutputEntry[];
}

function entry(rc: ResourceChange, section: SectionId | undefined, secrets: SensitiveValues): ResourceEntry {
  const kind = classifyActions(rc.change.actions);
  return {
    section: section ?? sectionOf(kind),
    address: rc.address,
    kind,
    actions: rc.change.actions,
    actionReason: rc.action_reason,
    previousAddress: rc.previous_address !== undefined && rc.previous_address !== rc.address ? rc.previous_address : undefined,
    importingId: rc.change.importing ? (rc.change.importing.id ?? '(by identity)') : undefined,
    deposed: rc.deposed,
    replacePaths: rc.change.replace_paths ?? [],
    attributes: attributeChanges(rc.change, secrets),
    contractNotes: section === 'drift' ? [] : contractNotes(rc, kind),
  };
}

function outputEntry(name: string, change: Change, secrets: SensitiveValues): OutputEntry {
  const unknown = change.after_unknown === true;
  return {
    name,
    kind: classifyActions(change.actions),
    actions: change.actions,
    before: change.before === undefined || change.before === null ? undefined : reveal(change.before, change.before_sensitive, false, secrets),
    after: unknown
      ? { kind: 'unknown' }
      : change.after === undefined || change.after === null
        ? undefined
        : reveal(change.after, change.after_sensitive, change.after_unknown, secrets),
  };
}

const byKindThenAddress = (a: ResourceEntry, b: ResourceEntry): number =>
  KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);

export function buildReviewModel(plan: PlanJson): PlanReviewModel {
  const secrets = collectSensitiveValues(plan);
  const all = (plan.resource_changes ?? []).map((rc) => entry(rc, undefined, secrets));
  // No-ops are only worth a line when something else happened to the object (moved, imported).
  const resources = all
    .filter((e) => e.kind !== 'no-op' || e.previousAddress !== undefined || e.importingId !== undefined)
    .sort(byKindThenAddress);
  const counts = new Map<string, CountRow>();
  for (const e of all) {
    const key = e.kind === 'other' ? `other:${e.actions.join(',')}` : e.kind;
    const row = counts.get(key);
    counts.set(key, { kind: e.kind, actions: e.actions.join(', '), count: (row?.count ?? 0) + 1 });
  }
  const countOf = (...kinds: ActionKind[]): number => all.filter((e) => kinds.includes(e.kind)).length;
  const replaced = countOf('replace-destroy-first', 'replace-create-first');
  return {
    terraformVersion: plan.terraform_version,
    errored: plan.errored === true,
    applyable: plan.applyable !== false,
    complete: plan.complete !== false,
    counts: [...counts.values()].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.actions.localeCompare(b.actions)),
    toAdd: countOf('create', 'replace-create-forget') + replaced,
    toChange: countOf('update'),
    toDestroy: countOf('delete') + replaced,
    toForget: countOf('forget', 'replace-create-forget'),
    resources,
    drift: (plan.resource_drift ?? []).map((rc) => entry(rc, 'drift', secrets)).sort((a, b) => (a.address < b.address ? -1 : 1)),
    outputs: Object.entries(plan.output_changes ?? {})
      .map(([name, change]) => outputEntry(name, change, secrets))
      .filter((o) => o.kind !== 'no-op')
      .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.name < b.name ? -1 : 1)),
  };
}

/** Nothing to apply: no resource action, no move or import, no output change (drift alone is still news). */
/**
 * What a review shows after its lead, in order: destroys and every replace form first, then drift,
 * then the other changes, then the outputs. Both renderers (Markdown, text) follow it.
 */
export type ReviewItem =
  | { readonly kind: 'resource'; readonly entry: ResourceEntry; readonly drift: boolean }
  | { readonly kind: 'outputs'; readonly outputs: readonly OutputEntry[] };

export function reviewItems(model: PlanReviewModel): ReviewItem[] {
  // A schema revision is surfaced with the destroys and replacements: it changes what consumers read.
  const first = (e: ResourceEntry): boolean => e.section === 'destroy' || e.section === 'other' || e.contractNotes.length > 0;
  const resource = (drift: boolean) => (entry: ResourceEntry): ReviewItem => ({ kind: 'resource', entry, drift });
  return [
    ...model.resources.filter(first).map(resource(false)),
    ...model.drift.map(resource(true)),
    ...model.resources.filter((e) => !first(e)).map(resource(false)),
    ...(model.outputs.length > 0 ? [{ kind: 'outputs' as const, outputs: model.outputs }] : []),
  ];
}

export function isNoOp(model: PlanReviewModel): boolean {
  return model.resources.length === 0 && model.outputs.length === 0;
}
