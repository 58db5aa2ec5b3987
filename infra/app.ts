/**
 * The cdktf app: per environment a `platform-<env>` stack (GCP) and a `k8s-<env>` stack (what
 * runs in the cluster, deployed after it), synthesized into `outdir`.
 */
import { App } from 'cdktf';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { PlatformStack } from './platform-stack.ts';
import { K8sStack, type ManifestObject } from './k8s-stack.ts';

export interface InfraStacks {
  readonly platform: PlatformStack;
  readonly k8s: K8sStack;
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
    const platform = new PlatformStack(app, { plan });
    const k8s = new K8sStack(app, { plan, manifests: manifests(plan) });
    // `cdktf deploy k8s-<env>` deploys platform-<env> first; the cluster must exist to be reached.
    k8s.addDependency(platform);
    return { platform, k8s };
  });
  return { app, stacks };
}
