/**
 * Policy waivers: an environment accepts a rule's finding on one target, for a reason, until a
 * date. The policies report a waived finding as waived; an expired waiver is an error, and a
 * waiver that matches nothing is a warning (policies/waivers.ts). Whether `rule` names an
 * existing rule is checked against the policy suite when policies run (the catalog does not
 * import the policies).
 */
import { z } from 'zod';

/** `GKE003`, `K8S014`, `PUBSUB001`: an upper-case area (letters and digits), then three digits. */
export const RULE_ID = /^[A-Z][A-Z0-9]*?[0-9]{3}$/;

/** A Terraform address: `google_container_cluster.gke_cluster_C5D95197`, `data.google_iam_policy.x`, `terraform.backend`. */
const TERRAFORM_ADDRESS = /^(data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+$/;
/** A Kubernetes object `Kind/namespace/name` (`_cluster` for cluster-scoped), optionally `#container`. */
const KUBERNETES_ADDRESS = /^[A-Z][A-Za-z0-9]*\/[a-z0-9_][-a-z0-9_]*\/[a-z0-9][-a-z0-9.]*(#[a-z0-9][-a-z0-9]*)?$/;
/** A place in a rendered edge config: the file, then `#` or `:` and what the edge rule names. */
const EDGE_ADDRESS = /^(nginx\.conf|kong\.yml|gateway-routes\.json)[#:]\S.*$/;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date written YYYY-MM-DD', abort: true })
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, 'is not a calendar date');

export const WaiverSchema = z.strictObject({
  rule: z.string().regex(RULE_ID, 'must be a policy rule id like "GKE003" (README, "Policies")'),
  target: z
    .string()
    .refine(
      (t) => TERRAFORM_ADDRESS.test(t) || KUBERNETES_ADDRESS.test(t) || EDGE_ADDRESS.test(t),
      'must be a Terraform address (google_container_cluster.gke_cluster_C5D95197) or a Kubernetes Kind/namespace/name[#container], as the finding names it',
    ),
  reason: z.string().trim().min(20, 'say why the rule does not apply here and what ends the waiver (at least 20 characters)'),
  expires: isoDate,
});
export type Waiver = z.infer<typeof WaiverSchema>;
