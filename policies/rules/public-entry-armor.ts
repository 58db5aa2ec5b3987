/**
 * The public entry is protected by Cloud Armor, and in production for real.
 *
 * GKE attaches a Cloud Armor policy to a GLB backend by name, from the BackendConfig that the
 * backend's Service names; the policy itself lives in Terraform. So LB001 follows the chain the
 * controller follows — public Ingress → Service port → BackendConfig → policy name — across the
 * Kubernetes output and the same environment's Terraform, and fails where it breaks. LB002 reads
 * the policies: in a production-tier environment (the tier comes from the catalog, as for IAM004)
 * no rule may be in preview, where Cloud Armor only logs what it would block.
 */
import { get, kubernetesAddress, type EnvironmentArtifacts, type Finding, type KubernetesObject, type Rule } from '../engine.ts';

type RuleFinding = Omit<Finding, 'ruleId' | 'severity'>;

const BACKEND_CONFIG_ANNOTATIONS = ['cloud.google.com/backend-config', 'beta.cloud.google.com/backend-config'] as const;
const SECURITY_POLICY_TYPE = 'google_compute_security_policy';

/** GKE's own controller serves an Ingress of class `gce`, and one with no class at all. */
function isPublicIngress(o: KubernetesObject): boolean {
  if (o.kind !== 'Ingress') return false;
  const cls = get(o, 'metadata', 'annotations', 'kubernetes.io/ingress.class') ?? get(o, 'spec', 'ingressClassName');
  return cls === undefined || cls === 'gce';
}

interface BackendRef {
  readonly service: string;
  readonly port: string | number;
}

/** The Service backends an Ingress routes to: its default backend and every path's. */
function backendsOf(ingress: KubernetesObject): BackendRef[] {
  const refs: unknown[] = [get(ingress, 'spec', 'defaultBackend')];
  const rules = get(ingress, 'spec', 'rules');
  for (const rule of Array.isArray(rules) ? rules : []) {
    const paths = get(rule, 'http', 'paths');
    for (const path of Array.isArray(paths) ? paths : []) refs.push(get(path, 'backend'));
  }
  return refs.flatMap((ref) => {
    const service = get(ref, 'service', 'name');
    const port = get(ref, 'service', 'port', 'number') ?? get(ref, 'service', 'port', 'name');
    return typeof service === 'string' && (typeof port === 'number' || typeof port === 'string') ? [{ service, port }] : [];
  });
}

/** The BackendConfig a Service's annotation assigns to one of its ports (by port name or number, else `default`). */
function backendConfigFor(service: KubernetesObject, port: string | number): string | undefined {
  const text = BACKEND_CONFIG_ANNOTATIONS.map((a) => get(service, 'metadata', 'annotations', a)).find((v) => typeof v === 'string');
  if (typeof text !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const ports = get(service, 'spec', 'ports');
  const spec = (Array.isArray(ports) ? ports : []).find((p) => get(p, 'port') === port || get(p, 'name') === port);
  const keys = [get(spec, 'name'), get(spec, 'port'), port].filter((k) => k !== undefined).map(String);
  for (const key of keys) {
    const name = get(parsed, 'ports', key);
    if (typeof name === 'string') return name;
  }
  const fallback = get(parsed, 'default');
  return typeof fallback === 'string' ? fallback : undefined;
}

export const publicBackendsArmored: Rule = {
  id: 'LB001',
  severity: 'error',
  description: "Every backend of a public Ingress has a BackendConfig naming a Cloud Armor policy the environment's platform stack creates",
  rationale:
    'GKE attaches Cloud Armor to a GLB backend only through the BackendConfig its Service names; a missing BackendConfig, a missing securityPolicy, or a policy name that Terraform does not create leaves that backend with no WAF, no rate-based ban and no deny lists — silently, as the Ingress still works.',
  remediation:
    "annotate the Service with cloud.google.com/backend-config for every port the Ingress uses, and set the BackendConfig's securityPolicy.name to the policy of plan.edge.entry (the platform stack's google_compute_security_policy)",
  equivalents: {},
  catalogKeys: ['armor', 'edge'],
  check: (artifacts: EnvironmentArtifacts): RuleFinding[] => {
    const objects = artifacts.kubernetes;
    const policies = artifacts.terraform.resources.filter((r) => r.type === SECURITY_POLICY_TYPE).map((r) => String(r.values.name));
    const created = policies.length > 0 ? `it creates ${policies.map((p) => `"${p}"`).join(', ')}` : 'it creates no security policy';
    const find = (kind: string, namespace: string | undefined, name: string) =>
      objects.find((o) => o.object.kind === kind && o.object.metadata.name === name && o.object.metadata.namespace === namespace);
    const findings = new Map<string, RuleFinding>();
    const report = (file: string, address: string, message: string, remediation: string): void => {
      if (!findings.has(address)) findings.set(address, { target: { env: artifacts.env, file, address }, message, remediation });
    };

    for (const { file, object: ingress } of objects.filter((o) => isPublicIngress(o.object))) {
      const ns = ingress.metadata.namespace;
      const ingressName = `${ns ?? '_cluster'}/${ingress.metadata.name}`;
      for (const { service: serviceName, port } of backendsOf(ingress)) {
        const service = find('Service', ns, serviceName);
        if (!service) {
          report(file, kubernetesAddress(ingress), `routes to Service ${serviceName}, which is not in the output: its backend has no Cloud Armor policy`, 'route the Ingress to a Service this environment deploys');
          continue;
        }
        const configName = backendConfigFor(service.object, port);
        if (!configName) {
          report(
            service.file,
            `${kubernetesAddress(service.object)}#${port}`,
            `port ${port} is a backend of public Ingress ${ingressName} but has no BackendConfig (cloud.google.com/backend-config): no Cloud Armor policy`,
            `name a BackendConfig for port ${port} in the Service's cloud.google.com/backend-config annotation`,
          );
          continue;
        }
        const config = find('BackendConfig', ns, configName);
        if (!config) {
          report(
            service.file,
            `${kubernetesAddress(service.object)}#${port}`,
            `port ${port} names BackendConfig ${configName}, which is not in the output: no Cloud Armor policy`,
            `add BackendConfig ${configName} in namespace ${ns ?? 'default'}`,
          );
          continue;
        }
        const policy = get(config.object, 'spec', 'securityPolicy', 'name');
        if (typeof policy !== 'string' || policy === '') {
          report(config.file, kubernetesAddress(config.object), `backs public Ingress ${ingressName} without a Cloud Armor policy (spec.securityPolicy.name)`, 'set spec.securityPolicy.name to the environment\'s Cloud Armor policy');
        } else if (!policies.includes(policy)) {
          report(
            config.file,
            kubernetesAddress(config.object),
            `names Cloud Armor policy "${policy}", which platform-${artifacts.env} does not create (${created})`,
            "name the policy the platform stack creates (plan.edge.entry.securityPolicy), or create it there",
          );
        }
      }
    }
    return [...findings.values()];
  },
};

export const armorEnforcedInProduction: Rule = {
  id: 'LB002',
  severity: 'error',
  description: 'Production-tier environments enforce their Cloud Armor policies (no rule in preview)',
  rationale:
    'A rule in preview only logs what it would block: in production that leaves the WAF, the Log4Shell rule and the rate-based ban switched off while the policy still looks configured. Preview belongs to lower environments, where it shows what production would block before it does.',
  remediation: 'set edge.armor.preview to false in production-tier environments (tune noisy signatures in dev or staging first)',
  equivalents: {},
  catalogKeys: ['preview', 'armor'],
  check: ({ env, tier, terraform }): RuleFinding[] => {
    if (tier !== undefined && tier !== 'production') return [];
    return terraform.resources
      .filter((r) => r.type === SECURITY_POLICY_TYPE)
      .flatMap((policy) => {
        const rules = Array.isArray(policy.values.rule) ? (policy.values.rule as unknown[]) : [];
        const previewed = rules.filter((r) => get(r, 'preview') === true).map((r) => String(get(r, 'priority')));
        if (previewed.length === 0) return [];
        return [
          {
            target: { env, file: terraform.file, address: policy.address },
            message: `${tier === undefined ? 'environment not in the catalog, judged as production: ' : ''}Cloud Armor policy "${String(policy.values.name)}" only logs (preview) at priorit${previewed.length === 1 ? 'y' : 'ies'} ${previewed.join(', ')}`,
            remediation: 'set edge.armor.preview to false for this environment',
          },
        ];
      });
  },
};

export const PUBLIC_ENTRY_RULES: readonly Rule[] = [publicBackendsArmored, armorEnforcedInProduction];
