/**
 * ClusterAddonsPlan: the third-party control planes the cluster needs before the platform's own
 * objects work — Istio (the mesh, its CRDs), cert-manager (nginx's backend certificate) and the
 * Custom Metrics Stackdriver Adapter (the HPAs' External and Prometheus metrics) — each pinned,
 * plus the image sources Binary Authorization must admit. Derived once: the k8s stack installs
 * these releases, the platform stack grants the adapter its role and writes the allow-list from
 * the same plan. Pure: no cdktf/cdk8s.
 */
import type { Environment } from '../../environments/schema.ts';
import { KONG_IMAGE, NGINX_IMAGE } from '../edge/edge-plan.ts';
import { ALERTMANAGER_IMAGE } from '../observability/alertmanager-plan.ts';
import { COLLECTOR_IMAGE, MESH_TRACING_PROVIDER, planCollector } from '../observability/collector-plan.ts';

export interface HelmReleasePlan {
  /** Release name; also the Terraform construct id (`helm-<name>`): public API. */
  readonly name: string;
  readonly repository: string;
  readonly chart: string;
  /** Exact chart version: never a range. */
  readonly version: string;
  readonly namespace: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** Releases that must be installed first (by name). */
  readonly after: readonly string[];
}

export interface MetricsAdapterPlan {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly image: string;
  /** The project-level role its Kubernetes identity gets through Workload Identity Federation. */
  readonly role: string;
  /** `principal://…/subject/ns/<ns>/sa/<sa>` needs the project number: filled in by the platform stack. */
  readonly subject: string;
  /** The port it serves the metrics APIs on (unprivileged; the Service maps 443 to it). The API server calls it here. */
  readonly port: number;
  /** Every HPA on an External or Prometheus metric depends on it: production runs two. */
  readonly replicas: number;
  /** The pod-template annotation that says why it mounts an API token (`<label prefix>/needs-api-token`). */
  readonly apiTokenAnnotation: string;
}

export interface ClusterAddonsPlan {
  readonly helm: readonly HelmReleasePlan[];
  readonly metricsAdapter: MetricsAdapterPlan;
  /** Binary Authorization admission allow-list (`registry/path/*`): this environment's registry and the pinned vendors. */
  readonly admittedImages: readonly string[];
}

export const ISTIO_VERSION = '1.29.6';
export const CERT_MANAGER_VERSION = 'v1.19.6';
export const METRICS_ADAPTER_IMAGE = 'gcr.io/gke-release/custom-metrics-stackdriver-adapter:v0.16.9-gke.0';
const ISTIO_HUB = 'docker.io/istio';

export function planClusterAddons(env: Environment): ClusterAddonsPlan {
  const metricsAdapter: MetricsAdapterPlan = {
    namespace: 'custom-metrics',
    serviceAccount: 'custom-metrics-stackdriver-adapter',
    image: METRICS_ADAPTER_IMAGE,
    role: 'roles/monitoring.viewer',
    subject: 'ns/custom-metrics/sa/custom-metrics-stackdriver-adapter',
    port: 6443,
    replicas: env.tier === 'production' ? 2 : 1,
    apiTokenAnnotation: `${env.kubernetes.labelPrefix}/needs-api-token`,
  };
  const istioRepo = 'https://istio-release.storage.googleapis.com/charts';
  // The sidecars' tracer: OTLP/gRPC to the collector (charts/telemetry-chart.ts's Telemetry selects it by name).
  const collector = planCollector(env);
  const helm: HelmReleasePlan[] = [
    {
      name: 'istio-base',
      repository: istioRepo,
      chart: 'base',
      version: ISTIO_VERSION,
      namespace: 'istio-system',
      values: { defaultRevision: 'default' },
      after: [],
    },
    {
      name: 'istiod',
      repository: istioRepo,
      chart: 'istiod',
      version: ISTIO_VERSION,
      namespace: 'istio-system',
      values: {
        global: { hub: ISTIO_HUB, tag: ISTIO_VERSION, istioNamespace: 'istio-system' },
        meshConfig: {
          trustDomain: env.mesh.trustDomain,
          accessLogFile: '/dev/stdout',
          accessLogEncoding: 'JSON',
          extensionProviders: [{ name: MESH_TRACING_PROVIDER, opentelemetry: { service: collector.host, port: collector.ports.otlpGrpc } }],
        },
        replicaCount: env.tier === 'production' ? 2 : 1,
        autoscaleEnabled: env.tier === 'production',
        resources: { requests: { cpu: '500m', memory: '2048Mi' } },
      },
      after: ['istio-base'],
    },
    {
      name: 'cert-manager',
      repository: 'https://charts.jetstack.io',
      chart: 'cert-manager',
      version: CERT_MANAGER_VERSION,
      namespace: 'cert-manager',
      values: {
        crds: { enabled: true, keep: true },
        // GKE guards leases in kube-system: cert-manager elects its leader in its own namespace.
        global: { leaderElection: { namespace: 'cert-manager' } },
      },
      after: [],
    },
  ];
  const registry = `${env.gcp.region}-docker.pkg.dev/${env.gcp.projectId}/${env.gcp.artifactRegistry}/*`;
  // Vendor images are admitted exactly as pinned; Istio and cert-manager by their repositories
  // (their charts pick several images of one release).
  const admittedImages = [registry, NGINX_IMAGE, KONG_IMAGE, METRICS_ADAPTER_IMAGE, ALERTMANAGER_IMAGE, COLLECTOR_IMAGE, `${ISTIO_HUB}/*`, 'quay.io/jetstack/cert-manager-*'];
  return { helm, metricsAdapter, admittedImages };
}
