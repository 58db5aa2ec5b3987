/**
 * Availability through voluntary disruptions (node drains, upgrades, autoscaler scale-down) and
 * zone or node loss: a PodDisruptionBudget that lets a drain proceed, production autoscalers
 * that never go below two replicas, and replicas spread over zones and nodes.
 */
import { get, kubernetesAddress, type KubernetesObject, type Rule } from '../engine.ts';
import { eachPod, type Problem } from '../rule-scopes.ts';
import { matchLabelsOf, podLabelsOf, selects, type Labels } from '../pod-selection.ts';

/** Controllers whose replica count a PDB and an HPA reason about. */
const REPLICATED = new Set(['Deployment', 'StatefulSet']);

/** The replica count a workload can sit at: its HPA's minimum (default 1) when one scales it, else spec.replicas (default 1). */
function lowestReplicas(workload: KubernetesObject, objects: readonly KubernetesObject[]): { count: number; from: string } {
  const hpa = objects.find(
    (o) =>
      o.kind === 'HorizontalPodAutoscaler' &&
      o.metadata.namespace === workload.metadata.namespace &&
      get(o, 'spec', 'scaleTargetRef', 'kind') === workload.kind &&
      get(o, 'spec', 'scaleTargetRef', 'name') === workload.metadata.name,
  );
  if (hpa) return { count: Number(get(hpa, 'spec', 'minReplicas') ?? 1), from: `HPA ${hpa.metadata.name} minReplicas` };
  return { count: Number(get(workload, 'spec', 'replicas') ?? 1), from: 'replicas' };
}

/** `3` or `"25%"` of `total`, rounded up as the disruption controller rounds both fields. */
function resolve(value: unknown, total: number): number | undefined {
  if (typeof value === 'number') return value;
  const m = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  return m ? Math.ceil((Number(m[1]) * total) / 100) : undefined;
}

/** How many pods the budget lets a drain evict when `replicas` are healthy; undefined when it sets no policy. */
export function evictionsAllowed(pdb: KubernetesObject, replicas: number): number | undefined {
  const maxUnavailable = resolve(get(pdb, 'spec', 'maxUnavailable'), replicas);
  if (maxUnavailable !== undefined) return Math.min(maxUnavailable, replicas);
  const minAvailable = resolve(get(pdb, 'spec', 'minAvailable'), replicas);
  return minAvailable === undefined ? undefined : Math.max(0, replicas - minAvailable);
}

function budgetsFor(labels: Labels, namespace: string | undefined, objects: readonly KubernetesObject[]): KubernetesObject[] {
  return objects.filter((o) => {
    if (o.kind !== 'PodDisruptionBudget' || o.metadata.namespace !== namespace) return false;
    const selector = matchLabelsOf(get(o, 'spec', 'selector'));
    return selector !== undefined && Object.keys(selector).length > 0 && selects(selector, labels);
  });
}

export const disruptionBudget: Rule = {
  id: 'K8S017',
  severity: 'error',
  description: 'Every Deployment has a PodDisruptionBudget that allows at least one eviction at its lowest replica count (the HPA minimum)',
  rationale:
    'Without a budget a node drain may evict every replica at once; with one that allows no eviction at the replica count the autoscaler can settle on (minAvailable equal to the HPA minimum, maxUnavailable 0), node upgrades and scale-downs stall until someone deletes pods by hand.',
  remediation: 'give the workload a PodDisruptionBudget selecting its pods with maxUnavailable: 1 (the platform\'s constructs do)',
  equivalents: {
    kubeScore: ['deployment-has-poddisruptionbudget', 'poddisruptionbudget-has-policy'],
    polaris: ['missingPodDisruptionBudget', 'pdbDisruptionsIsZero', 'pdbMinAvailableGreaterThanHPAMinReplicas'],
    kyverno: ['require-pdb', 'pdb-maxunavailable'],
  },
  catalogKeys: ['autoscaling', 'services'],
  check: (artifacts) => {
    const objects = artifacts.kubernetes.map((k) => k.object);
    return eachPod(({ object }) => {
      if (!REPLICATED.has(object.kind)) return undefined;
      const labels = podLabelsOf(object) ?? {};
      const budgets = budgetsFor(labels, object.metadata.namespace, objects);
      if (budgets.length === 0) {
        return { message: 'no PodDisruptionBudget selects its pods: a drain may evict every replica at once', remediation: 'add a PodDisruptionBudget with maxUnavailable: 1 selecting its pods' };
      }
      const lowest = lowestReplicas(object, objects);
      return budgets.flatMap((pdb): Problem[] => {
        const allowed = evictionsAllowed(pdb, lowest.count);
        if (allowed === undefined) {
          return [{ message: `PodDisruptionBudget ${pdb.metadata.name} sets neither minAvailable nor maxUnavailable`, remediation: 'set maxUnavailable: 1' }];
        }
        return allowed >= 1
          ? []
          : [
              {
                message: `PodDisruptionBudget ${pdb.metadata.name} allows no eviction at ${lowest.count} replica(s) (${lowest.from}): a node drain would wait forever`,
                remediation: 'use maxUnavailable: 1, or a minAvailable below the HPA minimum',
              },
            ];
      });
    })(artifacts);
  },
};

export const productionReplicas: Rule = {
  id: 'K8S018',
  severity: 'error',
  description: 'Production autoscalers keep at least two replicas (minReplicas ≥ 2)',
  rationale:
    'One replica is one node drain, one zone outage or one crash away from an outage: the budget that lets the drain proceed then takes the service down with it.',
  remediation: 'raise the service\'s autoscaling.minReplicas in the production catalog (the catalog rejects less)',
  equivalents: { kubeScore: ['horizontalpodautoscaler-replicas'], polaris: ['hpaMinAvailability'] },
  catalogKeys: ['autoscaling', 'overrides'],
  check: ({ env, tier, kubernetes }) => {
    // An environment missing from the catalog is judged as production.
    if (tier !== undefined && tier !== 'production') return [];
    return kubernetes
      .filter(({ object }) => object.kind === 'HorizontalPodAutoscaler')
      .flatMap(({ file, object }) => {
        const min = Number(get(object, 'spec', 'minReplicas') ?? 1);
        return min >= 2
          ? []
          : [
              {
                target: { env, file, address: kubernetesAddress(object) },
                message: `minReplicas is ${min} in a production environment`,
                remediation: 'set autoscaling.minReplicas ≥ 2 for this service in the production catalog',
                catalog: { name: String(get(object, 'spec', 'scaleTargetRef', 'name')) },
              },
            ];
      });
  },
};

const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';

export const topologySpread: Rule = {
  id: 'K8S019',
  severity: 'error',
  description: 'Deployments spread their replicas over zones and nodes (topologySpreadConstraints selecting their own pods)',
  rationale:
    'The scheduler packs replicas where resources are free: without spread constraints every replica can land on one node or in one zone, and a single node or zone failure takes the whole service down despite its replica count.',
  remediation: `add topologySpreadConstraints on ${ZONE} and ${HOSTNAME}, maxSkew 1, each selecting the Deployment's own pods`,
  equivalents: { kubeScore: ['pod-topology-spread-constraints'], polaris: ['topologySpreadConstraint'] },
  check: eachPod(({ object, pod }) => {
    if (object.kind !== 'Deployment') return undefined;
    const labels = podLabelsOf(object) ?? {};
    const constraints = get(pod, 'topologySpreadConstraints');
    const spreadsOver = (key: string): boolean =>
      (Array.isArray(constraints) ? constraints : []).some((c) => {
        const selector = matchLabelsOf(get(c, 'labelSelector'));
        return get(c, 'topologyKey') === key && selector !== undefined && Object.keys(selector).length > 0 && selects(selector, labels);
      });
    return [ZONE, HOSTNAME]
      .filter((key) => !spreadsOver(key))
      .map((key) => ({
        message: `no topology spread constraint on ${key} selects its pods`,
        remediation: `add a topologySpreadConstraint with topologyKey ${key}, maxSkew 1 and a labelSelector matching the pod template`,
      }));
  }),
};

export const WORKLOAD_AVAILABILITY_RULES: readonly Rule[] = [disruptionBudget, productionReplicas, topologySpread];
