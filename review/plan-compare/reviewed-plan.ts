/**
 * The reviewed plan's record: what a pull request's plan job keeps (as an artifact, and its
 * identity in the plan comment's hidden marker) so that the deploy on main can check that it
 * applies exactly that. `{ format, stack, commit, digest, changes }` — the normalised changes
 * (normalised-plan.ts: no sensitive value in it), their digest, the stack and the commit that
 * was planned. No credential, no raw plan.
 *
 * plan-compare reads either this record or a plan JSON (`terraform show -json`), told apart by
 * their shape; both pass through zod.
 */
import { z } from 'zod';
import { parsePlanJson, PlanJsonError } from '../plan-review/plan-json.ts';
import { changesDigest, normalisePlan, type NormalisedChange } from './normalised-plan.ts';

export const RECORD_FORMAT = 'platform-reviewed-plan/1';

const Attribute = z.strictObject({
  path: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  forcesReplacement: z.boolean(),
});
const NormalisedChangeSchema = z.strictObject({
  address: z.string().min(1),
  actions: z.array(z.string()).min(1),
  attributes: z.array(Attribute),
});

export const ReviewedPlanRecord = z.strictObject({
  format: z.literal(RECORD_FORMAT),
  stack: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a stack name'),
  commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a commit SHA'),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex digits>'),
  /** Why the plan job did not run terraform for this stack, when it did not (its changes are then []). */
  skipped: z.string().optional(),
  changes: z.array(NormalisedChangeSchema),
});
export type ReviewedPlanRecord = z.infer<typeof ReviewedPlanRecord>;

export function makeRecord(stack: string, commit: string, changes: readonly NormalisedChange[], skipped?: string): ReviewedPlanRecord {
  return ReviewedPlanRecord.parse({ format: RECORD_FORMAT, stack, commit, digest: changesDigest(changes), ...(skipped ? { skipped } : {}), changes });
}

/** The hidden marker a plan comment carries: the reviewed plan's identity, nothing else. */
export function identityMarker(r: ReviewedPlanRecord): string {
  return `<!-- platform-reviewed-plan ${JSON.stringify({ stack: r.stack, commit: r.commit, digest: r.digest })} -->`;
}

export class PlanInputError extends Error {
  override name = 'PlanInputError';
}

export interface ComparablePlan {
  readonly file: string;
  readonly changes: readonly NormalisedChange[];
  readonly digest: string;
  /** Present when the input was a record. */
  readonly record?: ReviewedPlanRecord;
}

const formatPath = (path: readonly PropertyKey[]): string => path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '');

/** A plan JSON or a reviewed-plan record, from its text; `file` names it in messages. */
export function readComparablePlan(text: string, file: string): ComparablePlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // parsePlanJson says what a binary plan or a non-JSON file is.
    try {
      parsePlanJson(text, file);
    } catch (err) {
      throw new PlanInputError((err as Error).message);
    }
    throw new PlanInputError(`${file}: not JSON`);
  }
  if (raw !== null && typeof raw === 'object' && 'format' in raw) {
    const result = ReviewedPlanRecord.safeParse(raw);
    if (!result.success) {
      throw new PlanInputError(result.error.issues.map((i) => `${file}: ${formatPath(i.path) || '(top level)'}: ${i.message}`).join('\n'));
    }
    const record = result.data;
    const digest = changesDigest(record.changes);
    if (digest !== record.digest) throw new PlanInputError(`${file}: digest: ${record.digest} does not match its changes (${digest}); the record was altered`);
    return { file, changes: record.changes, digest, record };
  }
  try {
    const changes = normalisePlan(parsePlanJson(text, file));
    return { file, changes, digest: changesDigest(changes) };
  } catch (err) {
    if (err instanceof PlanJsonError) throw new PlanInputError(err.message);
    throw err;
  }
}
