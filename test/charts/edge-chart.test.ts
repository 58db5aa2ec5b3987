// The edge proxies in the cluster: configs embedded byte for byte, rolls on config change (nginx,
// Kong) or hot reload (gateway), drain budgets that fit the grace period, the gateway's identity
// shared with the platform stack, JWT validated at the workloads Kong fronts, no key material.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Testing } from 'cdk8s';
import { App, Testing as TfTesting } from 'cdktf';
import { buildChartsApp } from '../../charts/platform-charts.ts';
import { EDGE_CONFIG_MAPS, GATEWAY_CONNECTIONS_METRIC } from '../../charts/edge-chart.ts';
import { renderEdgeConfigs } from '../../constructs/edge/edge-configs.ts';
import { PlatformStack } from '../../infra/platform-stack.ts';
import { planOf } from '../plan-fixtures.ts';

type Json = Record<string, any>; // synthesized manifests are untyped JSON; the tests read into them on purpose

function edgeObjects(envName: 'dev' | 'staging' | 'prod'): Json[] {
  const app = buildChartsApp(planOf(envName), Testing.app().outdir);
  const chart = app.charts.find((c) => c.node.id === 'edge');
  if (!chart) throw new Error('no edge chart');
  return Testing.synth(chart) as Json[];
}

const find = (objs: Json[], kind: string, name: string, namespace = 'edge'): Json => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name && x.metadata.namespace === namespace);
  if (!o) throw new Error(`${kind}/${namespace}/${name} not synthesized`);
  return o;
};
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const podSpec = (d: Json): Json => d.spec.template.spec;
const container = (d: Json): Json => podSpec(d).containers[0];

describe('edge chart', () => {
  const plan = planOf('prod');
  const objs = edgeObjects('prod');
  const configs = renderEdgeConfigs(plan);

  it('embeds exactly the rendered configs, and rolls nginx and Kong when theirs change', () => {
    for (const [file, name] of Object.entries(EDGE_CONFIG_MAPS)) {
      expect(find(objs, 'ConfigMap', name).data).toEqual({ [file]: configs[file as keyof typeof configs] });
    }
    expect(find(objs, 'Deployment', 'nginx').spec.template.metadata.annotations).toEqual({ 'platform.acme.example/config-checksum': sha256(configs['nginx.conf']) });
    // Kong's status port (its /metrics) bypasses the sidecar: Google Managed Prometheus scrapes it from outside the mesh.
    expect(find(objs, 'Deployment', 'kong').spec.template.metadata.annotations).toEqual({
      'platform.acme.example/config-checksum': sha256(configs['kong.yml']),
      'traffic.sidecar.istio.io/excludeInboundPorts': '8100',
    });
    // The gateway hot-reloads: no checksum, and its routes are a mounted directory (no subPath).
    // Its admin port bypasses the sidecar: Google Managed Prometheus scrapes it from outside the mesh.
    const gateway = find(objs, 'Deployment', 'edge-gateway');
    expect(gateway.spec.template.metadata.annotations ?? {}).toEqual({ 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' });
    expect(container(gateway).volumeMounts).toContainEqual({ mountPath: '/etc/gateway/routes', name: 'routes', readOnly: true });
    expect(container(gateway).args.slice(0, 2)).toEqual(['--routes', '/etc/gateway/routes/gateway-routes.json']);
  });

  it('gives every proxy a grace period that covers its preStop and drain, and a PDB that allows an eviction', () => {
    for (const proxy of [plan.edge.nginx, plan.edge.kong, plan.edge.gateway]) {
      const d = find(objs, 'Deployment', proxy.name);
      expect(podSpec(d).terminationGracePeriodSeconds).toBe(proxy.terminationGracePeriodSec);
      expect(proxy.terminationGracePeriodSec).toBeGreaterThan(proxy.preStopSec + proxy.drainSec);
      const pdb = find(objs, 'PodDisruptionBudget', proxy.name);
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(d.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
      expect(find(objs, 'HorizontalPodAutoscaler', proxy.name).spec).toMatchObject({ minReplicas: 3, scaleTargetRef: { name: proxy.name } });
    }
    const gateway = container(find(objs, 'Deployment', 'edge-gateway')).args as string[];
    const flag = (f: string): number => Number(gateway[gateway.indexOf(f) + 1]);
    expect((flag('--drain-delay-ms') + flag('--drain-timeout-ms')) / 1000).toBeLessThan(plan.edge.gateway.terminationGracePeriodSec);
    expect(gateway).toEqual(expect.arrayContaining(['--trusted-hops', '1']));
    expect(container(find(objs, 'Deployment', 'nginx')).lifecycle.preStop.exec.command).toEqual(['/bin/sh', '-c', 'sleep 15']);
  });

  it('scales the gateway on open WebSocket connections through Google Managed Prometheus', () => {
    expect(find(objs, 'HorizontalPodAutoscaler', 'edge-gateway').spec.metrics).toContainEqual({
      type: 'Pods',
      pods: {
        metric: { name: GATEWAY_CONNECTIONS_METRIC, selector: { matchLabels: { 'metric.labels.protocol': 'websocket' } } },
        target: { type: 'AverageValue', averageValue: plan.edge.gateway.targetConnectionsPerReplica },
      },
    });
    const monitoring = find(objs, 'PodMonitoring', 'edge-gateway');
    expect(monitoring.spec.endpoints).toEqual([{ port: 'admin', path: '/metrics', interval: '30s' }]);
    expect(find(objs, 'Deployment', 'edge-gateway').spec.template.metadata.labels).toMatchObject(monitoring.spec.selector.matchLabels);
  });

  it('runs Kong DB-less with an h2c listener for gRPC and key-auth consumers merged from an optional Secret', () => {
    const kong = find(objs, 'Deployment', 'kong');
    const env = Object.fromEntries((container(kong).env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      KONG_DATABASE: 'off',
      KONG_DECLARATIVE_CONFIG: '/kong/declarative/kong.yml',
      KONG_PROXY_LISTEN: '0.0.0.0:8000, 0.0.0.0:9080 http2',
      KONG_ADMIN_LISTEN: 'off',
      KONG_TRUSTED_IPS: plan.env.network.podCidr,
    });
    expect(container(kong).readinessProbe.httpGet).toMatchObject({ path: '/status/ready', port: 8100 });
    expect(podSpec(kong).volumes).toContainEqual({ name: 'consumers', secret: { secretName: 'kong-consumers', optional: true } });
    expect(podSpec(kong).initContainers[0].command.join(' ')).toContain('/etc/kong/consumers/consumers.yml');
    expect(find(objs, 'Service', 'kong').spec.ports).toContainEqual({ name: 'grpc', port: 9080, targetPort: 9080, appProtocol: 'kubernetes.io/h2c' });
  });

  it('exposes nginx to the GLB as two backends: HTTP/1.1 and HTTP/2 over TLS with a cert-manager certificate', () => {
    const svc = find(objs, 'Service', 'nginx');
    expect(svc.metadata.annotations).toMatchObject({
      'cloud.google.com/neg': '{"ingress": true}',
      'cloud.google.com/app-protocols': '{"grpc-tls":"HTTP2","http":"HTTP"}',
    });
    expect(svc.spec.ports.map((p: Json) => [p.name, p.port])).toEqual([['http', 8080], ['grpc-tls', 8443]]);
    expect(find(objs, 'Certificate', 'nginx-backend-tls').spec).toMatchObject({ secretName: 'nginx-backend-tls', issuerRef: { name: 'edge-self-signed', kind: 'Issuer' } });
    expect(podSpec(find(objs, 'Deployment', 'nginx')).volumes).toContainEqual({ name: 'tls', secret: { secretName: 'nginx-backend-tls' } });
    // No key material anywhere in the manifests.
    expect(JSON.stringify(objs)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  });

  it('validates JWTs at the workloads Kong fronts, allowing only Kong with a valid token (and declared callers)', () => {
    // The mesh chart holds them, with every service's AuthorizationPolicy.
    const app = buildChartsApp(plan, Testing.app().outdir);
    const meshChart = app.charts.find((c) => c.node.id === 'mesh');
    if (!meshChart) throw new Error('no mesh chart');
    const mesh = Testing.synth(meshChart) as Json[];
    const ra = find(mesh, 'RequestAuthentication', 'orders-api', 'commerce');
    expect(ra.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'orders-api' } },
      jwtRules: [{ issuer: 'https://auth.acme.example/', jwksUri: 'https://auth.acme.example/.well-known/jwks.json', audiences: ['https://api.acme.example'], forwardOriginalToken: true }],
    });
    expect(find(mesh, 'AuthorizationPolicy', 'orders-api', 'commerce').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'orders-api' } },
      action: 'ALLOW',
      rules: [
        {
          from: [{ source: { principals: ['cluster.local/ns/edge/sa/kong'], requestPrincipals: ['https://auth.acme.example//*'] } }],
          to: [{ operation: { ports: ['8080'] } }],
        },
      ],
    });
    // Routes via the gateway are validated by the gateway itself (JWKS, jose): no mesh JWT objects for them.
    expect(mesh.filter((o) => o.kind === 'RequestAuthentication').map((o) => o.metadata.name)).toEqual(['orders-api']);
    expect(objs.filter((o) => o.kind === 'RequestAuthentication' || o.kind === 'AuthorizationPolicy')).toEqual([]);
  });

  it('binds the gateway\'s ServiceAccount to the Google service account the platform stack creates', () => {
    const annotation = find(objs, 'ServiceAccount', 'edge-gateway').metadata.annotations['iam.gke.io/gcp-service-account'];
    const tf = JSON.parse(TfTesting.synth(new PlatformStack(new App({ stackTraces: false }), { plan }))) as { resource: Record<string, Record<string, Json>> };
    const accounts = Object.values(tf.resource.google_service_account ?? {});
    const account = accounts.find((a) => `${a.account_id}@${plan.env.gcp.projectId}.iam.gserviceaccount.com` === annotation);
    expect(account, `no google_service_account for ${annotation}`).toBeDefined();
    const members = Object.values(tf.resource.google_service_account_iam_member ?? {}).map((m) => m.member as string);
    expect(members.some((m) => m.endsWith('[edge/edge-gateway]'))).toBe(true);
  });

  it('sizes replicas by tier: production keeps at least three of each proxy, dev one', () => {
    expect(find(edgeObjects('dev'), 'HorizontalPodAutoscaler', 'nginx').spec).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
  });
});
