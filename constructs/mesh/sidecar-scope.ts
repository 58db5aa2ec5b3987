/**
 * A namespace's default Sidecar: its workloads' proxies are configured only for the hosts the
 * catalog says they call (and the mesh's control plane), not for every service of the cluster —
 * less configuration pushed and held per proxy, and a call the catalog does not declare finds no
 * mesh route (a STRICT callee then refuses its plaintext).
 */
import { Construct } from 'constructs';
import { Sidecar } from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import type { SidecarPlan } from './mesh-plan.ts';
import { istioObject } from './istio-object.ts';

export class SidecarScope extends Construct {
  constructor(scope: Construct, id: string, plan: SidecarPlan) {
    super(scope, id);
    istioObject(this, 'sidecar', new Sidecar({ metadata: { name: 'default', namespace: plan.namespace }, spec: { egress: [{ hosts: [...plan.hosts] }] } }));
  }
}
