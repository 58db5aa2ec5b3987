/**
 * The scopes a rule walks: each Terraform resource of some types, each pod template, each
 * container. A rule states what it judges per item and returns the problems; these turn them
 * into findings aimed at the right address (`type.name`, `Kind/ns/name`, `Kind/ns/name#container`).
 */
import { get, kubernetesAddress, podSpecOf, type CatalogRef, type EnvironmentArtifacts, type Finding, type KubernetesObject, type Rule, type TerraformResource } from './engine.ts';

/** What is wrong and how to fix it, for one item. */
export interface Problem {
  readonly message: string;
  readonly remediation: string;
}

/** A problem, several, or undefined when the item complies. */
export type Judged = Problem | readonly Problem[] | undefined;
type RuleFinding = Omit<Finding, 'ruleId' | 'severity'>;

function asList(judged: Judged): readonly Problem[] {
  if (judged === undefined) return [];
  return Array.isArray(judged) ? (judged as readonly Problem[]) : [judged as Problem];
}

/**
 * Judges every resource of the given types (a list, or a test on the type). `catalog` names the catalog entry behind a resource
 * (by default its `name` attribute: a pool, topic or subscription name).
 */
export function eachResource(
  types: readonly string[] | ((type: string) => boolean),
  judge: (resource: TerraformResource, artifacts: EnvironmentArtifacts) => Judged,
  catalog: (resource: TerraformResource) => CatalogRef | undefined = (r) =>
    typeof r.values.name === 'string' ? { name: r.values.name } : undefined,
): Rule['check'] {
  return (artifacts) =>
    artifacts.terraform.resources
      .filter((r) => (typeof types === 'function' ? types(r.type) : types.includes(r.type)))
      .flatMap((r): RuleFinding[] => {
        const ref = catalog(r);
        return asList(judge(r, artifacts)).map((p) => ({
          target: { env: artifacts.env, file: artifacts.terraform.file, address: r.address },
          ...p,
          ...(ref ? { catalog: ref } : {}),
        }));
      });
}

export interface PodScope {
  readonly file: string;
  readonly object: KubernetesObject;
  /** The pod spec (of a Pod, or the template of a Deployment, Job, CronJob, …). */
  readonly pod: unknown;
}

/** Judges every object that runs pods, once per pod template. */
export function eachPod(judge: (scope: PodScope, artifacts: EnvironmentArtifacts) => Judged): Rule['check'] {
  return (artifacts) =>
    artifacts.kubernetes.flatMap(({ file, object }): RuleFinding[] => {
      const pod = podSpecOf(object);
      if (pod === undefined) return [];
      return asList(judge({ file, object, pod }, artifacts)).map((p) => ({
        target: { env: artifacts.env, file, address: kubernetesAddress(object) },
        ...p,
      }));
    });
}

export interface ContainerScope extends PodScope {
  readonly container: unknown;
  readonly name: string;
}

/** `containers` only, or init containers too (they run with the same privileges, briefly). */
export type ContainerSet = 'containers' | 'containers-and-init';

export function containersOf(pod: unknown, set: ContainerSet): unknown[] {
  const list = (key: string): unknown[] => {
    const value = get(pod, key);
    return Array.isArray(value) ? value : [];
  };
  return set === 'containers' ? list('containers') : [...list('initContainers'), ...list('containers')];
}

/** Judges every container of every pod template; findings name `Kind/ns/name#container`. */
export function eachContainer(
  set: ContainerSet,
  judge: (scope: ContainerScope, artifacts: EnvironmentArtifacts) => Judged,
  only: (object: KubernetesObject) => boolean = () => true,
): Rule['check'] {
  return (artifacts) =>
    artifacts.kubernetes.flatMap(({ file, object }): RuleFinding[] => {
      const pod = podSpecOf(object);
      if (pod === undefined || !only(object)) return [];
      return containersOf(pod, set).flatMap((container) => {
        const name = String(get(container, 'name'));
        return asList(judge({ file, object, pod, container, name }, artifacts)).map((p) => ({
          target: { env: artifacts.env, file, address: `${kubernetesAddress(object)}#${name}` },
          ...p,
        }));
      });
    });
}
