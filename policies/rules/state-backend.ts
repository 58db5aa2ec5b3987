/**
 * Terraform state of production-tier environments lives in GCS.
 *
 * The tier is not in the synthesized JSON, so it comes from the catalog (the same place waivers
 * come from; `EnvironmentArtifacts.tier`). The google provider's `default_labels.env` would only
 * give the environment's name, and inferring "production" from a name would make the rule as
 * good as a naming convention. An environment missing from the catalog is judged as production.
 */
import type { Rule } from '../engine.ts';

export const STATE_BACKEND_ADDRESS = 'terraform.backend';

export const remoteStateInProduction: Rule = {
  id: 'IAM004',
  severity: 'error',
  description: 'Production-tier environments keep Terraform state in a GCS backend',
  rationale:
    'Local state lives on one laptop or runner: it is lost with it, cannot be locked against a concurrent apply, and holds resource attributes (some sensitive) outside any access control.',
  remediation: 'set gcp.stateBucket in the environment (a versioned GCS bucket); the stack then uses the gcs backend',
  equivalents: {},
  catalogKeys: ['stateBucket', 'gcp'],
  check: ({ env, tier, terraform }) => {
    if (tier !== undefined && tier !== 'production') return [];
    const kind = Object.keys(terraform.backend ?? {})[0];
    if (kind === 'gcs') return [];
    return [
      {
        target: { env, file: terraform.file, address: STATE_BACKEND_ADDRESS },
        message: `${tier === undefined ? 'environment not in the catalog, judged as production: ' : ''}Terraform state uses the ${kind ?? 'local'} backend`,
        remediation: 'set gcp.stateBucket in the environment so the stack uses the gcs backend',
      },
    ];
  },
};
