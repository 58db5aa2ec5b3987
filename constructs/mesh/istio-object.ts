/**
 * Istio objects are built with the @kubernetes-models/istio classes (typed fields) and added to a
 * chart as plain ApiObjects. Their CRD schemas are checked in the tests, on every object of every
 * environment (test/charts/manifest-validators.ts), not at synth time: compiling those schemas
 * cost a fifth of a synth.
 */
import type { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';

interface IstioModel {
  toJSON(): unknown;
}

export function istioObject(scope: Construct, id: string, model: IstioModel): ApiObject {
  // toJSON() is the model's own plain-object form: apiVersion, kind, metadata, spec.
  return new ApiObject(scope, id, model.toJSON() as ConstructorParameters<typeof ApiObject>[2]);
}
