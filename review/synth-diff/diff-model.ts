/**
 * The structured synth diff: per environment, per artifact (a Terraform stack, the Kubernetes
 * objects, each edge config, any other file), entries keyed the way a reviewer thinks of them
 * (Terraform address, apiVersion/Kind/namespace/name, Kong entity, gateway route, nginx block),
 * each with attribute-level changes and a risk. This is what `--format json` prints.
 */

export type ChangeKind = 'add' | 'remove' | 'update';

/**
 * `destroy`: something is deleted; `breaking`: a topic's contract changes so that old or new
 * consumers cannot read the other side's events (ranks with destroys); `replace`: an update that
 * recreates it (or its nodes); `normal`: in place.
 */
export type Risk = 'destroy' | 'breaking' | 'replace' | 'normal';

export type ArtifactKind = 'terraform' | 'contract' | 'kubernetes' | 'nginx' | 'kong' | 'gateway-routes' | 'text';

/** One changed value. `before`/`after` absent (undefined, omitted in JSON) means the attribute is absent on that side. */
export interface AttributeChange {
  /** `node_config.machine_type`, `spec.template.spec.containers[name=api].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface DiffEntry {
  readonly key: string;
  readonly change: ChangeKind;
  readonly attributes: readonly AttributeChange[];
  readonly risk: Risk;
  readonly reason?: string;
}

export interface ArtifactDiff {
  readonly kind: ArtifactKind;
  /** Where it is synthesized, relative to the output root: `cdktf.out/stacks/platform-dev/cdk.tf.json`, `dist/dev/*.yaml`. */
  readonly file: string;
  readonly entries: readonly DiffEntry[];
}

export interface DiffSummary {
  /** New entries that are not half of a replacement. */
  readonly adds: number;
  /** In-place updates. */
  readonly updates: number;
  /** Updates that recreate the resource (or its nodes, or need a delete and re-create). */
  readonly replacements: number;
  /** Removed entries. */
  readonly destroys: number;
  /** Contract changes that break old or new consumers (absent in diffs made before contracts). */
  readonly breaking?: number;
}

export interface EnvironmentDiff {
  readonly env: string;
  /** Set when the whole environment exists on one side only. */
  readonly change?: 'add' | 'remove';
  readonly summary: DiffSummary;
  /** Riskiest artifact first; inside each, destroys, then replacements, then the rest. */
  readonly artifacts: readonly ArtifactDiff[];
}

export interface SynthDiff {
  readonly environments: readonly EnvironmentDiff[];
}

export const RISK_RANK: Readonly<Record<Risk, number>> = { destroy: 0, breaking: 0, replace: 1, normal: 2 };
const CHANGE_RANK: Readonly<Record<ChangeKind, number>> = { remove: 0, update: 1, add: 2 };
export const ARTIFACT_RANK: Readonly<Record<ArtifactKind, number>> = {
  contract: 0,
  terraform: 0,
  kubernetes: 1,
  nginx: 2,
  kong: 3,
  'gateway-routes': 4,
  text: 5,
};

export function compareEntries(a: DiffEntry, b: DiffEntry): number {
  return RISK_RANK[a.risk] - RISK_RANK[b.risk] || CHANGE_RANK[a.change] - CHANGE_RANK[b.change] || a.key.localeCompare(b.key);
}

/** The riskiest entry's rank (an artifact without entries ranks last). */
export function artifactRisk(artifact: ArtifactDiff): number {
  return Math.min(3, ...artifact.entries.map((e) => RISK_RANK[e.risk]));
}

export function compareArtifacts(a: ArtifactDiff, b: ArtifactDiff): number {
  return artifactRisk(a) - artifactRisk(b) || ARTIFACT_RANK[a.kind] - ARTIFACT_RANK[b.kind] || a.file.localeCompare(b.file);
}

export function summarize(entries: readonly DiffEntry[]): DiffSummary {
  let adds = 0;
  let updates = 0;
  let replacements = 0;
  let destroys = 0;
  let breaking = 0;
  for (const e of entries) {
    if (e.risk === 'destroy') destroys++;
    else if (e.risk === 'breaking') breaking++;
    else if (e.risk === 'replace') replacements++;
    else if (e.change === 'add') adds++;
    else updates++;
  }
  return { adds, updates, replacements, destroys, ...(breaking > 0 ? { breaking } : {}) };
}

export function isEmpty(diff: SynthDiff): boolean {
  return diff.environments.every((e) => e.artifacts.length === 0);
}

/** `2 replacements, 1 update` (nothing when nothing changed). */
export function describeSummary(s: DiffSummary): string {
  const parts: string[] = [];
  const add = (n: number, one: string, many: string): void => {
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`);
  };
  add(s.breaking ?? 0, 'breaking contract change', 'breaking contract changes');
  add(s.destroys, 'destroy', 'destroys');
  add(s.replacements, 'replacement', 'replacements');
  add(s.updates, 'update', 'updates');
  add(s.adds, 'add', 'adds');
  return parts.length === 0 ? 'no changes' : parts.join(', ');
}
