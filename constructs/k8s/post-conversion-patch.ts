/**
 * JSON patches applied AFTER an L1 object's converter. cdk8s applies `addJsonPatch` before an
 * L1 class converts its props, and cdk8s-plus-28's converters copy only the fields of Kubernetes
 * 1.28 — so a newer field (the preStop `sleep` action, GA in 1.34, on by default since 1.30) is
 * silently dropped. Patches given here are applied to the converted JSON instead; the manifest
 * tests validate the result against the current Kubernetes schema.
 */
import { ApiObject, JsonPatch } from 'cdk8s';

const PATCHES = new WeakMap<ApiObject, JsonPatch[]>();

export function addPostConversionPatch(object: ApiObject, ...ops: JsonPatch[]): void {
  const existing = PATCHES.get(object);
  if (existing) {
    existing.push(...ops);
    return;
  }
  const patches = [...ops];
  PATCHES.set(object, patches);
  const convert = object.toJson.bind(object);
  // Synthesis (App.synth, Chart.toJson, Testing.synth) reads each object through toJson.
  object.toJson = (): unknown => JsonPatch.apply(convert(), ...patches);
}
