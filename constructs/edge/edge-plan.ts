/**
 * EdgePlan: the three proxies of the edge chain (Nginx, Kong, the edge gateway) as the cluster
 * runs them — names, ports, images, replicas, drain budgets — derived once, so the renderers
 * (which address each other by these names and ports) and the Kubernetes objects (which
 * expose them) cannot disagree. Pure: no cdktf/cdk8s.
 */
import type { Environment } from '../../environments/schema.ts';
import { EDGE_GATEWAY_ACCOUNT } from '../events/event-plan.ts';
import type { RoutePlan } from './route-plan.ts';

export const EDGE_NAMESPACE = 'edge';

/**
 * Source ranges of the global external Application Load Balancer's proxies (Google Front Ends)
 * and health checks, as backends in a GKE NEG see them (cloud.google.com/load-balancing/docs/firewall-rules).
 */
export const GLB_SOURCE_RANGES = ['130.211.0.0/22', '35.191.0.0/16'] as const;

/** The GLB keeps idle connections to a backend for 600 s: every listener it reaches must wait longer. */
export const GLB_BACKEND_KEEPALIVE_SEC = 600;
export const EDGE_KEEPALIVE_SEC = 620;

/** Third-party images, pinned (vendors' registries: the edge proxies are not built here). */
export const NGINX_IMAGE = 'nginxinc/nginx-unprivileged:1.28.3-alpine';
export const KONG_IMAGE = 'kong:3.9.3';

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
}

export interface EdgePlan {
  readonly namespace: string;
  readonly nginx: NginxPlan;
  readonly kong: KongPlan;
  readonly gateway: GatewayPlan;
  /** In-cluster DNS name of an edge Service (`<name>.edge.svc.cluster.local`). */
  readonly serviceDns: (name: string) => string;
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

export function planEdge(env: Environment, routes: readonly RoutePlan[]): EdgePlan {
  const replicas = replicasFor(env);
  const drain = streamDrainSec(routes);
  const serviceDns = (name: string): string => `${name}.${EDGE_NAMESPACE}.svc.cluster.local`;
  return {
    namespace: EDGE_NAMESPACE,
    serviceDns,
    nginx: {
      name: 'nginx',
      image: NGINX_IMAGE,
      uid: 101,
      replicas,
      resources: { cpu: '250m', memory: '256Mi', memoryLimit: '512Mi' },
      // Endpoints leave the NEG and the GLB stops sending before nginx stops accepting.
      ...budget(15, drain),
      ports: { http: 8080, grpcTls: 8443 },
      tlsSecret: 'nginx-backend-tls',
    },
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
    },
  };
}
