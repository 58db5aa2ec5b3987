/**
 * Every policy rule, in report order. Add a rule here and it runs in `npm start` and `check`,
 * appears in every report format and in the README table (test/policies/readme.test.ts).
 * Ids are numbered by area and never reused (see `Rule` in engine.ts).
 */
import type { Rule } from './engine.ts';
import { GKE_CLUSTER_ACCESS_RULES } from './rules/gke-cluster-access.ts';
import { GKE_CLUSTER_FEATURE_RULES } from './rules/gke-cluster-features.ts';
import { GKE_NODE_POOL_RULES } from './rules/gke-node-pools.ts';
import { GKE_GPU_POOL_RULES } from './rules/gke-gpu-pools.ts';
import { IAM_GRANT_RULES } from './rules/iam-grants.ts';
import { noWorldAdminPorts } from './rules/firewall-admin-ports.ts';
import { remoteStateInProduction } from './rules/state-backend.ts';
import { deadLettersKept } from './rules/pubsub-dead-letters.ts';
import { ARTIFACT_REGISTRY_RULES } from './rules/artifact-registry.ts';
import { containerResources } from './rules/container-resources.ts';
import { gpuIsolation } from './rules/gpu-isolation.ts';
import { hpaTarget } from './rules/hpa-target.ts';
import { containerProbes } from './rules/container-probes.ts';
import { SECURITY_CONTEXT_RULES } from './rules/container-security-context.ts';
import { HOST_ACCESS_RULES } from './rules/pod-host-access.ts';
import { IMAGE_RULES } from './rules/container-images.ts';
import { noAutomountedToken } from './rules/service-account-token.ts';
import { EDGE_RULES } from './rules/edge-rules.ts';
import { PUBLIC_ENTRY_RULES } from './rules/public-entry-armor.ts';
import { WORKLOAD_AVAILABILITY_RULES } from './rules/workload-availability.ts';
import { ingressIsolated } from './rules/network-isolation.ts';
import { MESH_RULES } from './rules/mesh-policies.ts';
import { SLO_RULES } from './rules/slo-alerting.ts';
import { EVENT_CONTRACT_RULES } from './rules/event-contracts.ts';
import { OBSERVABILITY_SINK_RULES } from './rules/observability-log-sinks.ts';
import { tracesToOwnCollector } from './rules/observability-trace-export.ts';

const byId = (a: Rule, b: Rule): number => a.id.localeCompare(b.id, 'en', { numeric: true });

export const RULES: readonly Rule[] = [
  ...[...GKE_CLUSTER_ACCESS_RULES, ...GKE_CLUSTER_FEATURE_RULES, ...GKE_NODE_POOL_RULES, ...GKE_GPU_POOL_RULES].sort(byId),
  ...IAM_GRANT_RULES,
  noWorldAdminPorts,
  remoteStateInProduction,
  deadLettersKept,
  ...ARTIFACT_REGISTRY_RULES,
  ...[containerResources, gpuIsolation, hpaTarget, containerProbes, ...SECURITY_CONTEXT_RULES, ...HOST_ACCESS_RULES, ...IMAGE_RULES, noAutomountedToken, ...WORKLOAD_AVAILABILITY_RULES, ingressIsolated].sort(byId),
  ...EDGE_RULES,
  ...PUBLIC_ENTRY_RULES,
  ...MESH_RULES,
  ...SLO_RULES,
  ...EVENT_CONTRACT_RULES,
  ...OBSERVABILITY_SINK_RULES,
  tracesToOwnCollector,
];
