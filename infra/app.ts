/** The cdktf app: one `platform-<env>` stack per environment, synthesized into `outdir`. */
import { App } from 'cdktf';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { PlatformStack } from './platform-stack.ts';

export interface InfraSynthResult {
  /** Terraform resources per stack name. */
  readonly resources: ReadonlyMap<string, number>;
}

export function buildInfraApp(plans: readonly PlatformPlan[], outdir?: string): { app: App; stacks: PlatformStack[] } {
  // Stack traces in metadata cost time and embed machine paths; the synthesized JSON stays portable without them.
  const app = new App({ ...(outdir ? { outdir } : {}), stackTraces: false });
  const stacks = plans.map((plan) => new PlatformStack(app, { plan }));
  return { app, stacks };
}
