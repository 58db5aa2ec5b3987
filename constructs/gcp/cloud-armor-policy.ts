/**
 * A Cloud Armor security policy for the GLB's backends, built from intents rather than raw
 * rules: `preconfiguredWaf('sqli-v33-stable', 2)`, `denyCountries(['KP'])`, `rateBasedBan({…})`.
 *
 * Cloud Armor acts on the first rule that matches, in priority order, and an `allow` (also the
 * conform action of a rate-based ban) ends the evaluation. So the order is fixed by rule kind:
 *
 *   1000+  deny IP ranges            always enforced (explicit lists are not heuristics)
 *   2000+  deny countries            always enforced
 *   3000   Log4Shell (cve-canary)    always present; preview follows the policy
 *   3010+  OWASP CRS 3.3 rule sets   10 × (position in OWASP_RULE_SETS + 1): adding a set renumbers nothing
 *   4000+  allow IP ranges           trusted sources skip only the rate-based ban (they have passed the WAF)
 *   5000   rate-based ban            per client IP; last before the default, as its conform action allows
 *   2147483647 default allow         explicit, so Terraform owns it instead of the API's implicit one
 *
 * Within a kind, chunk i of a list gets base + i. A rule's `src_ip_ranges` holds at most 10
 * ranges and an expression at most 5 subexpressions, so longer lists become several rules.
 */
import { Construct } from 'constructs';
import {
  ComputeSecurityPolicy,
  type ComputeSecurityPolicyRule,
} from '@cdktf/provider-google/lib/compute-security-policy/index.js';
import { OWASP_MAX_SENSITIVITY, OWASP_RULE_SETS, type OwaspRuleSet } from '../../environments/schema/edge.ts';

/** Cloud Armor's limit on `src_ip_ranges` in one rule. */
export const MAX_RANGES_PER_RULE = 10;
/** Cloud Armor's limit on subexpressions in one rule's expression. */
export const MAX_SUBEXPRESSIONS_PER_RULE = 5;

export const ARMOR_PRIORITY = {
  denyIpRanges: 1000,
  denyCountries: 2000,
  cveCanary: 3000,
  owasp: 3000,
  allowIpRanges: 4000,
  rateBasedBan: 5000,
  default: 2_147_483_647,
} as const;

/** The band a kind of list may fill before it would reach the next kind's priorities. */
const BAND = 999;

/** The Log4Shell signatures of the cve-canary rule set (CVE-2021-44228, CVE-2021-45046), at every sensitivity. */
export const LOG4SHELL_SIGNATURES = [
  'owasp-crs-v030001-id044228-cve',
  'owasp-crs-v030001-id144228-cve',
  'owasp-crs-v030001-id244228-cve',
  'owasp-crs-v030001-id344228-cve',
] as const;

export interface CloudArmorPolicyProps {
  readonly name: string;
  readonly description?: string;
  /** Log what the WAF rules and the rate-based ban would block instead of blocking it (lists stay enforced). */
  readonly preview: boolean;
  /** VERBOSE logs name the request field a signature matched: for tuning outside production. */
  readonly verboseLogging: boolean;
  /** Layer-7 DDoS detection (Adaptive Protection) with standard alert visibility. */
  readonly adaptiveProtection: boolean;
}

export interface RateBasedBan {
  /** Requests per client IP in `intervalSec` before its requests get 429. */
  readonly thresholdCount: number;
  readonly intervalSec: number;
  /** How long a client stays banned after its rate falls below the threshold. */
  readonly banDurationSec: number;
}

/** Every client (a basic match on all source ranges). */
const allSources = (): ComputeSecurityPolicyRule['match'] => ({ versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } });

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class CloudArmorPolicy extends Construct {
  readonly policy: ComputeSecurityPolicy;
  private readonly preview: boolean;
  private readonly waf = new Map<OwaspRuleSet, number>();
  private readonly deniedRanges: string[] = [];
  private readonly deniedCountries: string[] = [];
  private readonly allowedRanges: string[] = [];
  private ban?: RateBasedBan;

  constructor(scope: Construct, id: string, props: CloudArmorPolicyProps) {
    super(scope, id);
    this.preview = props.preview;
    this.policy = new ComputeSecurityPolicy(this, 'policy', {
      name: props.name,
      description: props.description ?? 'GLB backends: OWASP CRS 3.3, Log4Shell, rate-based ban, deny lists',
      type: 'CLOUD_ARMOR',
      // API payloads are JSON: parse the body so signatures see field values, not one opaque string.
      advancedOptionsConfig: { jsonParsing: 'STANDARD', logLevel: props.verboseLogging ? 'VERBOSE' : 'NORMAL' },
      adaptiveProtectionConfig: {
        layer7DdosDefenseConfig: { enable: props.adaptiveProtection, ...(props.adaptiveProtection ? { ruleVisibility: 'STANDARD' } : {}) },
      },
    });
    this.render();
  }

  /** An OWASP CRS 3.3 rule set at a sensitivity it has signatures at (one rule per set). */
  preconfiguredWaf(ruleSet: OwaspRuleSet, sensitivity: number): this {
    const max = OWASP_MAX_SENSITIVITY[ruleSet];
    if (!Number.isInteger(sensitivity) || sensitivity < 1 || sensitivity > max) {
      throw new Error(`${this.node.path}: ${ruleSet} takes a sensitivity of 1–${max}, not ${sensitivity}`);
    }
    if (this.waf.has(ruleSet)) throw new Error(`${this.node.path}: ${ruleSet} is already configured`);
    this.waf.set(ruleSet, sensitivity);
    return this.render();
  }

  /** Clients from these ranges get 403, before anything else. */
  denyIpRanges(ranges: readonly string[]): this {
    this.deniedRanges.push(...ranges);
    return this.render();
  }

  /** Clients whose IP geolocates to these ISO 3166-1 alpha-2 regions get 403. */
  denyCountries(codes: readonly string[]): this {
    for (const code of codes) {
      if (!/^[A-Z]{2}$/.test(code)) throw new Error(`${this.node.path}: "${code}" is not a region code like "KP"`);
    }
    this.deniedCountries.push(...codes);
    return this.render();
  }

  /** Trusted sources: exempt from the rate-based ban, still judged by the deny lists and the WAF. */
  allowIpRanges(ranges: readonly string[]): this {
    this.allowedRanges.push(...ranges);
    return this.render();
  }

  /** Per client IP: over `thresholdCount` requests in `intervalSec` → 429, banned for `banDurationSec`. */
  rateBasedBan(ban: RateBasedBan): this {
    if (this.ban) throw new Error(`${this.node.path}: the rate-based ban is already configured`);
    this.ban = ban;
    return this.render();
  }

  /** The rules as configured, highest priority first (what `rule` holds in the synthesized policy). */
  rules(): ComputeSecurityPolicyRule[] {
    const rules: ComputeSecurityPolicyRule[] = [];
    const band = (kind: string, base: number, count: number): void => {
      if (count > BAND) throw new Error(`${this.node.path}: ${count} ${kind} rules do not fit the priorities from ${base}`);
    };

    const denied = chunks(this.deniedRanges, MAX_RANGES_PER_RULE);
    band('deny-IP', ARMOR_PRIORITY.denyIpRanges, denied.length);
    denied.forEach((srcIpRanges, i) =>
      rules.push({
        priority: ARMOR_PRIORITY.denyIpRanges + i,
        action: 'deny(403)',
        description: `deny IP ranges (${i + 1}/${denied.length})`,
        match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges } },
        preview: false,
      }),
    );

    const countries = chunks(this.deniedCountries, MAX_SUBEXPRESSIONS_PER_RULE);
    band('deny-country', ARMOR_PRIORITY.denyCountries, countries.length);
    countries.forEach((codes, i) =>
      rules.push({
        priority: ARMOR_PRIORITY.denyCountries + i,
        action: 'deny(403)',
        description: `deny countries ${codes.join(', ')}`,
        match: { expr: { expression: codes.map((c) => `origin.region_code == '${c}'`).join(' || ') } },
        preview: false,
      }),
    );

    // sensitivity 0 + opt-in: exactly the Log4Shell signatures, whatever else cve-canary gains later.
    const optIn = LOG4SHELL_SIGNATURES.map((s) => `'${s}'`).join(', ');
    rules.push({
      priority: ARMOR_PRIORITY.cveCanary,
      action: 'deny(403)',
      description: 'Log4Shell (CVE-2021-44228, CVE-2021-45046)',
      match: { expr: { expression: `evaluatePreconfiguredWaf('cve-canary', {'sensitivity': 0, 'opt_in_rule_ids': [${optIn}]})` } },
      preview: this.preview,
    });
    for (const ruleSet of OWASP_RULE_SETS) {
      const sensitivity = this.waf.get(ruleSet);
      if (sensitivity === undefined) continue;
      rules.push({
        priority: ARMOR_PRIORITY.owasp + 10 * (OWASP_RULE_SETS.indexOf(ruleSet) + 1),
        action: 'deny(403)',
        description: `OWASP CRS 3.3 ${ruleSet} at sensitivity ${sensitivity}`,
        match: { expr: { expression: `evaluatePreconfiguredWaf('${ruleSet}', {'sensitivity': ${sensitivity}})` } },
        preview: this.preview,
      });
    }

    const allowed = chunks(this.allowedRanges, MAX_RANGES_PER_RULE);
    band('allow-IP', ARMOR_PRIORITY.allowIpRanges, allowed.length);
    allowed.forEach((srcIpRanges, i) =>
      rules.push({
        priority: ARMOR_PRIORITY.allowIpRanges + i,
        action: 'allow',
        description: `trusted sources, exempt from the rate-based ban (${i + 1}/${allowed.length})`,
        match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges } },
        preview: false,
      }),
    );

    if (this.ban) {
      rules.push({
        priority: ARMOR_PRIORITY.rateBasedBan,
        action: 'rate_based_ban',
        description: `rate-based ban: ${this.ban.thresholdCount} requests per ${this.ban.intervalSec} s per client IP`,
        match: allSources(),
        rateLimitOptions: {
          enforceOnKey: 'IP',
          conformAction: 'allow',
          exceedAction: 'deny(429)',
          rateLimitThreshold: { count: this.ban.thresholdCount, intervalSec: this.ban.intervalSec },
          banDurationSec: this.ban.banDurationSec,
        },
        preview: this.preview,
      });
    }

    rules.push({ priority: ARMOR_PRIORITY.default, action: 'allow', description: 'default: allow what no rule above refused', match: allSources(), preview: false });
    return rules;
  }

  private render(): this {
    this.policy.putRule(this.rules());
    return this;
  }
}
