/**
 * IAM grants: no basic roles and nothing granted to the public, in every form Terraform has for
 * a grant — `*_iam_member`, `*_iam_binding`, `*_iam_policy` with literal JSON, and
 * `data.google_iam_policy` documents.
 */
import { get, type EnvironmentArtifacts, type Finding, type Rule, type TerraformResource } from '../engine.ts';
import type { Problem } from '../rule-scopes.ts';

interface Grant {
  readonly resource: TerraformResource;
  readonly role: string;
  readonly member: string;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
}

/** `{ bindings: [{ role, members }] }` from an IAM policy JSON document, or nothing if it is a reference. */
function policyBindings(policyData: unknown): { role: string; members: string[] }[] {
  if (typeof policyData !== 'string' || !policyData.trim().startsWith('{')) return [];
  try {
    const bindings = get(JSON.parse(policyData), 'bindings');
    return (Array.isArray(bindings) ? bindings : []).map((b) => ({ role: String(get(b, 'role')), members: strings(get(b, 'members')) }));
  } catch {
    return []; // not JSON after all (an interpolation): the referenced document is judged where it is declared
  }
}

export function iamGrants({ terraform }: EnvironmentArtifacts): Grant[] {
  const grants: Grant[] = [];
  for (const r of terraform.resources) {
    if (r.type.endsWith('_iam_member')) {
      for (const member of strings(r.values.member)) grants.push({ resource: r, role: String(r.values.role), member });
    } else if (r.type.endsWith('_iam_binding')) {
      for (const member of strings(r.values.members)) grants.push({ resource: r, role: String(r.values.role), member });
    } else if (r.type.endsWith('_iam_policy')) {
      for (const b of policyBindings(r.values.policy_data)) for (const member of b.members) grants.push({ resource: r, role: b.role, member });
    }
  }
  for (const d of terraform.dataSources ?? []) {
    if (d.type !== 'google_iam_policy') continue;
    const bindings = d.values.binding;
    for (const b of Array.isArray(bindings) ? bindings : bindings === undefined ? [] : [bindings]) {
      for (const member of strings(get(b, 'members'))) grants.push({ resource: d, role: String(get(b, 'role')), member });
    }
  }
  return grants;
}

function grantFindings(artifacts: EnvironmentArtifacts, judge: (g: Grant) => Problem | undefined): Omit<Finding, 'ruleId' | 'severity'>[] {
  return iamGrants(artifacts).flatMap((g) => {
    const problem = judge(g);
    return problem ? [{ target: { env: artifacts.env, file: artifacts.terraform.file, address: g.resource.address }, ...problem }] : [];
  });
}

const BASIC_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];

export const noBasicRoles: Rule = {
  id: 'IAM001',
  severity: 'error',
  description: 'No IAM grant uses a basic role (owner, editor, viewer)',
  rationale:
    'Basic roles predate IAM: each spans thousands of permissions across every service in the project, so a grant meant for one task hands over (or exposes) everything.',
  remediation: 'grant the predefined role for the task (e.g. roles/pubsub.publisher) on the narrowest resource',
  equivalents: { checkov: ['CKV_GCP_115', 'CKV_GCP_116', 'CKV_GCP_117'] },
  check: (artifacts) =>
    grantFindings(artifacts, (g) =>
      BASIC_ROLES.includes(g.role)
        ? { message: `grants the basic role ${g.role} to ${g.member}`, remediation: 'replace it with a predefined role scoped to the task' }
        : undefined,
    ),
};

const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];

export const noPublicGrants: Rule = {
  id: 'IAM002',
  severity: 'error',
  description: 'Nothing is granted to allUsers or allAuthenticatedUsers',
  rationale:
    'allUsers is anyone on the internet and allAuthenticatedUsers is anyone with any Google account: either makes the resource public (topics, registries, buckets).',
  remediation: 'grant the role to the service accounts or groups that need it',
  equivalents: { checkov: ['CKV_GCP_28', 'CKV_GCP_99', 'CKV_GCP_101'] },
  check: (artifacts) =>
    grantFindings(artifacts, (g) =>
      PUBLIC_MEMBERS.includes(g.member)
        ? { message: `grants ${g.role} to ${g.member}: the resource is public`, remediation: 'grant it to named service accounts or groups instead' }
        : undefined,
    ),
};

export const IAM_GRANT_RULES: readonly Rule[] = [noBasicRoles, noPublicGrants];
