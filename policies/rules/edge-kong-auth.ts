/**
 * EDGE006 — every Kong route authenticates: an authentication plugin in Kong (key-auth, …), or
 * a JWT validated at the workload behind it — an Istio RequestAuthentication selecting the
 * upstream's pods in its namespace, with an ALLOW AuthorizationPolicy there that requires a
 * request principal (a RequestAuthentication alone lets requests without a token through).
 */
import { get, podSpecOf, type EnvironmentArtifacts, type KubernetesObject, type Rule } from '../engine.ts';
import { edgeTarget, kongServiceAddress } from './edge-addresses.ts';
import { edgeView, type KongRouteView, type KongServiceEntry } from './edge-configs.ts';

/** Kong's authentication plugins (OSS and Enterprise); any one, enabled, authenticates the route. */
const AUTH_PLUGINS = new Set(['key-auth', 'key-auth-enc', 'jwt', 'basic-auth', 'hmac-auth', 'oauth2', 'ldap-auth', 'mtls-auth', 'openid-connect']);
const NAME_LABEL = 'app.kubernetes.io/name';

/** `orders-api.commerce.svc.cluster.local` (or `.svc`, or a `url`) → the Kubernetes Service it names. */
function upstreamOf(service: KongServiceEntry): { name: string; namespace: string } | undefined {
  let host = service.host;
  if (host === undefined && service.url !== undefined) {
    try {
      host = new URL(service.url).hostname;
    } catch {
      return undefined;
    }
  }
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?\.?$/.exec(host ?? '');
  return m?.[1] && m[2] ? { name: m[1], namespace: m[2] } : undefined;
}

const labelsOf = (value: unknown): Record<string, string> =>
  value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};

/** The labels of the upstream's pods: the Service's selector, completed by the workload it selects. */
function podLabels(objects: readonly KubernetesObject[], upstream: { name: string; namespace: string }): Record<string, string> {
  const inNs = objects.filter((o) => o.metadata.namespace === upstream.namespace);
  const svc = inNs.find((o) => o.kind === 'Service' && o.metadata.name === upstream.name);
  const selector = svc ? labelsOf(get(svc, 'spec', 'selector')) : { [NAME_LABEL]: upstream.name };
  const selects = (labels: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);
  const workload = inNs.find((o) => podSpecOf(o) !== undefined && o.kind !== 'Pod' && selects(labelsOf(get(o, 'spec', 'template', 'metadata', 'labels'))));
  return { ...selector, ...(workload ? labelsOf(get(workload, 'spec', 'template', 'metadata', 'labels')) : {}) };
}

/** An Istio policy in the namespace that applies to pods with these labels (no selector: every pod). */
function appliesTo(o: KubernetesObject, namespace: string, labels: Record<string, string>): boolean {
  if (o.metadata.namespace !== namespace) return false;
  const match = labelsOf(get(o, 'spec', 'selector', 'matchLabels'));
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

function requiresPrincipal(policy: KubernetesObject): boolean {
  const action = get(policy, 'spec', 'action') ?? 'ALLOW';
  const rules = get(policy, 'spec', 'rules');
  if (action !== 'ALLOW' || !Array.isArray(rules) || rules.length === 0) return false;
  // Every rule must demand a request principal: one rule without it admits token-less requests.
  return rules.every((rule) => {
    const from = get(rule, 'from');
    return Array.isArray(from) && from.length > 0 && from.every((f) => {
      const principals = get(f, 'source', 'requestPrincipals');
      return Array.isArray(principals) && principals.length > 0;
    });
  });
}

/** Why the route is unauthenticated, or undefined when it is authenticated. */
function judge(route: KongRouteView, objects: readonly KubernetesObject[]): string | undefined {
  if (route.plugins.some((p) => AUTH_PLUGINS.has(p.name))) return undefined;
  const head = `Kong route "${route.name}" (service "${route.service.name}") has no authentication plugin`;
  const upstream = upstreamOf(route.service);
  if (!upstream) return `${head}, and its upstream host "${route.service.host ?? route.service.url ?? ''}" names no in-cluster Service whose workload could validate a JWT`;
  const labels = podLabels(objects, upstream);
  const pods = `${NAME_LABEL}=${labels[NAME_LABEL] ?? upstream.name} in namespace ${upstream.namespace}`;
  const requestAuth = objects.find(
    (o) => o.kind === 'RequestAuthentication' && appliesTo(o, upstream.namespace, labels) && (get(o, 'spec', 'jwtRules') as unknown[] | undefined)?.length,
  );
  if (!requestAuth) return `${head}, and no RequestAuthentication with jwtRules selects its pods (${pods}): nothing checks a token`;
  const requiring = objects.find((o) => o.kind === 'AuthorizationPolicy' && appliesTo(o, upstream.namespace, labels) && requiresPrincipal(o));
  if (!requiring) {
    return `${head}; RequestAuthentication "${requestAuth.metadata.name}" validates tokens for ${pods}, but no ALLOW AuthorizationPolicy there requires a request principal, so a request without a token is let through`;
  }
  return undefined;
}

export const edgeKongAuth: Rule = {
  id: 'EDGE006',
  severity: 'error',
  description: 'Every Kong route authenticates: a Kong auth plugin (key-auth), or a JWT the workload validates (RequestAuthentication + AuthorizationPolicy requiring a request principal)',
  rationale:
    'OSS Kong\'s jwt plugin cannot fetch a JWKS, so this platform validates JWTs at the workload with Istio: a RequestAuthentication (jwksUri, keys rotated automatically) rejects bad tokens but lets requests with no token through, so an AuthorizationPolicy must also require a request principal. A Kong route with neither that pair nor a Kong auth plugin serves anyone.',
  remediation: 'give the service auth jwt (the mesh renders the RequestAuthentication and AuthorizationPolicy) or key-auth (Kong\'s key-auth plugin) in the catalog',
  equivalents: {},
  catalogKeys: ['services'],
  check: (artifacts: EnvironmentArtifacts) => {
    const objects = artifacts.kubernetes.map((k) => k.object);
    return (edgeView(artifacts.edge).kong?.routes ?? []).flatMap((route) => {
      const message = judge(route, objects);
      if (!message) return [];
      return [
        {
          target: edgeTarget(artifacts, 'kong', kongServiceAddress(route.service.name)),
          message,
          remediation: `give "${route.service.name}" auth jwt or key-auth in the catalog and re-render (npm start)`,
          catalog: { name: route.service.name },
        },
      ];
    });
  },
};
