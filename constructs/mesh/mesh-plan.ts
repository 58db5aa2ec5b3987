/**
 * MeshPlan: the Istio policy the catalog implies, derived once.
 *  - mTLS: the catalog's mode (STRICT) mesh-wide, from the root namespace; port-level PERMISSIVE
 *    only where a caller outside the mesh must connect in plaintext — the GLB to nginx's two
 *    listeners, and an internal entry's load balancer to its service's port.
 *  - Authorization: one ALLOW policy per service whose sources are exactly its declared callers
 *    plus the edge proxy that fronts it (Kong with a valid JWT from the route's issuer when Kong
 *    cannot validate it itself; the edge gateway, which validates its own), on the serving port.
 *    A service nobody calls gets a policy with no rules: nothing is allowed in.
 *  - Sidecar scopes: per namespace, the hosts its workloads call by the catalog.
 *  - DestinationRules where they add something: outlier detection for every service with
 *    in-mesh traffic, keepalive on long-lived streams, no HTTP/2 upgrade for WebSocket and SSE,
 *    subsets for a canary — whose VirtualService splits the traffic by the catalog's weight.
 * Pure: reads the derived plan.
 */
import type { PlatformPlan } from '../platform-plan.ts';
import type { WorkloadPlan } from '../k8s/workload-plan.ts';
import { TRACKS } from '../k8s/workload-plan.ts';
import { GLB_SOURCE_RANGES } from '../edge/edge-plan.ts';
import { NAME_LABEL, VPC_CLIENT_RANGES } from '../k8s/network-plan.ts';
import { platformKey } from '../../environments/schema/kubernetes.ts';

/** Istio's root namespace: a PeerAuthentication there applies mesh-wide. */
export const MESH_ROOT_NAMESPACE = 'istio-system';

export interface PeerAuthenticationPlan {
  readonly name: string;
  readonly namespace: string;
  /** Absent: every workload of the namespace (the root namespace: the whole mesh). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly mode: 'STRICT' | 'PERMISSIVE';
  /** Ports (the pod's) that accept plaintext from outside the mesh. */
  readonly permissivePorts: readonly number[];
  readonly why: string;
}

export interface AuthorizationSourcePlan {
  /** SPIFFE identities (`<trust domain>/ns/<ns>/sa/<sa>`), proven by mTLS. */
  readonly principals?: readonly string[];
  /** End-user JWT issuers (`<iss>/*`) a request must also carry a valid token from. */
  readonly requestPrincipals?: readonly string[];
  /** Plaintext sources outside the mesh (by peer address). */
  readonly ipBlocks?: readonly string[];
  readonly ports: readonly number[];
}

export interface AuthorizationPolicyPlan {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  /** Empty: nothing is allowed in. */
  readonly rules: readonly AuthorizationSourcePlan[];
}

export interface RequestAuthenticationPlan {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audiences: readonly string[];
}

export interface SidecarPlan {
  readonly namespace: string;
  /** `<namespace>/<host>` entries the namespace's sidecars are configured for. */
  readonly hosts: readonly string[];
}

export interface DestinationRulePlan {
  readonly name: string;
  readonly namespace: string;
  readonly host: string;
  readonly protocol: WorkloadPlan['protocol'];
  readonly subsets: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[];
}

export interface VirtualServicePlan {
  readonly name: string;
  readonly namespace: string;
  readonly host: string;
  readonly port: number;
  readonly canaryWeight: number;
}

export interface MeshPlan {
  readonly peerAuthentications: readonly PeerAuthenticationPlan[];
  readonly authorizationPolicies: readonly AuthorizationPolicyPlan[];
  readonly requestAuthentications: readonly RequestAuthenticationPlan[];
  readonly sidecars: readonly SidecarPlan[];
  readonly destinationRules: readonly DestinationRulePlan[];
  readonly virtualServices: readonly VirtualServicePlan[];
}

export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

export function planMesh(plan: PlatformPlan): MeshPlan {
  const { env, edge } = plan;
  const workloads = plan.workloads.workloads;
  const byName = new Map(workloads.map((w) => [w.name, w]));
  const principal = (namespace: string, serviceAccount: string): string => `${env.mesh.trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
  const { nginx, kong, gateway } = edge;
  const nginxPrincipal = principal(edge.namespace, nginx.name);

  const peerAuthentications: PeerAuthenticationPlan[] = [
    { name: 'default', namespace: MESH_ROOT_NAMESPACE, mode: env.mesh.mtls, permissivePorts: [], why: 'every workload of the mesh' },
    {
      name: nginx.name,
      namespace: edge.namespace,
      selector: { [NAME_LABEL]: nginx.name },
      mode: 'STRICT',
      permissivePorts: [nginx.ports.http, nginx.ports.grpcTls],
      why: 'the GLB is outside the mesh and connects to both nginx listeners without Istio mTLS',
    },
    ...edge.internalEntries.flatMap((entry): PeerAuthenticationPlan[] => {
      const w = byName.get(entry.service);
      return w
        ? [{ name: w.name, namespace: w.namespace, selector: { ...w.selector }, mode: 'STRICT', permissivePorts: [w.port], why: `${entry.kind} entry ${entry.name}: VPC callers are outside the mesh` }]
        : [];
    }),
  ];

  const requestAuthentications: RequestAuthenticationPlan[] = [];
  const authorizationPolicies: AuthorizationPolicyPlan[] = workloads.map((w) => {
    const svc = env.services.find((s) => s.name === w.name);
    const rules: AuthorizationSourcePlan[] = [];
    const route = plan.routes.find((r) => r.upstream?.service === w.name);
    if (route?.via === 'kong') {
      const kongPrincipal = principal(edge.namespace, kong.name);
      if (route.auth.type === 'jwt') {
        // OSS Kong cannot fetch a JWKS: the workload validates the token, and only Kong WITH one gets in.
        requestAuthentications.push({
          name: w.name,
          namespace: w.namespace,
          selector: { ...w.selector },
          issuer: route.auth.issuer,
          jwksUri: route.auth.jwksUri,
          audiences: route.auth.audiences,
        });
        rules.push({ principals: [kongPrincipal], requestPrincipals: [`${route.auth.issuer}/*`], ports: [w.port] });
      } else {
        rules.push({ principals: [kongPrincipal], ports: [w.port] });
      }
    } else if (route?.via === 'gateway') {
      rules.push({ principals: [principal(edge.namespace, gateway.name)], ports: [w.port] });
    }
    const callers = (svc?.callers ?? []).flatMap((c) => {
      const caller = byName.get(c);
      return caller ? [principal(caller.namespace, caller.serviceAccount)] : [];
    });
    if (callers.length > 0) rules.push({ principals: callers, ports: [w.port] });
    const entry = edge.internalEntries.find((e) => e.service === w.name);
    if (entry) {
      const ipBlocks = entry.kind === 'internal-alb' ? [...(edge.proxyOnlySubnet ? [edge.proxyOnlySubnet.cidr] : []), ...GLB_SOURCE_RANGES] : [...VPC_CLIENT_RANGES];
      rules.push({ ipBlocks, ports: [w.port] });
    }
    return { name: w.name, namespace: w.namespace, selector: { ...w.selector }, rules };
  });
  authorizationPolicies.push(
    {
      name: nginx.name,
      namespace: edge.namespace,
      selector: { [NAME_LABEL]: nginx.name },
      rules: [{ ipBlocks: [...GLB_SOURCE_RANGES], ports: [nginx.ports.http, nginx.ports.grpcTls] }],
    },
    { name: kong.name, namespace: edge.namespace, selector: { [NAME_LABEL]: kong.name }, rules: [{ principals: [nginxPrincipal], ports: [kong.ports.http, kong.ports.grpc] }] },
    {
      name: gateway.name,
      namespace: edge.namespace,
      selector: { [NAME_LABEL]: gateway.name },
      rules: [{ principals: [nginxPrincipal], ports: [gateway.ports.http, gateway.ports.grpc] }],
    },
  );

  // Who calls what: the catalog's callers, and the edge chain (nginx → Kong/gateway → upstreams).
  const calls = new Map<string, Set<string>>();
  const call = (fromNamespace: string, name: string, namespace: string): void => {
    const hosts = calls.get(fromNamespace) ?? new Set<string>();
    hosts.add(`${namespace}/${serviceHost(name, namespace)}`);
    calls.set(fromNamespace, hosts);
  };
  for (const svc of env.services) {
    for (const c of svc.callers) {
      const caller = byName.get(c);
      if (caller) call(caller.namespace, svc.name, svc.namespace);
    }
  }
  call(edge.namespace, kong.name, edge.namespace);
  call(edge.namespace, gateway.name, edge.namespace);
  for (const r of plan.routes) if (r.upstream) call(edge.namespace, r.upstream.service, r.upstream.namespace);
  const meshNamespaces = [...new Set([...workloads.map((w) => w.namespace), edge.namespace])].sort();
  // Every sidecar (and the gateway and Kong) sends its spans to the collector: it must know that host.
  const { collector } = plan.observability;
  for (const namespace of meshNamespaces) call(namespace, collector.name, collector.namespace);
  const sidecars = meshNamespaces.map((namespace) => ({
    namespace,
    hosts: [`${MESH_ROOT_NAMESPACE}/*`, ...[...(calls.get(namespace) ?? [])].sort()],
  }));

  const track = platformKey(plan.workloads.labelPrefix, 'track');
  const inMesh = new Set([...plan.routes.flatMap((r) => (r.upstream ? [r.upstream.service] : [])), ...env.services.filter((s) => s.callers.length > 0).map((s) => s.name)]);
  const destinationRules = workloads
    .filter((w) => inMesh.has(w.name))
    .map((w): DestinationRulePlan => ({
      name: w.name,
      namespace: w.namespace,
      host: serviceHost(w.name, w.namespace),
      protocol: w.protocol,
      subsets: w.canary
        ? [
            { name: TRACKS.stable, labels: { [track]: TRACKS.stable } },
            { name: TRACKS.canary, labels: { [track]: TRACKS.canary } },
          ]
        : [],
    }));
  const virtualServices = workloads.flatMap((w): VirtualServicePlan[] =>
    w.canary && inMesh.has(w.name)
      ? [{ name: w.name, namespace: w.namespace, host: serviceHost(w.name, w.namespace), port: w.port, canaryWeight: w.canary.weight }]
      : [],
  );

  return { peerAuthentications, authorizationPolicies, requestAuthentications, sidecars, destinationRules, virtualServices };
}
