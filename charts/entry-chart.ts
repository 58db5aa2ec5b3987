/**
 * The `entry` chart: how traffic gets into the cluster.
 *
 * Public: GKE builds a global external Application Load Balancer from the Ingress (class `gce`)
 * in front of nginx — on the static IP, with the Google-managed certificate of `edge.domains`,
 * the FrontendConfig (HTTPS redirect, SSL policy) and one BackendConfig per nginx port (Cloud
 * Armor policy, timeout, draining, health check, logging). The address, SSL policy and Cloud
 * Armor policy are created by the platform stack; every name comes from `plan.edge.entry`, the
 * one place both layers read it from.
 *
 * Internal: each `exposure: internal` service gets its own entry in its namespace, never the
 * public GLB — an internal Application Load Balancer (Ingress class `gce-internal`, NEGs) for
 * HTTP, WebSocket and SSE, an internal passthrough load balancer for gRPC.
 */
import { ApiObject, Chart, type ApiObjectProps, type App, type ChartProps } from 'cdk8s';
// Types only: the models' validators run in the tests (test/charts/manifest-validators.ts).
import type { IBackendConfig } from '@kubernetes-models/gke/cloud.google.com/v1/BackendConfig';
import type { IFrontendConfig } from '@kubernetes-models/gke/networking.gke.io/v1beta1/FrontendConfig';
import type { IManagedCertificate } from '@kubernetes-models/gke/networking.gke.io/v1/ManagedCertificate';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IService } from 'kubernetes-models/v1/Service';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import type { GlbBackendPlan, InternalEntryPlan } from '../constructs/edge/edge-plan.ts';
import type { RoutePlan } from '../constructs/edge/route-plan.ts';

/** GKE reads the Ingress class from this annotation (spec.ingressClassName is not supported). */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const ENTRY_ANNOTATIONS = {
  staticIp: 'kubernetes.io/ingress.global-static-ip-name',
  certificates: 'networking.gke.io/managed-certificates',
  frontendConfig: 'networking.gke.io/v1beta1.FrontendConfig',
  backendConfig: 'cloud.google.com/backend-config',
  neg: 'cloud.google.com/neg',
  loadBalancerType: 'networking.gke.io/load-balancer-type',
} as const;

/** Workload readiness path (constructs/k8s/workload.ts probes HTTP services there). */
const WORKLOAD_READY_PATH = '/readyz';

type Manifest = IBackendConfig | IFrontendConfig | IManagedCertificate | IIngress | IService;

/** The nginx backend a route rides: gRPC on the HTTP/2-over-TLS port, everything else on HTTP/1.1. */
export function backendOf(route: Pick<RoutePlan, 'protocol'>, backends: { readonly http: GlbBackendPlan; readonly grpc: GlbBackendPlan }): GlbBackendPlan {
  return route.protocol === 'grpc' ? backends.grpc : backends.http;
}

export function buildEntryChart(app: App, plan: PlatformPlan, props: ChartProps): Chart {
  const chart = new Chart(app, 'entry', { ...props, disableResourceNameHashes: true });
  const add = (id: string, manifest: Manifest): ApiObject => new ApiObject(chart, id, manifest as ApiObjectProps);
  const { edge } = plan;
  const { entry, nginx } = edge;
  const ns = edge.namespace;

  add('certificate', {
    apiVersion: 'networking.gke.io/v1',
    kind: 'ManagedCertificate',
    metadata: { name: entry.certificate, namespace: ns },
    spec: { domains: [...entry.domains] },
  });
  add('frontend-config', {
    apiVersion: 'networking.gke.io/v1beta1',
    kind: 'FrontendConfig',
    metadata: { name: entry.frontendConfig, namespace: ns },
    spec: {
      // 308 keeps the method and body (a 301 turns an API client's POST into a GET).
      redirectToHttps: { enabled: true, responseCodeName: 'PERMANENT_REDIRECT' },
      sslPolicy: entry.sslPolicy,
    },
  });
  for (const backend of [entry.backends.http, entry.backends.grpc]) {
    add(`backend-config-${backend.portName}`, {
      apiVersion: 'cloud.google.com/v1',
      kind: 'BackendConfig',
      metadata: { name: backend.backendConfig, namespace: ns },
      spec: {
        securityPolicy: { name: entry.securityPolicy },
        timeoutSec: backend.timeoutSec,
        connectionDraining: { drainingTimeoutSec: entry.drainingTimeoutSec },
        // HTTP2 health checks speak TLS, as the GLB does to this port.
        healthCheck: {
          type: backend.protocol,
          requestPath: entry.healthPath,
          port: backend.port,
          checkIntervalSec: 10,
          timeoutSec: 5,
          healthyThreshold: 1,
          unhealthyThreshold: 3,
        },
        logging: { enable: true, sampleRate: entry.logSampleRate },
      },
    });
  }

  const nginxBackend = (backend: GlbBackendPlan): { service: { name: string; port: { number: number } } } => ({
    service: { name: nginx.name, port: { number: backend.port } },
  });
  const rules = entry.domains.flatMap((host): NonNullable<NonNullable<IIngress['spec']>['rules']> => {
    const routes = plan.routes.filter((r) => r.host === host);
    if (routes.length === 0) return [];
    return [
      {
        host,
        http: {
          paths: routes.map((r) => ({ path: r.pathPrefix, pathType: 'Prefix', backend: nginxBackend(backendOf(r, entry.backends)) })),
        },
      },
    ];
  });
  add('ingress', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: entry.ingress,
      namespace: ns,
      annotations: {
        [INGRESS_CLASS_ANNOTATION]: 'gce',
        [ENTRY_ANNOTATIONS.staticIp]: entry.address,
        [ENTRY_ANNOTATIONS.certificates]: entry.certificate,
        [ENTRY_ANNOTATIONS.frontendConfig]: entry.frontendConfig,
      },
    },
    spec: {
      // Unknown hosts and paths still reach nginx, which answers 404 itself.
      defaultBackend: nginxBackend(entry.backends.http),
      rules,
    },
  });

  for (const internal of edge.internalEntries) addInternalEntry(chart, add, plan, internal);
  return chart;
}

function addInternalEntry(chart: Chart, add: (id: string, m: Manifest) => ApiObject, plan: PlatformPlan, e: InternalEntryPlan): void {
  const workload = plan.workloads.workloads.find((w) => w.name === e.service && w.namespace === e.namespace);
  if (!workload) throw new Error(`${chart.node.path}: internal entry ${e.name} names no workload ${e.namespace}/${e.service}`);
  const metadata = { name: e.name, namespace: e.namespace };
  const selector = { ...workload.labels };
  if (e.kind === 'internal-passthrough') {
    add(`internal-${e.namespace}-${e.service}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...metadata, annotations: { [ENTRY_ANNOTATIONS.loadBalancerType]: 'Internal' } },
      spec: {
        type: 'LoadBalancer',
        // Straight to a node with a ready pod: no second hop, and the caller's address is kept.
        externalTrafficPolicy: 'Local',
        selector,
        ports: [{ name: 'grpc', port: e.port, targetPort: e.port, protocol: 'TCP', appProtocol: workload.appProtocol }],
      },
    });
    return;
  }
  add(`internal-${e.namespace}-${e.service}-service`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      ...metadata,
      annotations: {
        // An internal Application Load Balancer reaches pods through NEGs only.
        [ENTRY_ANNOTATIONS.neg]: JSON.stringify({ ingress: true }),
        [ENTRY_ANNOTATIONS.backendConfig]: JSON.stringify({ default: e.name }),
      },
    },
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: e.port, targetPort: e.port, protocol: 'TCP', appProtocol: workload.appProtocol }],
    },
  });
  add(`internal-${e.namespace}-${e.service}-backend-config`, {
    apiVersion: 'cloud.google.com/v1',
    kind: 'BackendConfig',
    metadata,
    spec: {
      // A WebSocket's or SSE stream's whole life, like the GLB's; the service ends requests sooner.
      timeoutSec: e.timeoutSec,
      healthCheck: { type: 'HTTP', requestPath: WORKLOAD_READY_PATH, port: e.port },
    },
  });
  add(`internal-${e.namespace}-${e.service}-ingress`, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { ...metadata, annotations: { [INGRESS_CLASS_ANNOTATION]: 'gce-internal' } },
    spec: { defaultBackend: { service: { name: e.name, port: { number: e.port } } } },
  });
}
