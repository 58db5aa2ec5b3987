/**
 * The cdktf app: per environment the stacks infra/stack-order.ts names — `platform-<env>`
 * (GCP), `control-planes-<env>` (the Helm releases whose CRDs the cluster objects need) and
 * `k8s-<env>` (what runs in the cluster) — wired with the dependencies it names, synthesized
 * into `outdir`. `cdktf deploy platform-prod control-planes-prod k8s-prod` runs them in order.
 */
import { App, type TerraformStack } from 'cdktf';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { PlatformStack } from './platform-stack.ts';
import { ControlPlanesStack } from './control-planes-stack.ts';
import { K8sStack, type ManifestObject } from './k8s-stack.ts';
import { STACK_DEPENDENCIES, STACK_KINDS, type StackKind } from './stack-order.ts';

export interface InfraStacks {
  readonly platform: PlatformStack;
  readonly controlPlanes: ControlPlanesStack;
  readonly k8s: K8sStack;
}

/** Every stack of an environment, by kind. */
export function stacksByKind(s: InfraStacks): Record<StackKind, TerraformStack & { resourceCount(): number }> {
  return { platform: s.platform, 'control-planes': s.controlPlanes, k8s: s.k8s };
}

/**
 * `manifests(plan)` gives the environment's Kubernetes objects (the charts' output, in apply
 * order): the k8s stack applies exactly those.
 */
export function buildInfraApp(
  plans: readonly PlatformPlan[],
  manifests: (plan: PlatformPlan) => readonly ManifestObject[],
  outdir?: string,
): { app: App; stacks: InfraStacks[] } {
  // Stack traces in metadata cost time and embed machine paths; the synthesized JSON stays portable without them.
  const app = new App({ ...(outdir ? { outdir } : {}), stackTraces: false });
  const stacks = plans.map((plan) => {
    const infra: InfraStacks = {
      platform: new PlatformStack(app, { plan }),
      controlPlanes: new ControlPlanesStack(app, { plan }),
      k8s: new K8sStack(app, { plan, manifests: manifests(plan) }),
    };
    // The order is named once (stack-order.ts): `cdktf deploy k8s-<env>` deploys what it needs first.
    const byKind = stacksByKind(infra);
    for (const kind of STACK_KINDS) for (const dep of STACK_DEPENDENCIES[kind]) byKind[kind].addDependency(byKind[dep]);
    return infra;
  });
  return { app, stacks };
}
