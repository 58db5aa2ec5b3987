/**
 * The public entry across both apps, per environment: what the platform stack creates (Cloud
 * Armor, SSL policy, address, proxy-only subnet, outputs) from the catalog, and that every name
 * the Kubernetes side uses is one the same environment's stack creates — also after a rename in
 * the plan, which both layers follow.
 */
import { describe, expect, it } from 'vitest';
import { App, Testing } from 'cdktf';
import { Testing as K8sTesting } from 'cdk8s';
import { PlatformStack } from '../../infra/platform-stack.ts';
import { buildChartsApp } from '../../charts/platform-charts.ts';
import type { PlatformPlan } from '../../constructs/platform-plan.ts';
import { planOf } from '../plan-fixtures.ts';

type EnvName = 'dev' | 'staging' | 'prod';
type Values = Record<string, any>; // synthesized JSON, read field by field on purpose
interface TfJson {
  resource: Record<string, Record<string, Values>>;
  output: Record<string, { value: unknown }>;
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Values;
}

function synthTerraform(plan: PlatformPlan): TfJson {
  return JSON.parse(Testing.synth(new PlatformStack(new App({ stackTraces: false }), { plan }))) as TfJson;
}
function synthManifests(plan: PlatformPlan): Manifest[] {
  return buildChartsApp(plan, K8sTesting.app().outdir).charts.flatMap((c) => K8sTesting.synth(c) as Manifest[]);
}
const resources = (tf: TfJson, type: string): Values[] => Object.values(tf.resource[type] ?? {});
const only = (tf: TfJson, type: string): Values => {
  const list = resources(tf, type);
  expect(list, type).toHaveLength(1);
  return list[0] as Values;
};

/** What the Kubernetes side names, and whether the same environment's output has it. */
function crossLayerReferences(tf: TfJson, manifests: Manifest[]): { what: string; name: string; exists: boolean }[] {
  const names = (type: string): string[] => resources(tf, type).map((r) => String(r.name));
  const refs: { what: string; name: string; exists: boolean }[] = [];
  for (const o of manifests) {
    if (o.kind === 'BackendConfig' && o.spec?.securityPolicy) {
      const name = String(o.spec.securityPolicy.name);
      refs.push({ what: `BackendConfig/${o.metadata.name} securityPolicy`, name, exists: names('google_compute_security_policy').includes(name) });
    }
    if (o.kind === 'FrontendConfig') {
      const name = String(o.spec?.sslPolicy);
      refs.push({ what: `FrontendConfig/${o.metadata.name} sslPolicy`, name, exists: names('google_compute_ssl_policy').includes(name) });
    }
    if (o.kind === 'Ingress' && o.metadata.annotations?.['kubernetes.io/ingress.class'] === 'gce') {
      const a = o.metadata.annotations;
      const ip = String(a['kubernetes.io/ingress.global-static-ip-name']);
      refs.push({ what: `Ingress/${o.metadata.name} static IP`, name: ip, exists: names('google_compute_global_address').includes(ip) });
      const cert = String(a['networking.gke.io/managed-certificates']);
      refs.push({ what: `Ingress/${o.metadata.name} certificate`, name: cert, exists: manifests.some((m) => m.kind === 'ManagedCertificate' && m.metadata.name === cert && m.metadata.namespace === o.metadata.namespace) });
      const fc = String(a['networking.gke.io/v1beta1.FrontendConfig']);
      refs.push({ what: `Ingress/${o.metadata.name} FrontendConfig`, name: fc, exists: manifests.some((m) => m.kind === 'FrontendConfig' && m.metadata.name === fc && m.metadata.namespace === o.metadata.namespace) });
    }
    const backendConfigs = o.kind === 'Service' ? o.metadata.annotations?.['cloud.google.com/backend-config'] : undefined;
    if (backendConfigs) {
      const parsed = JSON.parse(backendConfigs) as { default?: string; ports?: Record<string, string> };
      for (const name of [parsed.default, ...Object.values(parsed.ports ?? {})].filter((n): n is string => n !== undefined)) {
        refs.push({ what: `Service/${o.metadata.name} backend-config`, name, exists: manifests.some((m) => m.kind === 'BackendConfig' && m.metadata.name === name && m.metadata.namespace === o.metadata.namespace) });
      }
    }
  }
  return refs;
}

describe.each(['dev', 'staging', 'prod'] as const)('public entry of %s', (envName: EnvName) => {
  const plan = planOf(envName);
  const { env } = plan;
  const tf = synthTerraform(plan);
  const policy = only(tf, 'google_compute_security_policy');
  const rules = policy.rule as Values[];
  const expressions = rules.map((r) => String(r.match?.expr?.expression ?? ''));

  it('has a Cloud Armor rule for every OWASP set of the catalog, at its sensitivity, and the Log4Shell rule', () => {
    expect(policy.name).toBe(`${envName}-edge-waf`);
    expect(env.edge.armor.owasp.length).toBeGreaterThan(0);
    for (const { ruleSet, sensitivity } of env.edge.armor.owasp) {
      expect(expressions).toContain(`evaluatePreconfiguredWaf('${ruleSet}', {'sensitivity': ${sensitivity}})`);
    }
    expect(expressions.filter((e) => e.startsWith('evaluatePreconfiguredWaf(') && !e.includes("'cve-canary'"))).toHaveLength(env.edge.armor.owasp.length);
    expect(expressions.filter((e) => e.includes("evaluatePreconfiguredWaf('cve-canary'") && e.includes('owasp-crs-v030001-id044228-cve'))).toHaveLength(1);
    expect(rules.at(-1)).toMatchObject({ priority: 2_147_483_647, action: 'allow' });
  });

  it("bans per client IP at the catalog's threshold, interval and duration", () => {
    const { thresholdCount, intervalSec, banDurationSec } = env.edge.armor.rateBan;
    expect(rules.find((r) => r.action === 'rate_based_ban')?.rate_limit_options).toEqual({
      enforce_on_key: 'IP',
      conform_action: 'allow',
      exceed_action: 'deny(429)',
      rate_limit_threshold: { count: thresholdCount, interval_sec: intervalSec },
      ban_duration_sec: banDurationSec,
    });
  });

  it(envName === 'dev' ? 'previews the WAF and the ban, and logs verbosely' : 'enforces every rule', () => {
    const previewed = rules.filter((r) => r.preview === true).map((r) => r.action);
    if (envName === 'dev') {
      expect(previewed).toEqual([...Array(env.edge.armor.owasp.length + 1).fill('deny(403)'), 'rate_based_ban']);
    } else {
      expect(previewed).toEqual([]);
    }
    expect(policy.advanced_options_config).toEqual({ json_parsing: 'STANDARD', log_level: envName === 'prod' ? 'NORMAL' : 'VERBOSE' });
    expect(policy.adaptive_protection_config.layer_7_ddos_defense_config.enable).toBe(env.edge.armor.adaptiveProtection);
  });

  it('denies the catalog\'s countries, and creates the SSL policy, the address and the proxy-only subnet', () => {
    const geo = expressions.filter((e) => e.includes('origin.region_code')).join(' || ');
    for (const code of env.edge.armor.denyCountries) expect(geo).toContain(`origin.region_code == '${code}'`);
    expect(only(tf, 'google_compute_ssl_policy')).toMatchObject({ name: `${envName}-edge-tls`, min_tls_version: 'TLS_1_2', profile: env.edge.sslPolicy.profile });
    expect(only(tf, 'google_compute_global_address')).toMatchObject({ name: `${envName}-edge-ip`, address_type: 'EXTERNAL', ip_version: 'IPV4' });
    const proxyOnly = resources(tf, 'google_compute_subnetwork').find((s) => s.purpose === 'REGIONAL_MANAGED_PROXY');
    expect(proxyOnly).toMatchObject({ name: `${env.network.vpcName}-proxy-only`, ip_cidr_range: env.network.proxyOnlyCidr, role: 'ACTIVE', region: env.gcp.region });
    expect(resources(tf, 'google_compute_firewall').find((f) => f.name === `${env.network.vpcName}-allow-proxy-only`)?.source_ranges).toEqual([env.network.proxyOnlyCidr]);
  });

  it('outputs the static IP address, the policy and certificate names', () => {
    expect(tf.output.edge_ip_address?.value).toMatch(/^\$\{google_compute_global_address\.[\w-]+\.address\}$/);
    expect(tf.output.edge_security_policy?.value).toMatch(/^\$\{google_compute_security_policy\.[\w-]+\.name\}$/);
    expect(tf.output.edge_ssl_policy?.value).toMatch(/^\$\{google_compute_ssl_policy\.[\w-]+\.name\}$/);
    expect(tf.output.edge_certificate?.value).toBe(`${envName}-edge-cert`);
  });

  it('names nothing on the Kubernetes side that the same environment does not create', () => {
    const refs = crossLayerReferences(tf, synthManifests(plan));
    // Both BackendConfigs, the FrontendConfig, three Ingress annotations, both ports of nginx.
    expect(refs.length).toBeGreaterThanOrEqual(8);
    expect(refs.filter((r) => !r.exists)).toEqual([]);
  });
});

describe('one source of names', () => {
  it('a name changed in the plan changes in both layers', () => {
    const base = planOf('staging');
    const renamed: PlatformPlan = {
      ...base,
      edge: {
        ...base.edge,
        entry: { ...base.edge.entry, securityPolicy: 'renamed-waf', sslPolicy: 'renamed-tls', address: 'renamed-ip', certificate: 'renamed-cert' },
        proxyOnlySubnet: { name: 'renamed-proxy-only', cidr: '10.24.0.0/23' },
      },
    };
    const tf = synthTerraform(renamed);
    expect(only(tf, 'google_compute_security_policy').name).toBe('renamed-waf');
    expect(only(tf, 'google_compute_ssl_policy').name).toBe('renamed-tls');
    expect(only(tf, 'google_compute_global_address').name).toBe('renamed-ip');
    expect(resources(tf, 'google_compute_subnetwork').map((s) => s.name)).toContain('renamed-proxy-only');
    const manifests = synthManifests(renamed);
    const refs = crossLayerReferences(tf, manifests);
    expect(new Set(refs.filter((r) => !r.what.includes('backend-config')).map((r) => r.name))).toEqual(new Set(['renamed-waf', 'renamed-tls', 'renamed-ip', 'renamed-cert', 'public-entry']));
    expect(refs.filter((r) => !r.exists)).toEqual([]);
    // …and a name the stack does not create is caught by the same check.
    const stale = crossLayerReferences(synthTerraform(base), manifests).filter((r) => !r.exists).map((r) => r.name);
    expect(stale.sort()).toEqual(['renamed-ip', 'renamed-tls', 'renamed-waf', 'renamed-waf']);
  });
});
