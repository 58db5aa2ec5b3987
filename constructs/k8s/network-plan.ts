/**
 * NetworkPolicyPlan: ingress isolation for every namespace the platform runs pods in — a
 * default deny per namespace, then exactly the allows the catalog implies, each on the ports
 * that serve it:
 *  - a service's callers (their namespace and the pods of their ServiceAccount, by name label);
 *  - the edge proxy that fronts a routed service (Kong or the edge gateway), nginx in front of
 *    those two, and the GLB's proxies and health checks to nginx (they reach pods directly, NEGs);
 *  - an internal entry's load balancer (proxy-only subnet, or VPC clients for passthrough);
 *  - Google Managed Prometheus (namespace gmp-system) to the ports a PodMonitoring scrapes;
 *  - the API server (the control-plane range) to the metrics adapter it calls;
 *  - the namespaces that send spans (the edge: the gateway, Kong and their sidecars; every
 *    meshed namespace: the sidecars) to the OpenTelemetry Collector's OTLP ports.
 * Only ingress is isolated: egress (DNS, Google APIs, istiod) stays open, and the mesh's Sidecar
 * scopes limit what workloads know of each other. The kubelet's probes come from the node,
 * which NetworkPolicy always admits; istiod never dials a sidecar (sidecars dial istiod).
 * Pure: reads the derived plan.
 */
import type { PlatformPlan } from '../platform-plan.ts';
import { GLB_SOURCE_RANGES } from '../edge/edge-plan.ts';
import { PRIVATE_RANGES } from '../../environments/schema/network.ts';

export const NAME_LABEL = 'app.kubernetes.io/name';
/** Every namespace carries this label with its own name (Kubernetes ≥ 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Where GKE runs Google Managed Prometheus' collectors. */
export const GMP_NAMESPACE = 'gmp-system';
export const DEFAULT_DENY = 'default-deny-ingress';
/** Envoy's Prometheus endpoint in every Istio sidecar (`/stats/prometheus`). */
export const ISTIO_SIDECAR_METRICS_PORT = 15090;

export type Peer =
  | { readonly kind: 'pods'; readonly namespace: string; readonly labels: Readonly<Record<string, string>> }
  | { readonly kind: 'namespace'; readonly namespace: string }
  | { readonly kind: 'cidr'; readonly cidr: string };

export interface IngressAllow {
  readonly ports: readonly number[];
  readonly from: readonly Peer[];
  /** Why the catalog implies this allow (a comment for readers of the plan and tests). */
  readonly why: string;
}

export interface NetworkPolicyPlan {
  readonly name: string;
  readonly namespace: string;
  /** Pods the policy selects; empty = every pod of the namespace. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** Empty: the policy only isolates (denies all ingress to what it selects). */
  readonly allows: readonly IngressAllow[];
}

const pods = (namespace: string, name: string): Peer => ({ kind: 'pods', namespace, labels: { [NAME_LABEL]: name } });
const cidrs = (ranges: readonly string[]): Peer[] => ranges.map((cidr) => ({ kind: 'cidr', cidr }));

/** RFC 1918 and 100.64.0.0/10: where VPC and on-premises clients of an internal passthrough load balancer come from. */
export const VPC_CLIENT_RANGES: readonly string[] = PRIVATE_RANGES.map((r) => r.text);

/** Namespaces whose pods send spans to the collector: the edge (the gateway, Kong) and every meshed namespace (sidecars). */
export function spanSenderNamespaces(plan: PlatformPlan): string[] {
  return [...new Set([plan.edge.namespace, ...plan.workloads.workloads.map((w) => w.namespace)])].sort();
}

export function planNetworkPolicies(plan: PlatformPlan): NetworkPolicyPlan[] {
  const { env, edge } = plan;
  const workloads = plan.workloads.workloads;
  const byName = new Map(workloads.map((w) => [w.name, w]));
  const adapter = plan.addons.metricsAdapter;
  const alertmanager = plan.observability.alertmanager;
  const collector = plan.observability.collector;
  const namespaces = [...new Set([...workloads.map((w) => w.namespace), edge.namespace, adapter.namespace, alertmanager.namespace, collector.namespace])].sort();
  const policies: NetworkPolicyPlan[] = namespaces.map((namespace) => ({ name: DEFAULT_DENY, namespace, podSelector: {}, allows: [] }));

  for (const w of workloads) {
    const svc = env.services.find((s) => s.name === w.name);
    const allows: IngressAllow[] = [];
    const route = plan.routes.find((r) => r.upstream?.service === w.name);
    if (route) {
      const proxy = route.via === 'kong' ? edge.kong.name : edge.gateway.name;
      allows.push({ ports: [w.port], from: [pods(edge.namespace, proxy)], why: `route ${route.name} via ${proxy}` });
    }
    const callers = (svc?.callers ?? []).flatMap((c) => {
      const caller = byName.get(c);
      return caller ? [pods(caller.namespace, caller.serviceAccount)] : [];
    });
    if (callers.length > 0) allows.push({ ports: [w.port], from: callers, why: `callers: ${svc?.callers.join(', ')}` });
    const entry = edge.internalEntries.find((e) => e.service === w.name);
    if (entry) {
      const from = entry.kind === 'internal-alb' ? [...cidrs(edge.proxyOnlySubnet ? [edge.proxyOnlySubnet.cidr] : []), ...cidrs(GLB_SOURCE_RANGES)] : cidrs(VPC_CLIENT_RANGES);
      allows.push({ ports: [w.port], from, why: `${entry.kind} entry ${entry.name}` });
    }
    if (allows.length > 0) policies.push({ name: w.name, namespace: w.namespace, podSelector: { ...w.selector }, allows });
  }

  const { nginx, kong, gateway } = edge;
  policies.push(
    {
      name: nginx.name,
      namespace: edge.namespace,
      podSelector: { [NAME_LABEL]: nginx.name },
      allows: [{ ports: [nginx.ports.http, nginx.ports.grpcTls], from: cidrs(GLB_SOURCE_RANGES), why: 'the GLB proxies and health checks (NEG backends)' }],
    },
    {
      name: kong.name,
      namespace: edge.namespace,
      podSelector: { [NAME_LABEL]: kong.name },
      allows: [
        { ports: [kong.ports.http, kong.ports.grpc], from: [pods(edge.namespace, nginx.name)], why: 'nginx proxies Kong routes' },
        { ports: [kong.ports.status], from: [{ kind: 'namespace', namespace: GMP_NAMESPACE }], why: "Google Managed Prometheus scrapes Kong's /metrics (PodMonitoring)" },
      ],
    },
    {
      name: gateway.name,
      namespace: edge.namespace,
      podSelector: { [NAME_LABEL]: gateway.name },
      allows: [
        { ports: [gateway.ports.http, gateway.ports.grpc], from: [pods(edge.namespace, nginx.name)], why: 'nginx proxies gateway routes' },
        { ports: [gateway.ports.admin], from: [{ kind: 'namespace', namespace: GMP_NAMESPACE }], why: 'Google Managed Prometheus scrapes /metrics (PodMonitoring)' },
      ],
    },
    {
      name: adapter.serviceAccount,
      namespace: adapter.namespace,
      podSelector: { [NAME_LABEL]: adapter.serviceAccount },
      allows: [{ ports: [adapter.port], from: cidrs([env.network.controlPlaneCidr]), why: 'the API server calls the metrics APIs it serves (APIService)' }],
    },
    {
      name: alertmanager.name,
      namespace: alertmanager.namespace,
      podSelector: { [NAME_LABEL]: alertmanager.name },
      allows: [
        { ports: [alertmanager.ports.web], from: [{ kind: 'namespace', namespace: GMP_NAMESPACE }], why: "GMP's rule-evaluator sends alerts (OperatorConfig rules.alerting)" },
        { ports: [alertmanager.ports.cluster], from: [pods(alertmanager.namespace, alertmanager.name)], why: 'the replicas gossip notification state' },
      ],
    },
  );
  // Spans: the gateway and Kong (OTLP/HTTP) and every sidecar (OTLP/gRPC) of the namespaces that send them.
  policies.push({
    name: collector.name,
    namespace: collector.namespace,
    podSelector: { [NAME_LABEL]: collector.name },
    allows: [
      {
        ports: [collector.ports.otlpGrpc, collector.ports.otlpHttp],
        from: spanSenderNamespaces(plan).map((namespace): Peer => ({ kind: 'namespace', namespace })),
        why: 'the gateway, Kong and the mesh sidecars export spans (OTLP)',
      },
    ],
  });
  // Istio's standard metrics are read at the servers' sidecars (port 15090): GMP scrapes every meshed pod there.
  for (const namespace of plan.observability.sidecarNamespaces) {
    policies.push({
      name: 'istio-sidecar-metrics',
      namespace,
      podSelector: {},
      allows: [{ ports: [ISTIO_SIDECAR_METRICS_PORT], from: [{ kind: 'namespace', namespace: GMP_NAMESPACE }], why: "Google Managed Prometheus scrapes the sidecars' Istio metrics (PodMonitoring)" }],
    });
  }
  return policies;
}
