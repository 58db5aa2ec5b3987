/** The words both renderers use (Markdown escapes them; the terminal prints them as they are). */
import { ACTION_KINDS, type ActionKind, type PlanReviewModel, type ResourceEntry } from './review-model.ts';

export type ValueColumns = 'before' | 'after' | 'both';

/** Which sides of a change are worth showing: a create has no before, a delete no after. */
export function valueColumns(kind: ActionKind): ValueColumns {
  switch (kind) {
    case 'create':
    case 'read':
      return 'after';
    case 'delete':
    case 'forget':
      return 'before';
    default:
      return 'both';
  }
}

export function actionLabel(kind: ActionKind, actions: readonly string[]): string {
  return kind === 'other' ? `unrecognized action: ${actions.join(', ')}` : ACTION_KINDS[kind].label;
}

/** `resource_drift` holds what refresh found, not what apply will do. */
export function driftLabel(e: ResourceEntry): string {
  switch (e.kind) {
    case 'update':
      return 'changed outside Terraform';
    case 'delete':
      return 'deleted outside Terraform';
    default:
      return `outside Terraform: ${e.actions.join(', ')}`;
  }
}

/** "2 to add, 1 to change, 3 to destroy (2 replaced), 1 to forget" — Terraform's own tally. */
export function planSummary(model: PlanReviewModel): string {
  const replaced = model.counts
    .filter((c) => c.kind === 'replace-destroy-first' || c.kind === 'replace-create-first')
    .reduce((n, c) => n + c.count, 0);
  const parts = [
    `${model.toAdd} to add`,
    `${model.toChange} to change`,
    `${model.toDestroy} to destroy${replaced > 0 ? ` (${replaced} of them replaced)` : ''}`,
  ];
  if (model.toForget > 0) parts.push(`${model.toForget} to forget`);
  const other = model.counts.filter((c) => c.kind === 'other').reduce((n, c) => n + c.count, 0);
  if (other > 0) parts.push(`${other} with unrecognized actions`);
  return parts.join(', ');
}
