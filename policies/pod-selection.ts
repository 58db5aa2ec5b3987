/**
 * Which objects select which pods, as Kubernetes and Istio match them: `matchLabels` selectors
 * (Deployments, PDBs, NetworkPolicies, Istio's workload selectors) and Service selectors, over
 * the pod templates of the synthesized objects. `matchExpressions` are not matched: a selector
 * that uses them selects nothing here, so rules built on this err towards reporting.
 */
import { get, podSpecOf, type KubernetesObject } from './engine.ts';

export type Labels = Readonly<Record<string, string>>;

/** The string entries of a label map (anything else in it is ignored). */
export function labelsOf(value: unknown): Labels {
  return value !== null && typeof value === 'object'
    ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};
}

/** A label selector's `matchLabels`; undefined when it has `matchExpressions` (not evaluated here). */
export function matchLabelsOf(selector: unknown): Labels | undefined {
  const expressions = get(selector, 'matchExpressions');
  if (Array.isArray(expressions) && expressions.length > 0) return undefined;
  return labelsOf(get(selector, 'matchLabels'));
}

/** Every label of the selector is on the pod (an empty selector selects every pod). */
export function selects(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The labels of the pods an object runs, or undefined for objects that run none. */
export function podLabelsOf(o: KubernetesObject): Labels | undefined {
  if (podSpecOf(o) === undefined) return undefined;
  if (o.kind === 'Pod') return labelsOf(get(o, 'metadata', 'labels'));
  if (o.kind === 'CronJob') return labelsOf(get(o, 'spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'));
  return labelsOf(get(o, 'spec', 'template', 'metadata', 'labels'));
}

/** The pod-running objects of a namespace, each with its pod labels. */
export function podsIn(objects: readonly KubernetesObject[], namespace: string | undefined): { object: KubernetesObject; labels: Labels }[] {
  return objects.flatMap((object) => {
    const labels = object.metadata.namespace === namespace ? podLabelsOf(object) : undefined;
    return labels ? [{ object, labels }] : [];
  });
}
