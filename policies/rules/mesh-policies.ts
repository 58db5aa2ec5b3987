/**
 * The MESH rules over the synthesized Istio objects: mutual TLS is STRICT mesh-wide with only
 * port-level exceptions fenced to callers outside the mesh, every in-mesh Service has an ALLOW
 * AuthorizationPolicy, and none allows every source.
 */
import { get, kubernetesAddress, type EnvironmentArtifacts, type KubernetesObject, type Rule, type Target } from '../engine.ts';
import { labelsOf, matchLabelsOf, podsIn, selects, type Labels } from '../pod-selection.ts';
import { ingressPoliciesFor } from './network-isolation.ts';
import type { Problem } from '../rule-scopes.ts';

/** Istio's root namespace: its selector-less PeerAuthentication and AuthorizationPolicies apply mesh-wide. */
export const MESH_ROOT = 'istio-system';
const WEAK_MODES = new Set(['PERMISSIVE', 'DISABLE']);

type Finding = ReturnType<Rule['check']>[number];

function findingsOf(artifacts: EnvironmentArtifacts, file: string, object: KubernetesObject, problems: readonly Problem[]): Finding[] {
  const target: Target = { env: artifacts.env, file, address: kubernetesAddress(object) };
  return problems.map((p) => ({ target, ...p }));
}

/** Namespaces whose pods get a sidecar (the Namespace object in the output says so). */
function meshNamespaces(objects: readonly KubernetesObject[]): Set<string> {
  return new Set(objects.filter((o) => o.kind === 'Namespace' && get(o, 'metadata', 'labels', 'istio-injection') === 'enabled').map((o) => o.metadata.name));
}

/** Whether an ingress rule's peers are all address ranges (callers outside the mesh), and it names them. */
function onlyAddressRanges(rule: unknown): boolean {
  const from = get(rule, 'from');
  return Array.isArray(from) && from.length > 0 && from.every((peer) => get(peer, 'ipBlock') !== undefined && get(peer, 'podSelector') === undefined && get(peer, 'namespaceSelector') === undefined);
}

function coversPort(rule: unknown, port: number): boolean {
  const ports = get(rule, 'ports');
  return !Array.isArray(ports) || ports.length === 0 || ports.some((p) => get(p, 'port') === undefined || Number(get(p, 'port')) === port);
}

/** Problems with one PeerAuthentication's plaintext ports: selector, and a NetworkPolicy that admits only address ranges there. */
function portExceptionProblems(pa: KubernetesObject, objects: readonly KubernetesObject[]): Problem[] {
  const ports = Object.entries(labelsOfModes(get(pa, 'spec', 'portLevelMtls'))).filter(([, mode]) => WEAK_MODES.has(mode)).map(([port]) => Number(port));
  if (ports.length === 0) return [];
  const selector = matchLabelsOf(get(pa, 'spec', 'selector'));
  if (!selector || Object.keys(selector).length === 0) {
    return [{ message: `port-level ${ports.join(', ')} without a workload selector`, remediation: 'select the one workload whose out-of-mesh callers need plaintext (Istio requires a selector for port-level mTLS)' }];
  }
  const pods = podsIn(objects, pa.metadata.namespace).filter((p) => selects(selector, p.labels));
  return pods.flatMap(({ object, labels }) => {
    const policies = ingressPoliciesFor(labels, object.metadata.namespace, objects);
    if (policies.length === 0) {
      return [{ message: `plaintext port(s) ${ports.join(', ')} of ${kubernetesAddress(object)} are open to every pod (no NetworkPolicy selects it)`, remediation: 'isolate the namespace (default-deny ingress) and admit only the address ranges outside the mesh on these ports' }];
    }
    return ports.flatMap((port) =>
      policies.flatMap((np) => {
        const rules = get(np, 'spec', 'ingress');
        const loose = (Array.isArray(rules) ? rules : []).filter((r) => coversPort(r, port) && !onlyAddressRanges(r));
        return loose.length === 0
          ? []
          : [
              {
                message: `NetworkPolicy ${np.metadata.name} admits pods or namespaces on plaintext port ${port} of ${kubernetesAddress(object)}: in-mesh callers could skip mTLS there`,
                remediation: `admit only the out-of-mesh address ranges (ipBlock) on port ${port}; in-mesh callers use another port or the mesh`,
              },
            ];
      }),
    );
  });
}

/** `{ "8080": { mode: "PERMISSIVE" } }` → `{ "8080": "PERMISSIVE" }`. */
function labelsOfModes(value: unknown): Labels {
  return labelsOf(Object.fromEntries(Object.entries(value !== null && typeof value === 'object' ? value : {}).map(([port, v]) => [port, get(v, 'mode')])));
}

export const mtlsStrict: Rule = {
  id: 'MESH001',
  severity: 'error',
  description: `Mutual TLS is STRICT mesh-wide (a PeerAuthentication in ${MESH_ROOT}); exceptions are port-level, for one workload, on ports only out-of-mesh address ranges may reach`,
  rationale:
    'Istio accepts plaintext by default (PERMISSIVE): any pod could then call a service without an identity, and every AuthorizationPolicy that names principals is bypassed on the plaintext path. A load balancer outside the mesh needs plaintext on the ports it uses — and only it may reach them.',
  remediation: `keep PeerAuthentication "default" in ${MESH_ROOT} at mode STRICT; give a plaintext exception only as portLevelMtls with a selector, and fence those ports with a NetworkPolicy that admits only the caller's address ranges`,
  equivalents: { kyverno: ['enforce-strict-mtls'] },
  catalogKeys: ['mesh'],
  check: (artifacts) => {
    const objects = artifacts.kubernetes.map((k) => k.object);
    const findings: Finding[] = [];
    const authentications = artifacts.kubernetes.filter(({ object }) => object.kind === 'PeerAuthentication');
    const root = authentications.find(({ object }) => object.metadata.namespace === MESH_ROOT && get(object, 'spec', 'selector') === undefined);
    if (!root && artifacts.kubernetes.length > 0) {
      const anchor = artifacts.kubernetes[0];
      if (anchor) {
        findings.push({
          target: { env: artifacts.env, file: anchor.file, address: `PeerAuthentication/${MESH_ROOT}/default` },
          message: `no mesh-wide PeerAuthentication in ${MESH_ROOT}: workloads accept plaintext (Istio's default is PERMISSIVE)`,
          remediation: `add PeerAuthentication "default" in ${MESH_ROOT} with mtls.mode STRICT`,
        });
      }
    }
    for (const { file, object } of authentications) {
      const mode = get(object, 'spec', 'mtls', 'mode');
      const isRoot = object === root?.object;
      const problems: Problem[] = [];
      if (isRoot && mode !== 'STRICT') {
        problems.push({ message: `the mesh-wide mode is ${typeof mode === 'string' ? mode : 'unset (PERMISSIVE)'}`, remediation: 'set spec.mtls.mode: STRICT' });
      } else if (!isRoot && typeof mode === 'string' && WEAK_MODES.has(mode)) {
        problems.push({ message: `weakens mTLS to ${mode} for every port of the pods it selects`, remediation: 'keep mode STRICT (or unset); list only the ports that need plaintext under portLevelMtls' });
      }
      problems.push(...portExceptionProblems(object, objects));
      findings.push(...findingsOf(artifacts, file, object, problems));
    }
    return findings;
  },
};

/** ALLOW policies (the default action) of the namespace or the root namespace that select these pods. */
function allowPoliciesFor(labels: Labels, namespace: string | undefined, objects: readonly KubernetesObject[]): KubernetesObject[] {
  return objects.filter((o) => {
    if (o.kind !== 'AuthorizationPolicy' || (o.metadata.namespace !== namespace && o.metadata.namespace !== MESH_ROOT)) return false;
    if ((get(o, 'spec', 'action') ?? 'ALLOW') !== 'ALLOW') return false;
    const selector = get(o, 'spec', 'selector') === undefined ? {} : matchLabelsOf(get(o, 'spec', 'selector'));
    return selector !== undefined && selects(selector, labels);
  });
}

export const servicesAuthorized: Rule = {
  id: 'MESH002',
  severity: 'error',
  description: 'Every Service in a mesh namespace has an ALLOW AuthorizationPolicy selecting its pods (its callers and fronting proxy, nothing else)',
  rationale:
    'Istio allows every request to a workload that no ALLOW policy selects: mTLS then proves who is calling but nothing checks that the caller may. A policy per service, from the catalog\'s callers, makes every allowed path explicit.',
  remediation: 'declare the service\'s callers in the catalog; the mesh chart renders its AuthorizationPolicy (one per service, named after it)',
  equivalents: { kyverno: ['require-authorizationpolicy'] },
  catalogKeys: ['callers', 'services'],
  check: (artifacts) => {
    const objects = artifacts.kubernetes.map((k) => k.object);
    const mesh = meshNamespaces(objects);
    return artifacts.kubernetes.flatMap(({ file, object }) => {
      if (object.kind !== 'Service' || !mesh.has(object.metadata.namespace ?? '')) return [];
      const selector = labelsOf(get(object, 'spec', 'selector'));
      if (Object.keys(selector).length === 0) return [];
      const pods = podsIn(objects, object.metadata.namespace).filter((p) => selects(selector, p.labels));
      const open = pods.filter((p) => allowPoliciesFor(p.labels, object.metadata.namespace, objects).length === 0);
      return findingsOf(
        artifacts,
        file,
        object,
        open.map((p) => ({
          message: `no ALLOW AuthorizationPolicy selects the pods of ${kubernetesAddress(p.object)}: every in-mesh caller may call them`,
          remediation: 'add an ALLOW AuthorizationPolicy selecting these pods whose rules name exactly their callers',
        })),
      ).map((f) => ({ ...f, catalog: { name: object.metadata.name } }));
    });
  },
};

/** Source fields that name who may call (a rule needs one, non-empty and not a wildcard). */
const SOURCE_FIELDS = ['principals', 'requestPrincipals', 'namespaces', 'ipBlocks', 'remoteIpBlocks'];

function sourceIsOpen(source: unknown): string | undefined {
  const named = SOURCE_FIELDS.flatMap((field) => {
    const values = get(source, field);
    return Array.isArray(values) && values.length > 0 ? [{ field, values: values.map(String) }] : [];
  });
  if (named.length === 0) return 'names no principal, namespace or address';
  const wildcard = named.find(({ field, values }) => field !== 'requestPrincipals' && values.some((v) => v === '*' || v === '0.0.0.0/0' || v === '::/0'));
  return wildcard ? `admits ${wildcard.field} ${wildcard.values.join(', ')}` : undefined;
}

export const noAllowAll: Rule = {
  id: 'MESH003',
  severity: 'error',
  description: 'No ALLOW AuthorizationPolicy allows every source (a rule without from, a source that names nobody, or a wildcard)',
  rationale:
    'An ALLOW rule without `from` (`rules: [{}]`), with an empty source, or with principal "*" matches every caller: the policy looks like isolation but admits the whole mesh (and, on plaintext ports, anyone).',
  remediation: 'name the callers in every rule (principals from the catalog\'s callers and the fronting proxy, or the address ranges of an out-of-mesh load balancer)',
  equivalents: {},
  catalogKeys: ['callers', 'services'],
  check: (artifacts) =>
    artifacts.kubernetes.flatMap(({ file, object }) => {
      if (object.kind !== 'AuthorizationPolicy' || (get(object, 'spec', 'action') ?? 'ALLOW') !== 'ALLOW') return [];
      const rules = get(object, 'spec', 'rules');
      const problems = (Array.isArray(rules) ? rules : []).flatMap((rule, i): Problem[] => {
        const from = get(rule, 'from');
        if (!Array.isArray(from) || from.length === 0) {
          return [{ message: `rule ${i} has no from: it admits every source`, remediation: 'name the callers under from[].source' }];
        }
        return from.flatMap((entry, j) => {
          const open = sourceIsOpen(get(entry, 'source'));
          return open ? [{ message: `rule ${i} from[${j}] ${open}: it admits every source`, remediation: 'name the callers (principals) or the address ranges allowed' }] : [];
        });
      });
      return findingsOf(artifacts, file, object, problems);
    }),
};

export const MESH_RULES: readonly Rule[] = [mtlsStrict, servicesAuthorized, noAllowAll];
