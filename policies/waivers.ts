/**
 * Waivers from the catalog applied to findings: a finding a live waiver matches is reported as
 * waived (not counted as an error); an expired waiver is itself an error (WAIVER001) and waives
 * nothing; a live waiver that matches no finding is a warning (WAIVER002), so waivers are
 * removed once the fix lands.
 */
import type { Waiver } from '../environments/schema/waivers.ts';
import type { Finding, Rule, Target } from './engine.ts';

export type { Waiver };

export type Status = 'open' | 'waived';

/** A finding with its fate: open, or waived by a catalog waiver (reason and expiry kept). */
export interface Result extends Finding {
  readonly status: Status;
  readonly waiver?: { readonly reason: string; readonly expires: string };
}

/** One environment's waivers and the catalog file they are written in (for locating them). */
export interface EnvironmentWaivers {
  readonly env: string;
  readonly file: string;
  readonly waivers: readonly Waiver[];
}

export const expiredWaiver: Rule = {
  id: 'WAIVER001',
  severity: 'error',
  description: 'No waiver in the catalog has expired',
  rationale: 'A waiver is a dated promise to fix something; once the date passes the finding it covered is an error again, and so is the stale waiver.',
  remediation: 'fix what the waiver covered and remove it, or renew it with a new date and the reason it is still needed',
  equivalents: {},
  catalogKeys: ['waivers'],
  check: () => [], // judged by applyWaivers, which sees the catalog and the clock
};

export const unmatchedWaiver: Rule = {
  id: 'WAIVER002',
  severity: 'warning',
  description: 'Every waiver in the catalog matches a finding',
  rationale: 'A waiver that matches nothing is either already fixed (remove it) or aimed at the wrong target (it waives nothing while looking like it does).',
  remediation: 'remove the waiver, or correct its rule id or target to the one the finding names',
  equivalents: {},
  catalogKeys: ['waivers'],
  check: () => [], // judged by applyWaivers
};

/** The rules about waivers themselves, reported beside the policy rules. */
export const WAIVER_RULES: readonly Rule[] = [expiredWaiver, unmatchedWaiver];

/** A waiver target matches the finding's address, or its object when the finding names a container. */
export function waiverMatches(waiver: Pick<Waiver, 'rule' | 'target'>, finding: Pick<Finding, 'ruleId' | 'target'>): boolean {
  if (waiver.rule !== finding.ruleId) return false;
  const address = finding.target.address;
  return address === waiver.target || (!waiver.target.includes('#') && address.startsWith(`${waiver.target}#`));
}

/** Whether a waiver expiring on `expires` (inclusive) has expired on `today` (both YYYY-MM-DD). */
export function isExpired(expires: string, today: string): boolean {
  return expires < today;
}

export function applyWaivers(findings: readonly Finding[], catalog: readonly EnvironmentWaivers[], today: string): Result[] {
  const results: Result[] = [];
  const used = new Set<Waiver>();
  const byEnv = new Map(catalog.map((c) => [c.env, c]));
  for (const finding of findings) {
    const waiver = byEnv.get(finding.target.env)?.waivers.find((w) => !isExpired(w.expires, today) && waiverMatches(w, finding));
    if (waiver) {
      used.add(waiver);
      results.push({ ...finding, status: 'waived', waiver: { reason: waiver.reason, expires: waiver.expires } });
    } else {
      results.push({ ...finding, status: 'open' });
    }
  }
  for (const { env, file, waivers } of catalog) {
    waivers.forEach((w, i) => {
      const target: Target = { env, file, address: `waivers[${i}]` };
      const what = `${w.rule} on ${w.target}`;
      if (isExpired(w.expires, today)) {
        results.push({
          ruleId: expiredWaiver.id,
          severity: expiredWaiver.severity,
          target,
          message: `the waiver of ${what} expired on ${w.expires} ("${w.reason}")`,
          remediation: expiredWaiver.remediation,
          catalog: { keys: ['waivers'] },
          status: 'open',
        });
      } else if (!used.has(w)) {
        results.push({
          ruleId: unmatchedWaiver.id,
          severity: unmatchedWaiver.severity,
          target,
          message: `the waiver of ${what} matches no finding`,
          remediation: unmatchedWaiver.remediation,
          catalog: { keys: ['waivers'] },
          status: 'open',
        });
      }
    });
  }
  return results;
}

/**
 * Catalog problems with waivers that only the policy suite can see: an unknown rule id, or the
 * same rule and target waived twice. Messages are path-named like the schema's
 * (`dev.waivers[0].rule: …`).
 */
export function waiverProblems(catalog: readonly Pick<EnvironmentWaivers, 'env' | 'waivers'>[], rules: readonly Rule[]): string[] {
  const known = new Set(rules.map((r) => r.id));
  const problems: string[] = [];
  for (const { env, waivers } of catalog) {
    const seen = new Map<string, number>();
    waivers.forEach((w, i) => {
      if (!known.has(w.rule)) {
        problems.push(`${env}.waivers[${i}].rule: "${w.rule}" is not a policy rule (README, "Policies", lists them)`);
      }
      const key = `${w.rule} ${w.target}`;
      const first = seen.get(key);
      if (first !== undefined) problems.push(`${env}.waivers[${i}]: waives ${w.rule} on ${w.target} again (as waivers[${first}] does)`);
      else seen.set(key, i);
    });
  }
  return problems;
}
