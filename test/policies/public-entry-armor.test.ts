/**
 * LB001 and LB002 on real synthesized output (the CLI's synth of prod and dev) and on minimal
 * mutations of it that break the chain Ingress → Service port → BackendConfig → Cloud Armor
 * policy, or put production's WAF in preview.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type EnvironmentArtifacts } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { PUBLIC_ENTRY_RULES } from '../../policies/rules/public-entry-armor.ts';
import { mutateObject, mutateResource, readSynthesized, removeOutput, synthesize, type Json } from './synthesized.ts';

const explain = (a: EnvironmentArtifacts): string[] => evaluate(PUBLIC_ENTRY_RULES, [a]).map((f) => `${f.ruleId} ${f.target.address}: ${f.message}`);

describe('public entry rules (LB001, LB002)', () => {
  let out: string | undefined;
  let prod: EnvironmentArtifacts;
  let dev: EnvironmentArtifacts;

  beforeAll(async () => {
    out = await synthesize(['prod', 'dev']);
    [prod, dev] = await Promise.all([readSynthesized(out, 'prod'), readSynthesized(out, 'dev')]);
  }, 120_000);
  afterAll(() => removeOutput(out));

  it('are in the rule set, and find nothing in prod or dev as synthesized', () => {
    expect(RULES.map((r) => r.id)).toEqual(expect.arrayContaining(['LB001', 'LB002']));
    expect(explain(prod)).toEqual([]);
    expect(explain(dev)).toEqual([]);
  });

  it('LB001: a BackendConfig without a Cloud Armor policy', () => {
    const broken = mutateObject(prod, 'BackendConfig', 'nginx-grpc', (o) => delete o.spec.securityPolicy);
    expect(explain(broken)).toEqual([
      'LB001 BackendConfig/edge/nginx-grpc: backs public Ingress edge/public-entry without a Cloud Armor policy (spec.securityPolicy.name)',
    ]);
  });

  it('LB001: a BackendConfig naming a policy the platform stack does not create', () => {
    const renamed = mutateObject(prod, 'BackendConfig', 'nginx-http', (o) => (o.spec.securityPolicy.name = 'prod-waf-old'));
    expect(explain(renamed)).toEqual([
      'LB001 BackendConfig/edge/nginx-http: names Cloud Armor policy "prod-waf-old", which platform-prod does not create (it creates "prod-edge-waf")',
    ]);
    // The same holds when Terraform renamed the policy instead.
    const moved = mutateResource(prod, 'google_compute_security_policy', 'prod-edge-waf', (v: Json) => (v.name = 'prod-waf-v2'));
    expect(explain(moved).map((f) => f.split(':')[0])).toEqual(['LB001 BackendConfig/edge/nginx-http', 'LB001 BackendConfig/edge/nginx-grpc']);
  });

  it('LB001: a backend port without a BackendConfig, or naming one that is missing', () => {
    const unannotated = mutateObject(prod, 'Service', 'nginx', (o) => (o.metadata.annotations['cloud.google.com/backend-config'] = JSON.stringify({ ports: { http: 'nginx-http' } })));
    expect(explain(unannotated)).toEqual([
      'LB001 Service/edge/nginx#8443: port 8443 is a backend of public Ingress edge/public-entry but has no BackendConfig (cloud.google.com/backend-config): no Cloud Armor policy',
    ]);
    const missing = { ...prod, kubernetes: prod.kubernetes.filter((o) => !(o.object.kind === 'BackendConfig' && o.object.metadata.name === 'nginx-http')) };
    expect(explain(missing)).toEqual(['LB001 Service/edge/nginx#8080: port 8080 names BackendConfig nginx-http, which is not in the output: no Cloud Armor policy']);
  });

  it('LB001: judges public Ingresses only (gce, or no class), not internal ones', () => {
    const internal = mutateObject(
      mutateObject(prod, 'BackendConfig', 'nginx-http', (o) => delete o.spec.securityPolicy),
      'Ingress',
      'public-entry',
      (o) => (o.metadata.annotations['kubernetes.io/ingress.class'] = 'gce-internal'),
    );
    expect(explain(internal)).toEqual([]);
    const classless = mutateObject(
      mutateObject(prod, 'BackendConfig', 'nginx-http', (o) => delete o.spec.securityPolicy),
      'Ingress',
      'public-entry',
      (o) => delete o.metadata.annotations['kubernetes.io/ingress.class'],
    );
    expect(explain(classless)).toHaveLength(1);
  });

  it('LB002: a production-tier WAF in preview fails, with the priorities that only log; dev may preview', () => {
    const previewed = mutateResource(prod, 'google_compute_security_policy', 'prod-edge-waf', (v: Json) => {
      for (const rule of v.rule) if (rule.priority >= 3000 && rule.priority < 3030) rule.preview = true;
    });
    expect(explain(previewed)).toEqual([
      expect.stringMatching(/^LB002 google_compute_security_policy\.edge-armor_policy_\w+: Cloud Armor policy "prod-edge-waf" only logs \(preview\) at priorities 3000, 3010, 3020$/),
    ]);
    expect(explain({ ...previewed, tier: 'staging' })).toEqual([]);
    // dev previews by design; judged as production (not in the catalog), it would fail.
    expect(evaluate(PUBLIC_ENTRY_RULES, [dev]).filter((f) => f.ruleId === 'LB002')).toEqual([]);
    const { tier: _tier, ...unknown } = dev;
    expect(explain(unknown)).toEqual([expect.stringMatching(/^LB002 .*: environment not in the catalog, judged as production: Cloud Armor policy "dev-edge-waf" only logs/)]);
  });
});
