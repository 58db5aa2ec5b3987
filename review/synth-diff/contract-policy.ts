/**
 * EVENT001 over a diff's contract changes: the head side's synthesized artifacts with the
 * changes attached, judged with the head catalog's tiers and waivers (so a planned migration
 * is waived the usual way). Only EVENT001's results are returned: the other rules and their
 * waivers belong to `check`.
 */
import { evaluate, readArtifacts } from '../../policies/engine.ts';
import { breakingContractChange } from '../../policies/rules/event-contracts.ts';
import type { PolicyEnvironment } from '../../policies/policy-run.ts';
import { applyWaivers, type Result } from '../../policies/waivers.ts';
import type { ContractChange } from './contract-changes.ts';

export async function judgeContractChanges(
  headOut: string,
  environments: readonly PolicyEnvironment[],
  changes: ReadonlyMap<string, readonly ContractChange[]>,
  today: string,
): Promise<Result[]> {
  const judged = environments.filter((e) => (changes.get(e.name) ?? []).length > 0);
  const artifacts = await Promise.all(
    judged.map(async (e) => ({ ...(await readArtifacts(headOut, e.name, e.tier)), contractChanges: changes.get(e.name) ?? [] })),
  );
  const findings = evaluate([breakingContractChange], artifacts);
  const results = applyWaivers(
    findings,
    judged.map((e) => ({ env: e.name, file: e.file, waivers: e.waivers.filter((w) => w.rule === breakingContractChange.id) })),
    today,
  );
  return results.filter((r) => r.ruleId === breakingContractChange.id);
}
