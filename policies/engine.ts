/**
 * The policy engine. Rules judge what was SYNTHESIZED (Terraform JSON, Kubernetes YAML), not
 * the catalog, so they also catch bugs in our own constructs (DESIGN.md §2).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { z } from 'zod';

export type Severity = 'error' | 'warning' | 'info';

/** Where a finding points: a Terraform address or a Kubernetes object, in one file. */
export interface Target {
  readonly env: string;
  readonly file: string;
  /** `google_container_cluster.gke_cluster_C5D95197` or `Deployment/commerce/orders-api`. */
  readonly address: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly target: Target;
  readonly message: string;
  readonly remediation: string;
  /** What in the catalog produced the target, when the rule knows (for report links). */
  readonly catalog?: CatalogRef;
}

/** A catalog entry by its `name` (a service, topic or pool), and/or keys of the environment file. */
export interface CatalogRef {
  readonly name?: string;
  readonly keys?: readonly string[];
}

export interface TerraformResource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly values: Readonly<Record<string, unknown>>;
}

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** The rendered edge configs in `dist/<env>/edge/`, each absent when not synthesized. */
export interface EdgeArtifacts {
  /** nginx.conf as text (rules parse it with policies/nginx-conf.ts). */
  readonly nginx?: { readonly file: string; readonly text: string };
  /** kong.yml, parsed (Kong declarative config, `_format_version: "3.0"`). */
  readonly kong?: { readonly file: string; readonly config: unknown };
  /** gateway-routes.json, parsed (the gateway's own schema validates it at run time). */
  readonly gatewayRoutes?: { readonly file: string; readonly config: unknown };
}

/** The environment tiers of the catalog (environments/schema/primitives.ts), repeated to keep policies free of the schema. */
export type Tier = 'development' | 'staging' | 'production';

export interface TerraformArtifacts {
  readonly file: string;
  readonly resources: readonly TerraformResource[];
  /** `data` blocks, addressed `data.<type>.<name>` (e.g. `google_iam_policy` documents). */
  readonly dataSources?: readonly TerraformResource[];
  /** `terraform.backend`: `{ gcs: { bucket, prefix } }`, or absent for the local backend. */
  readonly backend?: Readonly<Record<string, unknown>>;
  /** The first `provider.google` block (project, region, default_labels). */
  readonly googleProvider?: Readonly<Record<string, unknown>>;
}

export interface EnvironmentArtifacts {
  readonly env: string;
  /**
   * The environment's tier, from the catalog: it is not in the synthesized output. Absent when
   * the environment is not in the catalog; rules that depend on it then judge as production.
   */
  readonly tier?: Tier;
  readonly terraform: TerraformArtifacts;
  readonly kubernetes: readonly { readonly file: string; readonly object: KubernetesObject }[];
  readonly edge: EdgeArtifacts;
  /** Repository files the output links to (the runbooks, `docs/runbooks/<env>/…`), relative to the repository root. */
  readonly repoFiles?: ReadonlySet<string>;
  /**
   * Contract changes against a base, when the run has one (`diff --base`): each topic contract
   * that changed and whether old and new consumers can still read each other's events.
   */
  readonly contractChanges?: readonly ContractChangeFact[];
}

/** One changed contract, as review/synth-diff/contract-changes.ts reports it. */
export interface ContractChangeFact {
  readonly name: string;
  readonly address: string;
  readonly file: string;
  readonly change: 'add' | 'remove' | 'update';
  readonly compatible: boolean;
  readonly reasons: readonly string[];
}

/**
 * The matching checks of other scanners, by their own ids, so a reader who knows Checkov or
 * Trivy knows what a rule means (and an auditor can map one suite onto another). Only checks
 * that exist: a rule with no counterpart leaves the list empty.
 */
export interface Equivalents {
  /** `CKV_GCP_…`, `CKV2_GCP_…`, `CKV_K8S_…` */
  readonly checkov?: readonly string[];
  /** `AVD-GCP-…`, `KSV…` */
  readonly trivy?: readonly string[];
  /** kube-score test ids (`container-resources`). */
  readonly kubeScore?: readonly string[];
  /** Polaris check ids (`runAsRootAllowed`). */
  readonly polaris?: readonly string[];
  /** Kyverno policy names from kyverno/policies (`disallow-host-path`). */
  readonly kyverno?: readonly string[];
}

/**
 * Rule ids are stable (waivers and code-scanning alerts refer to them) and numbered by area:
 * GKE001–019 cluster, GKE020–039 node pools, GKE040–049 GPU pools; IAM0xx identity, network
 * exposure and state; PUBSUB0xx messaging; REG0xx the Artifact Registry; K8S0xx workloads;
 * EDGE0xx the rendered edge configs; LB0xx the public entry; MESH0xx the Istio policy; SLO0xx
 * the objectives and their alerting; EVENT0xx topic contracts; OBS0xx logs and traces.
 * A retired id is never reused.
 */
export interface Rule {
  readonly id: string;
  readonly severity: Severity;
  /** One line: what must hold (the README table's "rule" column). */
  readonly description: string;
  /** Why it matters: the risk when it does not hold. */
  readonly rationale: string;
  /** How to fix it in general; each finding carries its own, more specific remediation. */
  readonly remediation: string;
  readonly equivalents: Equivalents;
  /**
   * Keys in the environment file that declare what this rule judges (first found wins), so
   * reports can point at the catalog line behind a finding: `['authorizedNetworks', 'network']`.
   */
  readonly catalogKeys?: readonly string[];
  readonly check: (artifacts: EnvironmentArtifacts) => readonly Omit<Finding, 'ruleId' | 'severity'>[];
}

const Blocks = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));
const TerraformJson = z.object({
  resource: Blocks.default({}),
  data: Blocks.default({}),
  terraform: z.looseObject({ backend: z.record(z.string(), z.unknown()).optional() }).optional(),
  provider: z.record(z.string(), z.unknown()).optional(),
});

function addressed(blocks: z.infer<typeof Blocks>, prefix: string): TerraformResource[] {
  return Object.entries(blocks).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, values]) => ({ type, name, address: `${prefix}${type}.${name}`, values })),
  );
}

const KubernetesJson = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
});

export function kubernetesAddress(o: KubernetesObject): string {
  return `${o.kind}/${o.metadata.namespace ?? '_cluster'}/${o.metadata.name}`;
}

/**
 * Reads one environment's synthesized output; malformed files are reported by name. `tier`
 * comes from the catalog (it is not in the output).
 */
export async function readArtifacts(outRoot: string, env: string, tier?: Tier, repoRoot: string = process.cwd()): Promise<EnvironmentArtifacts> {
  const tfFile = join('cdktf.out', 'stacks', `platform-${env}`, 'cdk.tf.json');
  let tfJson: unknown;
  try {
    tfJson = JSON.parse(await readFile(join(outRoot, tfFile), 'utf8'));
  } catch (err) {
    throw new Error(`${tfFile}: ${(err as Error).message}`);
  }
  const terraform = terraformArtifacts(tfFile, tfJson);

  const k8sDir = join('dist', env);
  const kubernetes: { file: string; object: KubernetesObject }[] = [];
  for (const name of (await readdir(join(outRoot, k8sDir))).filter((f) => f.endsWith('.yaml')).sort()) {
    const file = join(k8sDir, name);
    for (const doc of parseAllDocuments(await readFile(join(outRoot, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const value: unknown = doc.toJS();
      if (value === null) continue;
      const parsed = KubernetesJson.safeParse(value);
      if (!parsed.success) throw new Error(`${file}: not a Kubernetes object: ${parsed.error.message}`);
      kubernetes.push({ file, object: parsed.data as KubernetesObject });
    }
  }
  return { env, ...(tier ? { tier } : {}), terraform, kubernetes, edge: await readEdge(outRoot, env), repoFiles: await readRunbooks(repoRoot, env) };
}

/** The runbook pages of one environment in the repository (absent directory: none). */
async function readRunbooks(repoRoot: string, env: string): Promise<ReadonlySet<string>> {
  const dir = join('docs', 'runbooks', env);
  try {
    return new Set((await readdir(join(repoRoot, dir))).filter((f) => f.endsWith('.md')).map((f) => `docs/runbooks/${env}/${f}`));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw new Error(`${dir}: ${(err as Error).message}`);
  }
}

/** Reads `dist/<env>/edge/` (absent files stay absent; malformed ones are reported by name). */
async function readEdge(outRoot: string, env: string): Promise<EdgeArtifacts> {
  const dir = join('dist', env, 'edge');
  const read = async (name: string): Promise<{ file: string; text: string } | undefined> => {
    const file = join(dir, name);
    try {
      return { file, text: await readFile(join(outRoot, file), 'utf8') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`${file}: ${(err as Error).message}`);
    }
  };
  const parsed = (f: { file: string; text: string }, parse: (text: string) => unknown): { file: string; config: unknown } => {
    try {
      return { file: f.file, config: parse(f.text) };
    } catch (err) {
      throw new Error(`${f.file}: ${(err as Error).message}`);
    }
  };
  const [nginx, kong, routes] = await Promise.all([read('nginx.conf'), read('kong.yml'), read('gateway-routes.json')]);
  return {
    ...(nginx ? { nginx } : {}),
    ...(kong ? { kong: parsed(kong, (t) => parseYaml(t)) } : {}),
    ...(routes ? { gatewayRoutes: parsed(routes, (t) => JSON.parse(t)) } : {}),
  };
}

/** The Terraform side of the artifacts from a parsed `cdk.tf.json` (also used by tests on in-memory synth output). */
export function terraformArtifacts(file: string, json: unknown): TerraformArtifacts {
  const parsed = TerraformJson.safeParse(json);
  if (!parsed.success) throw new Error(`${file}: not a Terraform JSON configuration: ${parsed.error.message}`);
  const { resource, data, terraform, provider } = parsed.data;
  const google = block(provider?.google);
  return {
    file,
    resources: addressed(resource, ''),
    dataSources: addressed(data, 'data.'),
    ...(terraform?.backend ? { backend: terraform.backend } : {}),
    ...(google ? { googleProvider: google } : {}),
  };
}

export function evaluate(rules: readonly Rule[], artifacts: readonly EnvironmentArtifacts[]): Finding[] {
  return artifacts.flatMap((a) =>
    rules.flatMap((rule) => rule.check(a).map((f) => ({ ruleId: rule.id, severity: rule.severity, ...f }))),
  );
}

/** Reads a nested value by path from untyped JSON (`get(o, 'spec', 'template', 'spec')`). */
export function get(value: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/**
 * The pod template of anything that runs pods (Pod, CronJob, and the `spec.template` kinds:
 * Deployment, StatefulSet, DaemonSet, ReplicaSet, Job), or undefined for other objects.
 */
export function podSpecOf(o: KubernetesObject): unknown {
  if (o.kind === 'Pod') return get(o, 'spec');
  if (o.kind === 'CronJob') return get(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
  return get(o, 'spec', 'template', 'spec');
}

/** Terraform JSON nests blocks as a one-element array or an object; this reads either. */
export function block(value: unknown): Record<string, unknown> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === 'object' ? (first as Record<string, unknown>) : undefined;
}
