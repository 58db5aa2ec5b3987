/**
 * Topology spread for every Deployment the charts render — catalog workloads, canaries, the edge
 * proxies, the metrics adapter, and whatever a chart adds later: replicas spread over zones and
 * over nodes, so a zone outage or a node drain takes only a share of them.
 *
 * Zones are a hard rule (DoNotSchedule) where the environment has more than one: the cluster
 * autoscaler then adds a node in the zone that lacks a replica. With one zone (dev) the rule
 * could never be met for a second replica, so it is a preference (ScheduleAnyway), as nodes
 * always are (a small pool must still run every replica).
 */
import type { Construct } from 'constructs';
import { ApiObject, JsonPatch } from 'cdk8s';

export interface SpreadConstraint {
  readonly topologyKey: 'topology.kubernetes.io/zone' | 'kubernetes.io/hostname';
  readonly maxSkew: number;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
}

export function planSpread(zoneCount: number): SpreadConstraint[] {
  return [
    { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: zoneCount > 1 ? 'DoNotSchedule' : 'ScheduleAnyway' },
    { topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' },
  ];
}

/** Adds the constraints to every Deployment under `scope`, each selecting its own pods (and counting per rollout revision). */
export function spreadDeployments(scope: Construct, constraints: readonly SpreadConstraint[]): void {
  for (const node of scope.node.findAll()) {
    if (!ApiObject.isApiObject(node) || node.kind !== 'Deployment') continue;
    const matchLabels = (node.toJson() as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec?.selector?.matchLabels;
    if (!matchLabels) throw new Error(`${node.node.path}: a Deployment without spec.selector.matchLabels cannot be spread`);
    node.addJsonPatch(
      JsonPatch.add(
        '/spec/template/spec/topologySpreadConstraints',
        constraints.map((c) => ({ ...c, labelSelector: { matchLabels: { ...matchLabels } }, matchLabelKeys: ['pod-template-hash'] })),
      ),
    );
  }
}
