/**
 * CollectorPlan: the platform's OpenTelemetry Collector (namespace `telemetry`), the one place
 * spans leave the cluster for Cloud Trace. It holds the only Cloud Trace credential — its own
 * Google service account with `roles/cloudtrace.agent`, through Workload Identity — so Kong's
 * plugin, the mesh's sidecars and the gateway send plain OTLP to it (Cloud Trace's own OTLP
 * endpoint wants Google OAuth on each request, which Kong and Envoy cannot attach). It runs
 * outside the mesh like `monitoring`: senders reach its OTLP ports in plaintext, and its
 * NetworkPolicy admits exactly the namespaces that send spans.
 * Pure: names, ports, image, identity and endpoints derived once for the chart, the network
 * policies, the gateway's OTEL_* variables, Kong's plugin, istiod's extensionProvider, Binary
 * Authorization and the platform stack.
 */
import type { Environment } from '../../environments/schema.ts';
import { serviceAccountId } from '../gcp/service-account-id.ts';

/** The contrib distribution: the core one has no `googlecloud` exporter. */
export const COLLECTOR_IMAGE = 'docker.io/otel/opentelemetry-collector-contrib:0.131.0';
/** The image's own user (its Dockerfile's USER 10001). */
const COLLECTOR_UID = 10001;
/** The role Cloud Trace's exporter needs, granted on the project to this identity only. */
export const CLOUD_TRACE_ROLE = 'roles/cloudtrace.agent';
/** The name istiod's meshConfig gives the collector and the Telemetry object selects. */
export const MESH_TRACING_PROVIDER = 'otel-collector';

export interface CollectorPlan {
  readonly namespace: string;
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
  readonly uid: number;
  readonly configMap: string;
  /** OTLP/gRPC (sidecars), OTLP/HTTP (gateway, Kong), the health_check extension (probes). */
  readonly ports: { readonly otlpGrpc: number; readonly otlpHttp: number; readonly health: number };
  /** The project spans are written to (the environment's). */
  readonly project: string;
  readonly googleServiceAccount: { readonly accountId: string; readonly email: string };
  readonly role: string;
  /** memory_limiter's hard limit; the container's memory limit is above it. */
  readonly memoryLimitMib: number;
  /** `<service>.<namespace>.svc.cluster.local`: what every sender dials. */
  readonly host: string;
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT: the SDK appends /v1/traces). */
  readonly otlpHttpEndpoint: string;
  /** OTLP/HTTP traces URL (Kong's `traces_endpoint`). */
  readonly tracesUrl: string;
}

export function planCollector(env: Environment): CollectorPlan {
  const namespace = 'telemetry';
  const name = 'otel-collector';
  const accountId = serviceAccountId('otel-collector');
  const host = `${name}.${namespace}.svc.cluster.local`;
  const ports = { otlpGrpc: 4317, otlpHttp: 4318, health: 13133 };
  return {
    namespace,
    name,
    image: COLLECTOR_IMAGE,
    replicas: env.tier === 'production' ? 2 : 1,
    uid: COLLECTOR_UID,
    configMap: 'otel-collector-config',
    ports,
    project: env.gcp.projectId,
    googleServiceAccount: { accountId, email: `${accountId}@${env.gcp.projectId}.iam.gserviceaccount.com` },
    role: CLOUD_TRACE_ROLE,
    memoryLimitMib: 400,
    host,
    otlpHttpEndpoint: `http://${host}:${ports.otlpHttp}`,
    tracesUrl: `http://${host}:${ports.otlpHttp}/v1/traces`,
  };
}
