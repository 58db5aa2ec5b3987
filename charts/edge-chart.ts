/**
 * The `edge` chart: Nginx, Kong (DB-less) and the edge gateway in the `edge` namespace, each
 * reading the config the edge renderers wrote (embedded in a ConfigMap, byte for byte what
 * `dist/<env>/edge/` holds), plus what their design needs around them: the certificate of
 * Nginx's HTTP/2 listener (cert-manager, self-signed: the GLB does not verify it), the scrape of
 * the gateway's metrics by Google Managed Prometheus (its HPA scales on open connections). JWT
 * validation at the workloads Kong fronts (Kong OSS cannot fetch a JWKS) is the mesh chart's.
 */
import { ApiObject, Chart, Size, type App, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Certificate, Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import type { EdgeFile } from '../constructs/edge/edge-configs.ts';
import { EdgeProxy } from '../constructs/k8s/edge-proxy.ts';
import { configChecksumAnnotation } from '../constructs/k8s/config-checksum.ts';

/** ConfigMap per rendered file; the names README's request-path table documents. */
export const EDGE_CONFIG_MAPS: Readonly<Record<EdgeFile, string>> = {
  'nginx.conf': 'nginx-config',
  'kong.yml': 'kong-config',
  'gateway-routes.json': 'gateway-routes',
};

/** Google Managed Prometheus exposes a scraped gauge to HPAs under this name (via the metrics adapter). */
export const GATEWAY_CONNECTIONS_METRIC = 'prometheus.googleapis.com|gateway_active_connections|gauge';

/** The gateway's OTEL_* variables: OTLP/HTTP (JSON) to the collector, parent-based ratio sampling from the catalog. */
export function gatewayTracingEnv(plan: PlatformPlan): Record<string, string> {
  const { tracing, collector } = plan.observability;
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpEndpoint,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(tracing.sampleRatio),
    OTEL_SERVICE_NAME: plan.edge.gateway.name,
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${plan.env.name},cloud.account.id=${plan.env.gcp.projectId}`,
  };
}

export function buildEdgeChart(app: App, plan: PlatformPlan, configs: Readonly<Record<EdgeFile, string>>, props: ChartProps): Chart {
  const chart = new Chart(app, 'edge', { ...props, disableResourceNameHashes: true });
  const { edge, env } = plan;
  const ns = edge.namespace;
  const labelsOf = (name: string): Record<string, string> => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'api-platform', 'app.kubernetes.io/component': 'edge' });

  const configMaps = Object.fromEntries(
    (Object.keys(EDGE_CONFIG_MAPS) as EdgeFile[]).map((file) => [
      file,
      new kplus.ConfigMap(chart, `config-${EDGE_CONFIG_MAPS[file]}`, {
        metadata: { name: EDGE_CONFIG_MAPS[file], namespace: ns },
        data: { [file]: configs[file] },
      }),
    ]),
  ) as Record<EdgeFile, kplus.ConfigMap>;
  const tmp = (scope: string): kplus.Volume => kplus.Volume.fromEmptyDir(chart, `${scope}-tmp`, 'tmp', { sizeLimit: Size.mebibytes(256) });

  // --- Nginx: the GLB's backend. HTTP/1.1 on one port, HTTP/2 over TLS on the other.
  const { nginx } = edge;
  const issuer = new Issuer({ metadata: { name: 'edge-self-signed', namespace: ns }, spec: { selfSigned: {} } });
  const certificate = new Certificate({
    metadata: { name: nginx.tlsSecret, namespace: ns },
    spec: {
      secretName: nginx.tlsSecret,
      commonName: edge.serviceDns(nginx.name),
      dnsNames: [edge.serviceDns(nginx.name)],
      duration: '2160h',
      renewBefore: '360h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { name: 'edge-self-signed', kind: 'Issuer' },
    },
  });
  // Typed by cert-manager's own models; their schemas are checked in the tests (synth stays fast).
  for (const [id, model] of [['tls-issuer', issuer], ['tls-certificate', certificate]] as const) new ApiObject(chart, id, model.toJSON());
  new EdgeProxy(chart, 'nginx', {
    plan: nginx,
    namespace: ns,
    labels: labelsOf(nginx.name),
    ports: [
      { name: 'http', port: nginx.ports.http, appProtocol: 'http' },
      { name: 'grpc-tls', port: nginx.ports.grpcTls, appProtocol: 'https' },
    ],
    // The image's entrypoint rewrites files under /etc/nginx: skipped, the config is complete.
    command: ['nginx', '-g', 'daemon off;'],
    mounts: [
      { path: '/etc/nginx/nginx.conf', subPath: 'nginx.conf', volume: kplus.Volume.fromConfigMap(chart, 'nginx-config-volume', configMaps['nginx.conf'], { name: 'config' }), readOnly: true },
      { path: '/etc/nginx/tls', volume: kplus.Volume.fromSecret(chart, 'nginx-tls-volume', kplus.Secret.fromSecretName(chart, 'nginx-tls-secret', nginx.tlsSecret), { name: 'tls' }), readOnly: true },
      { path: '/tmp', volume: tmp('nginx') },
    ],
    readiness: kplus.Probe.fromHttpGet('/healthz', { port: nginx.ports.http }),
    liveness: kplus.Probe.fromHttpGet('/healthz', { port: nginx.ports.http }),
    // Endpoints leave the NEG first; then the image's stop signal (SIGQUIT) drains gracefully.
    preStop: ['/bin/sh', '-c', `sleep ${nginx.preStopSec}`],
    podAnnotations: configChecksumAnnotation(plan.workloads.labelPrefix, configs['nginx.conf']),
    serviceAnnotations: {
      'cloud.google.com/neg': '{"ingress": true}',
      // The GLB speaks HTTP/2 (over TLS) to this port: gRPC's backend.
      'cloud.google.com/app-protocols': JSON.stringify({ 'grpc-tls': 'HTTP2', http: 'HTTP' }),
      // Per-port BackendConfigs (charts/entry-chart.ts): Cloud Armor, timeout, draining, health check, logging.
      'cloud.google.com/backend-config': JSON.stringify({ ports: Object.fromEntries(Object.values(edge.entry.backends).map((b) => [b.portName, b.backendConfig])) }),
    },
  });

  // --- Kong, DB-less: kong.yml from its ConfigMap, consumers (key-auth) merged from a Secret at start.
  const { kong } = edge;
  const declarative = kplus.Volume.fromEmptyDir(chart, 'kong-declarative', 'declarative');
  const kongConfigVolume = kplus.Volume.fromConfigMap(chart, 'kong-config-volume', configMaps['kong.yml'], { name: 'config' });
  const consumers = kplus.Volume.fromSecret(chart, 'kong-consumers-volume', kplus.Secret.fromSecretName(chart, 'kong-consumers-secret', kong.consumersSecret), {
    name: 'consumers',
    optional: true,
  });
  new EdgeProxy(chart, 'kong', {
    plan: kong,
    namespace: ns,
    labels: labelsOf(kong.name),
    ports: [
      { name: 'proxy', port: kong.ports.http, appProtocol: 'http' },
      { name: 'grpc', port: kong.ports.grpc, appProtocol: 'kubernetes.io/h2c' },
      { name: 'status', port: kong.ports.status, appProtocol: 'http' },
    ],
    initContainers: [
      {
        name: 'merge-consumers',
        image: kong.image,
        command: [
          '/bin/sh',
          '-c',
          'cat /etc/kong/config/kong.yml > /kong/declarative/kong.yml && ' +
            'if [ -f /etc/kong/consumers/consumers.yml ]; then cat /etc/kong/consumers/consumers.yml >> /kong/declarative/kong.yml; fi',
        ],
        volumeMounts: [
          { path: '/etc/kong/config', volume: kongConfigVolume, readOnly: true },
          { path: '/etc/kong/consumers', volume: consumers, readOnly: true },
          { path: '/kong/declarative', volume: declarative },
        ],
      },
    ],
    env: {
      KONG_DATABASE: 'off',
      KONG_DECLARATIVE_CONFIG: '/kong/declarative/kong.yml',
      KONG_PREFIX: '/kong_prefix',
      // Kong 3.9 turns `http2` on for the server: the second port serves gRPC over h2c.
      KONG_PROXY_LISTEN: `0.0.0.0:${kong.ports.http}, 0.0.0.0:${kong.ports.grpc} http2`,
      KONG_STATUS_LISTEN: `0.0.0.0:${kong.ports.status}`,
      KONG_ADMIN_LISTEN: 'off',
      KONG_PROXY_ACCESS_LOG: '/dev/stdout',
      KONG_PROXY_ERROR_LOG: '/dev/stderr',
      // Nginx (in the pod range) sets X-Forwarded-For to the client it derived from the GLB's header.
      KONG_TRUSTED_IPS: env.network.podCidr,
      KONG_REAL_IP_HEADER: 'X-Forwarded-For',
      KONG_HEADERS: 'off',
      KONG_NGINX_WORKER_PROCESSES: '2',
      // The opentelemetry plugin (kong.yml) records the request span only: no per-phase spans.
      ...(plan.observability.tracing.enabled ? { KONG_TRACING_INSTRUMENTATIONS: 'request' } : {}),
    },
    mounts: [
      { path: '/kong/declarative', volume: declarative, readOnly: true },
      { path: '/kong_prefix', volume: kplus.Volume.fromEmptyDir(chart, 'kong-prefix', 'prefix') },
      { path: '/tmp', volume: tmp('kong') },
    ],
    readiness: kplus.Probe.fromHttpGet('/status/ready', { port: kong.ports.status }),
    liveness: kplus.Probe.fromHttpGet('/status', { port: kong.ports.status }),
    preStop: ['kong', 'quit', `--wait=${kong.preStopSec}`],
    podAnnotations: {
      ...configChecksumAnnotation(plan.workloads.labelPrefix, configs['kong.yml']),
      // Google Managed Prometheus (outside the mesh) scrapes /metrics on the status listener in plaintext.
      'traffic.sidecar.istio.io/excludeInboundPorts': String(kong.ports.status),
    },
  });

  // --- The edge gateway: hot-reloads its routes (the ConfigMap is mounted as a directory).
  const { gateway } = edge;
  const { tracing } = plan.observability;
  new EdgeProxy(chart, 'edge-gateway', {
    plan: gateway,
    namespace: ns,
    labels: labelsOf(gateway.name),
    ports: [
      { name: 'http', port: gateway.ports.http, appProtocol: 'http' },
      { name: 'grpc', port: gateway.ports.grpc, appProtocol: 'kubernetes.io/h2c' },
      { name: 'admin', port: gateway.ports.admin, appProtocol: 'http' },
    ],
    args: [
      '--routes',
      `${gateway.routesDir}/gateway-routes.json`,
      // Nginx sets X-Forwarded-For to the client: one trusted hop.
      '--trusted-hops',
      '1',
      '--drain-delay-ms',
      String(gateway.preStopSec * 1000),
      '--drain-timeout-ms',
      String(gateway.drainSec * 1000),
      '--pubsub-project',
      env.gcp.projectId,
    ],
    // Tracing by the standard OTEL_* variables (gateway/README.md "Tracing"); none when the catalog turns it off.
    ...(tracing.enabled ? { env: gatewayTracingEnv(plan) } : {}),
    mounts: [
      { path: gateway.routesDir, volume: kplus.Volume.fromConfigMap(chart, 'gateway-routes-volume', configMaps['gateway-routes.json'], { name: 'routes' }), readOnly: true },
      {
        path: gateway.apiKeysDir,
        volume: kplus.Volume.fromSecret(chart, 'gateway-keys-volume', kplus.Secret.fromSecretName(chart, 'gateway-keys-secret', gateway.apiKeysSecret), { name: 'api-keys', optional: true }),
        readOnly: true,
      },
    ],
    readiness: kplus.Probe.fromHttpGet('/readyz', { port: gateway.ports.admin }),
    // Google Managed Prometheus is outside the mesh: its scrapes reach the admin port past the sidecar (STRICT mTLS would refuse them).
    podAnnotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': String(gateway.ports.admin) },
    liveness: kplus.Probe.fromHttpGet('/healthz', { port: gateway.ports.admin }),
    serviceAccountAnnotations: { 'iam.gke.io/gcp-service-account': gateway.googleServiceAccount.email },
    extraMetrics: [
      kplus.Metric.pods({
        name: GATEWAY_CONNECTIONS_METRIC,
        labelSelector: kplus.LabelSelector.of({ labels: { 'metric.labels.protocol': 'websocket' } }),
        target: kplus.MetricTarget.averageValue(gateway.targetConnectionsPerReplica),
      }),
    ],
  });
  // Google Managed Prometheus scrapes the gateway's admin port; the adapter serves it to the HPA.
  new ApiObject(chart, 'gateway-pod-monitoring', {
    apiVersion: 'monitoring.googleapis.com/v1',
    kind: 'PodMonitoring',
    metadata: { name: gateway.name, namespace: ns },
    spec: {
      selector: { matchLabels: labelsOf(gateway.name) },
      endpoints: [{ port: 'admin', path: '/metrics', interval: '30s' }],
    },
  });

  return chart;
}
