/** Artifact Registry: what a deployed image reference means must not change after the deploy. */
import type { Rule } from '../engine.ts';
import { block, get } from '../engine.ts';
import { eachResource } from '../rule-scopes.ts';

export const immutableTags: Rule = {
  id: 'REG001',
  severity: 'error',
  description: 'Docker repositories in Artifact Registry have immutable tags',
  rationale:
    'A tag that can be moved or deleted makes a pinned reference (orders-api:1.8.2) mean a different image tomorrow: a rollback deploys something else, and an audit cannot say what ran.',
  remediation: 'set docker_config.immutable_tags = true on the google_artifact_registry_repository',
  equivalents: {},
  catalogKeys: ['gcp'],
  check: eachResource(
    ['google_artifact_registry_repository'],
    (r) =>
      r.values.format !== 'DOCKER' || get(block(r.values.docker_config), 'immutable_tags') === true
        ? undefined
        : { message: `repository ${JSON.stringify(r.values.repository_id)} lets tags move`, remediation: 'set docker_config.immutable_tags = true' },
    () => undefined,
  ),
};

export const ARTIFACT_REGISTRY_RULES: readonly Rule[] = [immutableTags];
