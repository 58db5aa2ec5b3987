/**
 * EdgePlan: the three proxies of the edge chain (Nginx, Kong, the edge gateway) as the cluster
 * runs them — names, ports, images, replicas, drain budgets — derived once, so the renderers
 * (which address each other by these names and ports) and the Kubernetes objects (which
 * expose them) cannot disagree. Pure: no cdktf/cdk8s.
 *
 * It also names, once, what the public entry shares across the two apps: the Cloud Armor
 * policy, SSL policy and static address the platform stack creates and the Ingress,
 * FrontendConfig and BackendConfigs (charts/entry-chart.ts) attach by name — and the internal
 * entries of `exposure: internal` services with the proxy-only subnet they need.
 */
import type { Environment, Protocol } from '../../environments/schema.ts';
import { GLB_MAX_TIMEOUT_SEC } from '../../environments/timeout-defaults.ts';
import { EDGE_GATEWAY_ACCOUNT } from '../events/event-plan.ts';
import type { RoutePlan } from './route-plan.ts';
import { timeoutChain } from './timeout-chain.ts';
import { gatewayDurationBuckets } from '../observability/gateway-buckets.ts';

export const EDGE_NAMESPACE = 'edge';

/**
 * Source ranges of the global external Application Load Balancer's proxies (Google Front Ends)
 * and health checks, as backends in a GKE NEG see them (cloud.google.com/load-balancing/docs/firewall-rules).
 */
export const GLB_SOURCE_RANGES = ['130.211.0.0/22', '35.191.0.0/16'] as const;

/** The GLB keeps idle connections to a backend for 600 s: every listener it reaches must wait longer. */
export const GLB_BACKEND_KEEPALIVE_SEC = 600;
export const EDGE_KEEPALIVE_SEC = 620;

/**
 * Third-party images, pinned and fully qualified (vendors' registries: the edge proxies are not
 * built here; Binary Authorization admits exactly these names).
 */
export const NGINX_IMAGE = 'docker.io/nginxinc/nginx-unprivileged:1.28.3-alpine';
export const KONG_IMAGE = 'docker.io/library/kong:3.9.3';

export interface EdgeProxyPlan {
  /** Deployment, Service, ServiceAccount and HPA name in the `edge` namespace. */
  readonly name: string;
  readonly image: string;
  /** Container uid the image runs as (numeric, so runAsNonRoot can verify it). */
  readonly uid: number;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly resources: { readonly cpu: string; readonly memory: string; readonly memoryLimit: string };
  /** Seconds the pod waits after being marked terminating before the process is told to stop. */
  readonly preStopSec: number;
  /** Seconds in-flight requests and streams get to finish once the process drains. */
  readonly drainSec: number;
  /** preStop + drain + margin: the kubelet kills the pod after this. */
  readonly terminationGracePeriodSec: number;
}

export interface NginxPlan extends EdgeProxyPlan {
  readonly ports: { readonly http: number; readonly grpcTls: number };
  /** Secret (type kubernetes.io/tls) holding the HTTP/2 listener's certificate (see README). */
  readonly tlsSecret: string;
}

export interface KongPlan extends EdgeProxyPlan {
  readonly ports: { readonly http: number; readonly grpc: number; readonly status: number };
  /** Secret holding a `consumers:` YAML fragment (key-auth credentials), merged at pod start. */
  readonly consumersSecret: string;
}

export interface GatewayPlan extends EdgeProxyPlan {
  readonly ports: { readonly http: number; readonly grpc: number; readonly admin: number };
  /** Google service account the gateway impersonates (Pub/Sub publisher for ingest topics). */
  readonly googleServiceAccount: { readonly accountId: string; readonly email: string };
  /** Secret with one file of SHA-256 key digests per key-auth route, mounted at `apiKeysDir`. */
  readonly apiKeysSecret: string;
  readonly apiKeysDir: string;
  /** Where the routes ConfigMap is mounted (a directory: hot reload sees ConfigMap swaps). */
  readonly routesDir: string;
  /** Open WebSocket sessions per replica the HPA aims for (they barely use CPU). */
  readonly targetConnectionsPerReplica: number;
  /** `gateway_request_duration_seconds` buckets: every gateway route's latency objective is one (gateway-routes.json carries them). */
  readonly durationBucketsSec: readonly number[];
}

/** One GLB backend on nginx: a Service port, the BackendConfig that configures it, the routes it serves. */
export interface GlbBackendPlan {
  /** BackendConfig in the `edge` namespace; the nginx Service's `cloud.google.com/backend-config` names it for this port. */
  readonly backendConfig: string;
  /** The nginx Service port (name as in `cloud.google.com/app-protocols`). */
  readonly portName: string;
  readonly port: number;
  /** What the GLB speaks to the port (HTTP2 = over TLS), and its health check's type. */
  readonly protocol: 'HTTP' | 'HTTP2';
  /**
   * The backend service's `timeoutSec`: the longest GLB hop of the routes behind it. For a
   * WebSocket that is its whole lifetime, not an idle limit; nginx inside ends every other
   * route at its own, shorter limit, so one value serves REST and streams alike.
   */
  readonly timeoutSec: number;
  /** Routes (RoutePlan names) the Ingress sends here. */
  readonly routes: readonly string[];
}

/** The public entry: the GLB GKE builds from the Ingress, and what it names in the platform stack. */
export interface PublicEntryPlan {
  /** google_compute_security_policy (Cloud Armor), named by both BackendConfigs. */
  readonly securityPolicy: string;
  /** google_compute_ssl_policy, named by the FrontendConfig. */
  readonly sslPolicy: string;
  /** google_compute_global_address, named by the Ingress (`kubernetes.io/ingress.global-static-ip-name`). */
  readonly address: string;
  /** GKE ManagedCertificate in the `edge` namespace (`networking.gke.io/managed-certificates`). */
  readonly certificate: string;
  readonly domains: readonly string[];
  readonly ingress: string;
  readonly frontendConfig: string;
  /** nginx answers the GLB's health checks here on both ports. */
  readonly healthPath: string;
  /** Connection draining: nginx's preStop pause plus its drain, inside its grace period. */
  readonly drainingTimeoutSec: number;
  readonly logSampleRate: number;
  /** Cloud Armor logs every field it matched on (VERBOSE) outside production, to tune rules before prod enforces them. */
  readonly verboseArmorLogs: boolean;
  readonly backends: { readonly http: GlbBackendPlan; readonly grpc: GlbBackendPlan };
}

/**
 * An `exposure: internal` service's entry, chosen by protocol: HTTP, WebSocket and SSE get an
 * internal Application Load Balancer (Ingress class gce-internal, regional Envoy proxies from the
 * proxy-only subnet, NEG backends); gRPC gets an internal passthrough Network Load Balancer, so
 * HTTP/2 runs end to end from the caller to the pod (the ALB would speak HTTP/2 to a backend only
 * over TLS, and would add a proxy hop low-latency callers came to avoid).
 */
export interface InternalEntryPlan {
  readonly service: string;
  readonly namespace: string;
  readonly kind: 'internal-alb' | 'internal-passthrough';
  /** The entry's own Service (and for an ALB its Ingress and BackendConfig): `<service>-internal`. */
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** ALB backend timeoutSec: the service's longest request or stream plus one hop's margin. */
  readonly timeoutSec: number;
}

export interface EdgePlan {
  readonly namespace: string;
  readonly nginx: NginxPlan;
  readonly kong: KongPlan;
  readonly gateway: GatewayPlan;
  /** In-cluster DNS name of an edge Service (`<name>.edge.svc.cluster.local`). */
  readonly serviceDns: (name: string) => string;
  readonly entry: PublicEntryPlan;
  readonly internalEntries: readonly InternalEntryPlan[];
  /** The subnet internal Application Load Balancers draw proxy addresses from, when the catalog gives its range. */
  readonly proxyOnlySubnet?: { readonly name: string; readonly cidr: string };
}

const GRACE_MARGIN_SEC = 5;

function replicasFor(env: Environment): { min: number; max: number } {
  switch (env.tier) {
    case 'production':
      return { min: 3, max: 20 };
    case 'staging':
      return { min: 2, max: 6 };
    case 'development':
      return { min: 1, max: 3 };
  }
}

function budget(preStopSec: number, drainSec: number): Pick<EdgeProxyPlan, 'preStopSec' | 'drainSec' | 'terminationGracePeriodSec'> {
  return { preStopSec, drainSec, terminationGracePeriodSec: preStopSec + drainSec + GRACE_MARGIN_SEC };
}

/** `<region>-docker.pkg.dev/<project>/<repository>/edge-gateway:<tag>` (built from gateway/Dockerfile). */
export function gatewayImage(env: Environment): string {
  const repo = `${env.gcp.region}-docker.pkg.dev/${env.gcp.projectId}/${env.gcp.artifactRegistry}/edge-gateway`;
  const img = env.edge.gateway.image;
  return img.digest ? `${repo}@${img.digest}` : `${repo}:${img.tag ?? ''}`;
}

/**
 * How long a stream-carrying proxy lets open streams run after it stopped accepting: long
 * enough for REST and unary calls to finish, bounded so a rollout does not wait on a 2-hour
 * WebSocket (those are closed with 1001 and reconnect).
 */
export function streamDrainSec(routes: readonly RoutePlan[]): number {
  const unary = Math.max(30, ...routes.map((r) => r.timeouts.nginx.firstByteSec));
  return Math.min(unary, 300);
}

/** When no route rides a backend, its timeoutSec stays at the GLB's default. */
const GLB_DEFAULT_TIMEOUT_SEC = 30;

function glbBackend(
  routes: readonly RoutePlan[],
  which: Pick<GlbBackendPlan, 'backendConfig' | 'portName' | 'port' | 'protocol'>,
): GlbBackendPlan {
  const timeoutSec = Math.max(0, ...routes.map((r) => r.timeouts.glb.totalSec)) || GLB_DEFAULT_TIMEOUT_SEC;
  if (timeoutSec > GLB_MAX_TIMEOUT_SEC) throw new Error(`GLB backend ${which.backendConfig}: timeoutSec ${timeoutSec} exceeds ${GLB_MAX_TIMEOUT_SEC}`);
  return { ...which, timeoutSec, routes: routes.map((r) => r.name) };
}

/** gRPC goes to nginx's HTTP/2-over-TLS port; REST, WebSocket, SSE and ingest to HTTP/1.1 (no Upgrade in HTTP/2). */
export function planPublicEntry(env: Environment, routes: readonly RoutePlan[], nginx: NginxPlan): PublicEntryPlan {
  const grpc = routes.filter((r) => r.protocol === 'grpc');
  const http = routes.filter((r) => r.protocol !== 'grpc');
  return {
    securityPolicy: `${env.name}-edge-waf`,
    sslPolicy: `${env.name}-edge-tls`,
    address: `${env.name}-edge-ip`,
    certificate: `${env.name}-edge-cert`,
    domains: env.edge.domains,
    ingress: 'public-entry',
    frontendConfig: 'public-entry',
    healthPath: '/healthz',
    drainingTimeoutSec: nginx.preStopSec + nginx.drainSec,
    logSampleRate: env.edge.logSampleRate,
    verboseArmorLogs: env.tier !== 'production',
    backends: {
      http: glbBackend(http, { backendConfig: 'nginx-http', portName: 'http', port: nginx.ports.http, protocol: 'HTTP' }),
      grpc: glbBackend(grpc, { backendConfig: 'nginx-grpc', portName: 'grpc-tls', port: nginx.ports.grpcTls, protocol: 'HTTP2' }),
    },
  };
}

export function planInternalEntries(env: Environment): InternalEntryPlan[] {
  return env.services
    .filter((svc) => svc.exposure === 'internal')
    .map((svc) => ({
      service: svc.name,
      namespace: svc.namespace,
      kind: svc.protocol === 'grpc' ? 'internal-passthrough' : 'internal-alb',
      name: `${svc.name}-internal`,
      port: svc.port,
      protocol: svc.protocol,
      timeoutSec: timeoutChain(svc).proxy.totalSec,
    }));
}

export function planEdge(env: Environment, routes: readonly RoutePlan[]): EdgePlan {
  const replicas = replicasFor(env);
  const drain = streamDrainSec(routes);
  const serviceDns = (name: string): string => `${name}.${EDGE_NAMESPACE}.svc.cluster.local`;
  const nginx: NginxPlan = {
    name: 'nginx',
    image: NGINX_IMAGE,
    uid: 101,
    replicas,
    resources: { cpu: '250m', memory: '256Mi', memoryLimit: '512Mi' },
    // Endpoints leave the NEG and the GLB stops sending before nginx stops accepting.
    ...budget(15, drain),
    ports: { http: 8080, grpcTls: 8443 },
    tlsSecret: 'nginx-backend-tls',
  };
  const proxyOnlyCidr = env.network.proxyOnlyCidr;
  return {
    namespace: EDGE_NAMESPACE,
    serviceDns,
    nginx,
    kong: {
      name: 'kong',
      image: KONG_IMAGE,
      uid: 1000,
      replicas,
      resources: { cpu: '500m', memory: '512Mi', memoryLimit: '1Gi' },
      ...budget(10, drain),
      ports: { http: 8000, grpc: 9080, status: 8100 },
      consumersSecret: 'kong-consumers',
    },
    gateway: {
      name: 'edge-gateway',
      image: gatewayImage(env),
      uid: 65532,
      replicas,
      resources: { cpu: '500m', memory: '512Mi', memoryLimit: '1Gi' },
      // The gateway's own --drain-delay-ms plays the preStop part (its distroless image has no shell).
      ...budget(10, drain),
      ports: { http: 8080, grpc: 8081, admin: 9090 },
      googleServiceAccount: {
        accountId: EDGE_GATEWAY_ACCOUNT,
        email: `${EDGE_GATEWAY_ACCOUNT}@${env.gcp.projectId}.iam.gserviceaccount.com`,
      },
      apiKeysSecret: 'edge-gateway-api-keys',
      apiKeysDir: '/etc/gateway/keys',
      routesDir: '/etc/gateway/routes',
      targetConnectionsPerReplica: 2000,
      durationBucketsSec: gatewayDurationBuckets(env, routes),
    },
    entry: planPublicEntry(env, routes, nginx),
    internalEntries: planInternalEntries(env),
    ...(proxyOnlyCidr ? { proxyOnlySubnet: { name: `${env.network.vpcName}-proxy-only`, cidr: proxyOnlyCidr } } : {}),
  };
}
