/**
 * What a plan means for topic contracts, in words a reviewer cannot miss: a new revision of a
 * Pub/Sub schema, a topic whose schema settings change, and a topic that is destroyed or
 * replaced (its subscriptions' backlog goes with it). Pure.
 */
import type { ResourceChange } from './plan-json.ts';
import type { ActionKind } from './review-model.ts';

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;

const REPLACED: readonly ActionKind[] = ['replace-destroy-first', 'replace-create-first', 'replace-create-forget'];

function resourceType(rc: ResourceChange): string {
  if (rc.type !== undefined) return rc.type;
  const parts = rc.address.replace(/\[[^\]]*\]$/, '').split('.');
  return parts[parts.length - 2] ?? '';
}

export function contractNotes(rc: ResourceChange, kind: ActionKind): string[] {
  const type = resourceType(rc);
  const { before, after } = rc.change;
  const name = String(field(after, 'name') ?? field(before, 'name') ?? rc.address);
  if (type === 'google_pubsub_schema') {
    if (kind === 'update' && field(before, 'definition') !== field(after, 'definition')) {
      return [`commits a new revision of schema "${name}" (in place; Pub/Sub keeps at most 20 revisions): run \`npm run diff\` for whether it is compatible both ways`];
    }
    if (REPLACED.includes(kind) || kind === 'delete') {
      return [`the contract "${name}" is ${kind === 'delete' ? 'deleted' : 'recreated'}: its revision history goes with it, and topics naming it lose their schema meanwhile`];
    }
    return [];
  }
  if (type === 'google_pubsub_topic') {
    if (REPLACED.includes(kind) || kind === 'delete') {
      return [`${kind === 'delete' ? 'deleting' : 'replacing'} topic "${name}" detaches its subscriptions: their backlog (undelivered messages) is lost`];
    }
    if (kind === 'update' && JSON.stringify(field(before, 'schema_settings')) !== JSON.stringify(field(after, 'schema_settings'))) {
      return [`the schema settings of topic "${name}" change: publishers are checked against a different contract from this apply on`];
    }
  }
  return [];
}
