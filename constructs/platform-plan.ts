/**
 * The one derived plan every layer renders from (DESIGN.md §2): a pure function of the
 * validated Environment. infra/, charts/ and the edge renderers read this, never raw catalog.
 */
import type { Environment } from '../environments/schema.ts';
import { planNodes, type NodePlan } from './gcp/node-plan.ts';
import { planWorkloads, type WorkloadsPlan } from './k8s/workload-plan.ts';
import { planRoutes, type RoutePlan } from './edge/route-plan.ts';
import { planEvents, type TopicPlan } from './events/event-plan.ts';
import { planEdge, type EdgePlan } from './edge/edge-plan.ts';
import { planClusterAddons, type ClusterAddonsPlan } from './k8s/cluster-addons-plan.ts';
import { planObservability, type ObservabilityPlan } from './observability/slo-plan.ts';
import { planTelemetry, type TelemetryPlan } from './observability/telemetry-plan.ts';

export interface PlatformPlan {
  readonly env: Environment;
  readonly nodes: NodePlan;
  readonly workloads: WorkloadsPlan;
  readonly routes: readonly RoutePlan[];
  readonly events: readonly TopicPlan[];
  readonly edge: EdgePlan;
  readonly addons: ClusterAddonsPlan;
  /** Objectives, their SLIs and alert routing (slo-plan.ts); traces and kept access logs (telemetry-plan.ts). */
  readonly observability: ObservabilityPlan & TelemetryPlan;
}

export function derivePlan(env: Environment): PlatformPlan {
  const routes = planRoutes(env);
  const edge = planEdge(env, routes);
  return {
    env,
    nodes: planNodes(env),
    workloads: planWorkloads(env),
    routes,
    events: planEvents(env),
    edge,
    addons: planClusterAddons(env),
    observability: { ...planObservability(env, routes, edge), ...planTelemetry(env) },
  };
}
