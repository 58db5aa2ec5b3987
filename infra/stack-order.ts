/**
 * The one place that names an environment's Terraform stacks and their order. The cdktf app
 * (infra/app.ts) builds exactly these, wired with exactly these dependencies; the workflows
 * read the order through `npm run stacks` (cli/commands/stacks.ts); the tests read it from
 * here. A new stack is added here first, or nothing plans, deploys or watches it for drift.
 *
 * Pure (no cdktf): the CLI prints it without loading the providers.
 */

/** Deploy order: each stack after every stack it depends on. */
export const STACK_KINDS = ['platform', 'control-planes', 'k8s'] as const;
export type StackKind = (typeof STACK_KINDS)[number];

/**
 * What each stack needs deployed first, within its environment:
 * - `control-planes` reaches the cluster `platform` creates (its DNS endpoint);
 * - `k8s`'s `kubernetes_manifest`s need the CRDs (Istio's, cert-manager's) at *plan* time,
 *   so the Helm releases that install them live in a stack applied before it
 *   (hashicorp/terraform-provider-kubernetes#1367).
 */
export const STACK_DEPENDENCIES: Readonly<Record<StackKind, readonly StackKind[]>> = {
  platform: [],
  'control-planes': ['platform'],
  k8s: ['control-planes'],
};

/** What each stack holds, for README and messages. */
export const STACK_PURPOSE: Readonly<Record<StackKind, string>> = {
  platform: 'GCP: APIs, VPC, GKE, node pools, Artifact Registry, identities, Pub/Sub, Binary Authorization',
  'control-planes': 'the pinned Helm releases (Istio base + istiod, cert-manager) and the CRDs they install',
  k8s: 'every object of dist/<env>/ as a kubernetes_manifest',
};

/** `stackName('k8s', 'prod')` → `k8s-prod`: the cdktf stack, its cdktf.out/stacks/ directory. */
export function stackName(kind: StackKind, envName: string): string {
  return `${kind}-${envName}`;
}

export interface EnvironmentStack {
  readonly kind: StackKind;
  readonly name: string;
  /** Names of the stacks (same environment) that must be applied before this one. */
  readonly dependsOn: readonly string[];
}

/** An environment's stacks in deploy order. */
export function environmentStacks(envName: string): EnvironmentStack[] {
  return STACK_KINDS.map((kind) => ({
    kind,
    name: stackName(kind, envName),
    dependsOn: STACK_DEPENDENCIES[kind].map((d) => stackName(d, envName)),
  }));
}
