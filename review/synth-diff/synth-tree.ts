/**
 * A synthesized output held in memory, per environment, independent of where it was read from
 * (a synth output root or the committed golden copy): logical paths `stacks/<stack>/<file>`
 * (cdktf stacks whose name ends in `-<env>`) and `dist/<file>` (everything under dist/<env>/).
 */

export interface EnvironmentTree {
  /** Logical path → file text. */
  readonly files: ReadonlyMap<string, string>;
}

export interface SynthTree {
  readonly environments: ReadonlyMap<string, EnvironmentTree>;
}

/** Where a logical file lives in a synth output root: `cdktf.out/stacks/platform-dev/cdk.tf.json`, `dist/dev/0001-workloads.yaml`. */
export function outputPath(env: string, logical: string): string {
  if (logical.startsWith('stacks/')) return `cdktf.out/${logical}`;
  if (logical.startsWith('dist/')) return `dist/${env}/${logical.slice('dist/'.length)}`;
  return logical;
}

/**
 * The environment a stack belongs to: the longest known environment name it ends with
 * (`platform-prod-eu` → `prod-eu` when that environment exists), else what follows the
 * first hyphen (`k8s-dev` → `dev`).
 */
export function stackEnvironment(stack: string, knownEnvs: readonly string[]): string | undefined {
  const known = [...knownEnvs].sort((a, b) => b.length - a.length).find((e) => stack.endsWith(`-${e}`) && stack.length > e.length + 1);
  if (known) return known;
  const dash = stack.indexOf('-');
  return dash > 0 && dash < stack.length - 1 ? stack.slice(dash + 1) : undefined;
}

export type FileKind = 'terraform' | 'kubernetes' | 'nginx' | 'kong' | 'gateway-routes' | 'text';

export function classify(logical: string): FileKind {
  if (/^stacks\/[^/]+\/cdk\.tf\.json$/.test(logical)) return 'terraform';
  if (!logical.startsWith('dist/')) return 'text';
  const base = logical.slice(logical.lastIndexOf('/') + 1);
  if (base === 'nginx.conf') return 'nginx';
  if (base === 'kong.yml' || base === 'kong.yaml') return 'kong';
  if (base === 'gateway-routes.json') return 'gateway-routes';
  if (/\.ya?ml$/.test(base)) return 'kubernetes';
  return 'text';
}

/** Only what the golden copy keeps: every stack's cdk.tf.json and everything under dist/. */
export function goldenView(tree: SynthTree): SynthTree {
  const environments = new Map<string, EnvironmentTree>();
  for (const [env, t] of tree.environments) {
    const files = new Map([...t.files].filter(([p]) => p.startsWith('dist/') || /^stacks\/[^/]+\/cdk\.tf\.json$/.test(p)));
    environments.set(env, { files });
  }
  return { environments };
}
