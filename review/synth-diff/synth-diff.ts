/**
 * The diff engine: two synthesized trees in, a ranked structured diff out (pure, no I/O).
 * Per environment: each Terraform stack by address, the Kubernetes objects of every YAML
 * file together, each edge config by its own keys, any other file line by line. A file that
 * cannot be read as what its name says is compared line by line instead, with a note, so a
 * broken synth never hides a change. Destroys first, then replacements, then the rest.
 */
import {
  compareArtifacts,
  compareEntries,
  summarize,
  type ArtifactDiff,
  type ArtifactKind,
  type DiffEntry,
  type EnvironmentDiff,
  type SynthDiff,
} from './diff-model.ts';
import { classify, outputPath, type EnvironmentTree, type SynthTree } from './synth-tree.ts';
import { diffTerraform, parseTerraformJson } from './terraform-diff.ts';
import { diffKubernetes, parseKubernetesFile, type KubernetesObjectRef } from './kubernetes-diff.ts';
import { diffKong, parseKongConfig } from './kong-diff.ts';
import { diffGatewayRoutes, parseGatewayRoutes } from './gateway-routes-diff.ts';
import { diffNginx } from './nginx-diff.ts';
import { diffText } from './text-diff.ts';
import { contractEntry, type ContractChange } from './contract-changes.ts';

export interface DiffOptions {
  /** Only these environments (default: every environment of either tree). */
  readonly envs?: readonly string[];
  /** Contract changes per environment (contract-changes.ts: computed beforehand, it runs buf). */
  readonly contracts?: ReadonlyMap<string, readonly ContractChange[]>;
}

const EMPTY: EnvironmentTree = { files: new Map() };

/** Parses both sides with `structured`; if either side cannot be read, a line diff with the reason. */
function structuredOrText(
  kind: ArtifactKind,
  file: string,
  before: string | undefined,
  after: string | undefined,
  structured: (before: string | undefined, after: string | undefined) => DiffEntry[],
): ArtifactDiff {
  try {
    return { kind, file, entries: structured(before, after) };
  } catch (err) {
    const note = `could not be read as ${kind} (${(err as Error).message}); compared line by line`;
    return { kind: 'text', file, entries: diffText(file, before, after, { removalRisk: 'destroy', note }) };
  }
}

function diffEnvironment(env: string, base: EnvironmentTree, head: EnvironmentTree, contracts: readonly ContractChange[] = []): ArtifactDiff[] {
  const artifacts: ArtifactDiff[] = [];
  const paths = [...new Set([...base.files.keys(), ...head.files.keys()])].sort();
  const k8sBefore: KubernetesObjectRef[] = [];
  const k8sAfter: KubernetesObjectRef[] = [];

  for (const logical of paths) {
    const before = base.files.get(logical);
    const after = head.files.get(logical);
    const file = outputPath(env, logical);
    switch (classify(logical)) {
      case 'terraform':
        if (before === after) break;
        artifacts.push(
          structuredOrText('terraform', file, before, after, (b, a) =>
            diffTerraform(b === undefined ? undefined : parseTerraformJson(b, file), a === undefined ? undefined : parseTerraformJson(a, file)),
          ),
        );
        break;
      case 'kubernetes': {
        // Read both sides first: a file that fails on either side is line-diffed, whole.
        try {
          const b = before === undefined ? [] : parseKubernetesFile(before, file);
          const a = after === undefined ? [] : parseKubernetesFile(after, file);
          k8sBefore.push(...b);
          k8sAfter.push(...a);
        } catch (err) {
          const note = `could not be read as Kubernetes YAML (${(err as Error).message}); compared line by line`;
          artifacts.push({ kind: 'text', file, entries: diffText(file, before, after, { removalRisk: 'destroy', note }) });
        }
        break;
      }
      case 'nginx':
        if (before === after) break;
        artifacts.push(structuredOrText('nginx', file, before, after, diffNginx));
        break;
      case 'kong':
        if (before === after) break;
        artifacts.push(
          structuredOrText('kong', file, before, after, (b, a) =>
            diffKong(b === undefined ? undefined : parseKongConfig(b, file), a === undefined ? undefined : parseKongConfig(a, file)),
          ),
        );
        break;
      case 'gateway-routes':
        if (before === after) break;
        artifacts.push(
          structuredOrText('gateway-routes', file, before, after, (b, a) =>
            diffGatewayRoutes(b === undefined ? undefined : parseGatewayRoutes(b, file), a === undefined ? undefined : parseGatewayRoutes(a, file)),
          ),
        );
        break;
      case 'text':
        artifacts.push({ kind: 'text', file, entries: diffText(file, before, after) });
        break;
    }
  }
  artifacts.push({ kind: 'kubernetes', file: `dist/${env}/*.yaml`, entries: diffKubernetes(k8sBefore, k8sAfter) });
  const contractFiles = [...new Set(contracts.map((c) => c.file))];
  for (const file of contractFiles) {
    artifacts.push({ kind: 'contract', file, entries: contracts.filter((c) => c.file === file).map(contractEntry) });
  }

  return artifacts
    .filter((a) => a.entries.length > 0)
    .map((a) => ({ ...a, entries: [...a.entries].sort(compareEntries) }))
    .sort(compareArtifacts);
}

export function diffTrees(base: SynthTree, head: SynthTree, options: DiffOptions = {}): SynthDiff {
  const names = options.envs ?? [...new Set([...head.environments.keys(), ...base.environments.keys()])].sort();
  const environments: EnvironmentDiff[] = names.map((env) => {
    const b = base.environments.get(env);
    const h = head.environments.get(env);
    const artifacts = diffEnvironment(env, b ?? EMPTY, h ?? EMPTY, options.contracts?.get(env));
    const change = b && !h ? ('remove' as const) : !b && h ? ('add' as const) : undefined;
    return { env, ...(change ? { change } : {}), summary: summarize(artifacts.flatMap((a) => a.entries)), artifacts };
  });
  return { environments };
}
