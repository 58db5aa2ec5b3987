/**
 * Real synthesized output for policy tests: the CLI's own `synth` into a temporary directory
 * (exactly what `npm start` writes), read back as the policies read it; and minimal mutations
 * of it for failing fixtures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtifacts, type EnvironmentArtifacts, type Tier } from '../../policies/engine.ts';
import { runCli, type CliRun } from '../cli-process.ts';

export { ROOT, TSX, type CliRun as Run } from '../cli-process.ts';

/** Runs `tsx cli/main.ts …` in the repository root. */
export function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliRun> {
  return runCli(args, { env });
}

/** Synthesizes the given environments (no policies) into a fresh temporary output root. */
export async function synthesize(envs: readonly string[]): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'policies-'));
  const run = await cli(['synth', '--out', out, '--no-policies', ...envs.flatMap((e) => ['--env', e])]);
  if (run.code !== 0) throw new Error(`synth failed (${run.code}):\n${run.stderr}`);
  return out;
}

export async function removeOutput(out: string | undefined): Promise<void> {
  if (out) await rm(out, { recursive: true, force: true });
}

const TIERS: Readonly<Record<string, Tier>> = { dev: 'development', staging: 'staging', prod: 'production' };

export function readSynthesized(out: string, env: string): Promise<EnvironmentArtifacts> {
  return readArtifacts(out, env, TIERS[env]);
}

/** Untyped synthesized JSON: `any` because mutations poke into arbitrary nested fields on purpose. */
export type Json = Record<string, any>;

/** A copy of the artifacts with one Terraform resource (by type and `name` attribute, or address) changed. */
export function mutateResource(a: EnvironmentArtifacts, type: string, name: string, change: (values: Json) => void): EnvironmentArtifacts {
  const copy = structuredClone(a);
  const r = copy.terraform.resources.find((x) => x.type === type && (x.values.name === name || x.address === name));
  if (!r) throw new Error(`${type} ${name} missing`);
  change(r.values as Json);
  return copy;
}

/** A copy of the artifacts with one Kubernetes object (by kind and name) changed. */
export function mutateObject(a: EnvironmentArtifacts, kind: string, name: string, change: (o: Json) => void): EnvironmentArtifacts {
  const copy = structuredClone(a);
  const o = copy.kubernetes.find((x) => x.object.kind === kind && x.object.metadata.name === name);
  if (!o) throw new Error(`${kind} ${name} missing`);
  change(o.object as Json);
  return copy;
}

/** A copy of the artifacts with the Terraform side changed as a whole (backend, provider, new resources). */
export function mutateTerraform(a: EnvironmentArtifacts, change: (t: Json) => void): EnvironmentArtifacts {
  const copy = structuredClone(a);
  change(copy.terraform as Json);
  return copy;
}
