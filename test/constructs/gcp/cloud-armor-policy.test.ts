import { describe, expect, it } from 'vitest';
import { App, Testing, TerraformStack } from 'cdktf';
import { ARMOR_PRIORITY, CloudArmorPolicy, LOG4SHELL_SIGNATURES, type CloudArmorPolicyProps } from '../../../constructs/gcp/cloud-armor-policy.ts';

interface SynthRule {
  priority: number;
  action: string;
  preview: boolean;
  description: string;
  match: { versioned_expr?: string; config?: { src_ip_ranges: string[] }; expr?: { expression: string } };
  rate_limit_options?: Record<string, unknown>;
}

function build(props: Partial<CloudArmorPolicyProps>, configure: (p: CloudArmorPolicy) => void = () => {}): { policy: Record<string, unknown>; rules: SynthRule[] } {
  const stack = new TerraformStack(new App({ stackTraces: false }), 'armor-test');
  const armor = new CloudArmorPolicy(stack, 'armor', { name: 'test-waf', preview: false, verboseLogging: false, adaptiveProtection: false, ...props });
  configure(armor);
  const tf = JSON.parse(Testing.synth(stack)) as { resource: { google_compute_security_policy: Record<string, Record<string, unknown>> } };
  const [policy] = Object.values(tf.resource.google_compute_security_policy);
  if (!policy) throw new Error('no policy synthesized');
  return { policy, rules: policy.rule as SynthRule[] };
}

const priorities = (rules: readonly SynthRule[]): number[] => rules.map((r) => r.priority);
const ranges = (n: number, third = 0): string[] => Array.from({ length: n }, (_, i) => `198.51.${third}.${i * 4}/30`);

describe('CloudArmorPolicy', () => {
  it('always has the Log4Shell rule and an explicit default allow, even with no intents', () => {
    const { rules } = build({});
    expect(priorities(rules)).toEqual([ARMOR_PRIORITY.cveCanary, 2_147_483_647]);
    const [canary, last] = rules;
    expect(canary?.action).toBe('deny(403)');
    for (const signature of LOG4SHELL_SIGNATURES) expect(canary?.match.expr?.expression).toContain(`'${signature}'`);
    expect(canary?.match.expr?.expression).toMatch(/^evaluatePreconfiguredWaf\('cve-canary', \{'sensitivity': 0, 'opt_in_rule_ids': \[/);
    expect(last).toMatchObject({ action: 'allow', match: { versioned_expr: 'SRC_IPS_V1', config: { src_ip_ranges: ['*'] } }, preview: false });
  });

  it('evaluates each OWASP set at its sensitivity, at a priority fixed by the set (adding one renumbers nothing)', () => {
    const before = build({}, (p) => p.preconfiguredWaf('sqli-v33-stable', 2).preconfiguredWaf('rce-v33-stable', 3)).rules;
    const after = build({}, (p) => p.preconfiguredWaf('rce-v33-stable', 3).preconfiguredWaf('xss-v33-stable', 1).preconfiguredWaf('sqli-v33-stable', 2)).rules;
    const at = (rules: SynthRule[], set: string): SynthRule | undefined => rules.find((r) => r.match.expr?.expression.includes(`'${set}'`));
    expect(at(before, 'sqli-v33-stable')).toMatchObject({ priority: 3010, action: 'deny(403)', match: { expr: { expression: "evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 2})" } } });
    expect(at(before, 'rce-v33-stable')?.priority).toBe(3050);
    expect(at(after, 'sqli-v33-stable')?.priority).toBe(3010);
    expect(at(after, 'rce-v33-stable')?.priority).toBe(3050);
    expect(at(after, 'xss-v33-stable')).toMatchObject({ priority: 3020, match: { expr: { expression: "evaluatePreconfiguredWaf('xss-v33-stable', {'sensitivity': 1})" } } });
    // Rules come out in priority order whatever the order of the calls.
    expect(priorities(after)).toEqual([...priorities(after)].sort((a, b) => a - b));
  });

  it('splits deny and allow lists into rules of at most 10 ranges, and countries into expressions of at most 5', () => {
    const countries = ['KP', 'IR', 'SY', 'CU', 'RU', 'BY', 'VE'];
    const { rules } = build({}, (p) => p.denyIpRanges(ranges(23)).allowIpRanges(ranges(11, 1)).denyCountries(countries));
    const deny = rules.filter((r) => r.action === 'deny(403)' && r.match.config);
    expect(deny.map((r) => [r.priority, r.match.config?.src_ip_ranges.length])).toEqual([[1000, 10], [1001, 10], [1002, 3]]);
    expect(deny.flatMap((r) => r.match.config?.src_ip_ranges)).toEqual(ranges(23));
    const allow = rules.filter((r) => r.action === 'allow' && r.priority < ARMOR_PRIORITY.default);
    expect(allow.map((r) => [r.priority, r.match.config?.src_ip_ranges.length])).toEqual([[4000, 10], [4001, 1]]);
    const geo = rules.filter((r) => r.match.expr?.expression.includes('origin.region_code'));
    expect(geo.map((r) => r.priority)).toEqual([2000, 2001]);
    expect(geo[0]?.match.expr?.expression).toBe("origin.region_code == 'KP' || origin.region_code == 'IR' || origin.region_code == 'SY' || origin.region_code == 'CU' || origin.region_code == 'RU'");
    expect(geo[1]?.match.expr?.expression).toBe("origin.region_code == 'BY' || origin.region_code == 'VE'");
  });

  it('bans per client IP with the given threshold, interval and ban duration, last before the default rule', () => {
    const { rules } = build({}, (p) => p.rateBasedBan({ thresholdCount: 1000, intervalSec: 60, banDurationSec: 900 }).preconfiguredWaf('sqli-v33-stable', 1).allowIpRanges(['203.0.113.0/24']));
    expect(rules.at(-2)).toEqual({
      priority: ARMOR_PRIORITY.rateBasedBan,
      action: 'rate_based_ban',
      description: 'rate-based ban: 1000 requests per 60 s per client IP',
      match: { versioned_expr: 'SRC_IPS_V1', config: { src_ip_ranges: ['*'] } },
      preview: false,
      rate_limit_options: {
        enforce_on_key: 'IP',
        conform_action: 'allow',
        exceed_action: 'deny(429)',
        rate_limit_threshold: { count: 1000, interval_sec: 60 },
        ban_duration_sec: 900,
      },
    });
    // The allow rule comes after the WAF: a trusted source skips only the ban.
    expect(rules.findIndex((r) => r.action === 'allow')).toBeGreaterThan(rules.findIndex((r) => r.description.startsWith('OWASP')));
  });

  it('previews the WAF rules and the ban, never the explicit lists', () => {
    const { rules } = build({ preview: true }, (p) =>
      p.preconfiguredWaf('xss-v33-stable', 2).denyIpRanges(['192.0.2.0/24']).denyCountries(['KP']).allowIpRanges(['203.0.113.0/24']).rateBasedBan({ thresholdCount: 10, intervalSec: 10, banDurationSec: 60 }),
    );
    const previewed = rules.filter((r) => r.preview).map((r) => r.priority);
    expect(previewed).toEqual([ARMOR_PRIORITY.cveCanary, 3020, ARMOR_PRIORITY.rateBasedBan]);
  });

  it('logs verbosely, parses JSON and turns on adaptive protection as asked', () => {
    expect(build({ verboseLogging: true, adaptiveProtection: true }).policy).toMatchObject({
      type: 'CLOUD_ARMOR',
      advanced_options_config: { json_parsing: 'STANDARD', log_level: 'VERBOSE' },
      adaptive_protection_config: { layer_7_ddos_defense_config: { enable: true, rule_visibility: 'STANDARD' } },
    });
    expect(build({}).policy).toMatchObject({
      advanced_options_config: { log_level: 'NORMAL' },
      adaptive_protection_config: { layer_7_ddos_defense_config: { enable: false } },
    });
  });

  it('refuses a sensitivity the rule set has no signatures at, a set twice, a second ban and a bad region code', () => {
    expect(() => build({}, (p) => p.preconfiguredWaf('lfi-v33-stable', 2))).toThrow(/lfi-v33-stable takes a sensitivity of 1–1, not 2/);
    expect(() => build({}, (p) => p.preconfiguredWaf('xss-v33-stable', 1).preconfiguredWaf('xss-v33-stable', 2))).toThrow(/xss-v33-stable is already configured/);
    const ban = { thresholdCount: 1, intervalSec: 10, banDurationSec: 60 };
    expect(() => build({}, (p) => p.rateBasedBan(ban).rateBasedBan(ban))).toThrow(/already configured/);
    expect(() => build({}, (p) => p.denyCountries(['kp']))).toThrow(/"kp" is not a region code/);
  });
});
