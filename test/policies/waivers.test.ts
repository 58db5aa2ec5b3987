import { describe, expect, it } from 'vitest';
import catalog from '../../environments/index.ts';
import { parseEnvironment } from '../../environments/load.ts';
import type { Finding } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { applyWaivers, waiverMatches, waiverProblems, type Waiver } from '../../policies/waivers.ts';
import { policyDate } from '../../policies/waiver-clock.ts';

const finding = (ruleId: string, address: string, env = 'dev'): Finding => ({
  ruleId,
  severity: 'error',
  target: { env, file: `cdktf.out/stacks/platform-${env}/cdk.tf.json`, address },
  message: 'broken',
  remediation: 'fix it',
});
const waiver = (rule: string, target: string, expires = '2026-12-31'): Waiver => ({ rule, target, reason: 'accepted until the fix in issue 9 lands', expires });
const summary = (results: ReturnType<typeof applyWaivers>): string[] =>
  results.map((r) => `${r.status} ${r.severity} ${r.ruleId} ${r.target.env} ${r.target.address}${r.waiver ? ` until ${r.waiver.expires}` : ''}`);

describe('waivers in the catalog', () => {
  it('are validated with path-named errors: date, reason, rule id shape, target shape, unknown keys', () => {
    const result = parseEnvironment('dev', {
      ...catalog.dev,
      waivers: [
        { rule: 'GKE003', target: 'google_container_cluster.gke_cluster_C5D95197', reason: 'a reason that is long enough', expires: '2026-02-30' },
        { rule: 'GKE003', target: 'google_container_cluster.gke_cluster_C5D95197', reason: 'too short', expires: '2026-12-31' },
        { rule: 'gke-3', target: 'Deployment/commerce/orders-api#orders-api', reason: 'a reason that is long enough', expires: '31/12/2026' },
        { rule: 'K8S001', target: 'orders-api', reason: 'a reason that is long enough', expires: '2026-12-31', owner: 'me' },
      ],
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      'dev.waivers[0].expires: is not a calendar date',
      'dev.waivers[1].reason: say why the rule does not apply here and what ends the waiver (at least 20 characters)',
      'dev.waivers[2].rule: must be a policy rule id like "GKE003" (README, "Policies")',
      'dev.waivers[2].expires: must be a date written YYYY-MM-DD',
      'dev.waivers[3].target: must be a Terraform address (google_container_cluster.gke_cluster_C5D95197) or a Kubernetes Kind/namespace/name[#container], as the finding names it',
      'dev.waivers[3]: Unrecognized key: "owner"',
    ]);
  });

  it('name existing rules, once per target (checked against the policy suite)', () => {
    expect(
      waiverProblems(
        [{ env: 'dev', waivers: [waiver('GKE999', 'terraform.backend'), waiver('GKE003', 'a.b'), waiver('GKE003', 'a.b')] }],
        RULES,
      ),
    ).toEqual([
      'dev.waivers[0].rule: "GKE999" is not a policy rule (README, "Policies", lists them)',
      'dev.waivers[2]: waives GKE003 on a.b again (as waivers[1] does)',
    ]);
  });

  it('in the real catalog are valid, dated and reasoned', () => {
    for (const [name, raw] of Object.entries(catalog)) {
      const result = parseEnvironment(name, raw);
      expect(result.ok, name).toBe(true);
      if (!result.ok) continue;
      expect(waiverProblems([{ env: name, waivers: result.env.waivers }], RULES)).toEqual([]);
      for (const w of result.env.waivers) expect(w.reason.length).toBeGreaterThanOrEqual(20);
    }
  });
});

describe('applying waivers', () => {
  const cluster = 'google_container_cluster.gke_cluster_C5D95197';

  it('waives a matching finding, keeps the others open, and matches objects to their containers', () => {
    const results = applyWaivers(
      [finding('GKE003', cluster), finding('GKE005', cluster), finding('K8S006', 'Deployment/realtime/chat#chat'), finding('K8S006', 'Deployment/realtime/chat#sidecar')],
      [{ env: 'dev', file: 'environments/dev.ts', waivers: [waiver('GKE003', cluster), waiver('K8S006', 'Deployment/realtime/chat')] }],
      '2026-11-22',
    );
    expect(summary(results)).toEqual([
      `waived error GKE003 dev ${cluster} until 2026-12-31`,
      `open error GKE005 dev ${cluster}`,
      'waived error K8S006 dev Deployment/realtime/chat#chat until 2026-12-31',
      'waived error K8S006 dev Deployment/realtime/chat#sidecar until 2026-12-31',
    ]);
  });

  it('matches a waiver naming a container to that container only, and only in its own environment', () => {
    expect(waiverMatches({ rule: 'K8S006', target: 'Deployment/realtime/chat#chat' }, finding('K8S006', 'Deployment/realtime/chat#sidecar'))).toBe(false);
    expect(waiverMatches({ rule: 'K8S006', target: 'Deployment/realtime/chat' }, finding('K8S006', 'Deployment/realtime/chatty'))).toBe(false);
    expect(waiverMatches({ rule: 'K8S005', target: 'Deployment/realtime/chat' }, finding('K8S006', 'Deployment/realtime/chat'))).toBe(false);
    const results = applyWaivers([finding('GKE003', cluster, 'prod')], [{ env: 'dev', file: 'environments/dev.ts', waivers: [waiver('GKE003', cluster)] }], '2026-11-22');
    expect(summary(results)).toEqual([`open error GKE003 prod ${cluster}`, 'open warning WAIVER002 dev waivers[0]']);
  });

  it('treats the expiry date as the last valid day; an expired waiver is an error and waives nothing', () => {
    const catalogWaivers = [{ env: 'dev', file: 'environments/dev.ts', waivers: [waiver('GKE003', cluster, '2026-11-22')] }];
    expect(summary(applyWaivers([finding('GKE003', cluster)], catalogWaivers, '2026-11-22'))).toEqual([`waived error GKE003 dev ${cluster} until 2026-11-22`]);
    const expired = applyWaivers([finding('GKE003', cluster)], catalogWaivers, '2026-11-23');
    expect(summary(expired)).toEqual([`open error GKE003 dev ${cluster}`, 'open error WAIVER001 dev waivers[0]']);
    expect(expired[1]?.message).toBe(`the waiver of GKE003 on ${cluster} expired on 2026-11-22 ("accepted until the fix in issue 9 lands")`);
    expect(expired[1]?.target.file).toBe('environments/dev.ts');
  });

  it('warns about a live waiver that matches nothing', () => {
    const results = applyWaivers([], [{ env: 'dev', file: 'environments/dev.ts', waivers: [waiver('GKE003', cluster)] }], '2026-11-22');
    expect(results).toEqual([
      expect.objectContaining({ ruleId: 'WAIVER002', severity: 'warning', status: 'open', message: `the waiver of GKE003 on ${cluster} matches no finding` }),
    ]);
  });
});

describe('the waiver clock', () => {
  it('is today in UTC, or PLATFORM_TODAY, which must be a real date', () => {
    expect(policyDate({}, new Date('2026-11-22T23:59:00Z'))).toBe('2026-11-22');
    expect(policyDate({ PLATFORM_TODAY: '2027-02-01' })).toBe('2027-02-01');
    expect(() => policyDate({ PLATFORM_TODAY: '2027-02-30' })).toThrow('PLATFORM_TODAY: "2027-02-30" is not a calendar date');
    expect(() => policyDate({ PLATFORM_TODAY: 'tomorrow' })).toThrow('PLATFORM_TODAY: "tomorrow" must be a date written YYYY-MM-DD');
  });
});
