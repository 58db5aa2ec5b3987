/**
 * Istio objects are built with the @kubernetes-models/istio classes (typed fields, and the CRD
 * schema checked at synth time) and added to a chart as plain ApiObjects.
 */
import type { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';

interface IstioModel {
  validate(): void;
  toJSON(): unknown;
}

export function istioObject(scope: Construct, id: string, model: IstioModel): ApiObject {
  model.validate();
  // toJSON() is the model's own plain-object form: apiVersion, kind, metadata, spec.
  return new ApiObject(scope, id, model.toJSON() as ConstructorParameters<typeof ApiObject>[2]);
}
