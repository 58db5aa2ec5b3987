import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { validatorFor } from './manifest-validators.ts';
import { buildChartsApp, synthEnvironment } from '../../charts/platform-charts.ts';
import { derivePlan, type PlatformPlan } from '../../constructs/platform-plan.ts';
import { parseEnvironment } from '../../environments/load.ts';
import type { EnvironmentInput } from '../../environments/schema.ts';
import prod from '../../environments/prod.ts';
import { planOf } from '../plan-fixtures.ts';

type Values = Record<string, any>; // synthesized manifests, read field by field on purpose
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: Values;
}

function manifests(plan: PlatformPlan, chartId?: string): Manifest[] {
  return buildChartsApp(plan, Testing.app().outdir)
    .charts.filter((c) => chartId === undefined || c.node.id === chartId)
    .flatMap((c) => Testing.synth(c) as Manifest[]);
}
const find = (objs: Manifest[], kind: string, name: string, namespace?: string): Manifest => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
  if (!o) throw new Error(`${kind}/${name} not synthesized`);
  return o;
};

/** prod with two services that only VPC callers reach: gRPC inventory and a WebSocket feed. */
function planWithInternalEntries(): PlatformPlan {
  const input: EnvironmentInput = structuredClone(prod);
  const services = input.services ?? [];
  const inventory = services.find((s) => s.name === 'inventory');
  if (!inventory) throw new Error('inventory not in the catalog');
  inventory.exposure = 'internal';
  services.push({
    name: 'desk-feed',
    namespace: 'realtime',
    kind: 'streaming',
    protocol: 'websocket',
    exposure: 'internal',
    image: { name: 'desk-feed', tag: '1.0.0' },
    timeouts: { idleSec: 120, maxStreamSec: 1800 },
  });
  const parsed = parseEnvironment('prod', input);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return derivePlan(parsed.env);
}

describe('the entry chart', () => {
  const plan = planOf('prod');
  const entry = manifests(plan, 'entry');

  it('emits only objects that validate against the GKE CRD models and kubernetes-models', () => {
    for (const p of [planOf('dev'), planOf('staging'), plan, planWithInternalEntries()]) {
      for (const o of manifests(p, 'entry')) {
        const validate = validatorFor(o);
        expect(validate, `no validator for ${o.apiVersion} ${o.kind}`).toBeDefined();
        expect(() => validate?.(o), `${p.env.name} ${o.kind}/${o.metadata.name}`).not.toThrow();
      }
    }
    expect(entry.map((o) => `${o.apiVersion}/${o.kind}`).sort()).toEqual([
      'cloud.google.com/v1/BackendConfig',
      'cloud.google.com/v1/BackendConfig',
      'networking.gke.io/v1/ManagedCertificate',
      'networking.gke.io/v1beta1/FrontendConfig',
      'networking.k8s.io/v1/Ingress',
    ]);
  });

  it('has validators that reject a malformed BackendConfig, FrontendConfig and ManagedCertificate', () => {
    const broken: [string, (o: Manifest) => void][] = [
      ['nginx-http', (o) => (o.spec!.timeoutSec = '7215s')],
      ['public-entry', (o) => (o.spec!.redirectToHttps = { responseCodeName: 'PERMANENT_REDIRECT' })],
      ['prod-edge-cert', (o) => (o.spec!.domains = 'api.acme.example')],
    ];
    for (const [name, breakIt] of broken) {
      const o = structuredClone(entry.find((x) => x.metadata.name === name && x.kind !== 'Ingress') as Manifest);
      breakIt(o);
      expect(() => validatorFor(o)?.(o), `${o.kind}/${name}`).toThrow();
    }
  });

  it('puts the Ingress (class gce) on the static IP, the managed certificate and the FrontendConfig', () => {
    const ingress = find(entry, 'Ingress', 'public-entry', 'edge');
    expect(ingress.metadata.annotations).toEqual({
      'kubernetes.io/ingress.class': 'gce',
      'kubernetes.io/ingress.global-static-ip-name': 'prod-edge-ip',
      'networking.gke.io/managed-certificates': 'prod-edge-cert',
      'networking.gke.io/v1beta1.FrontendConfig': 'public-entry',
    });
    expect(find(entry, 'ManagedCertificate', 'prod-edge-cert').spec).toEqual({ domains: ['api.acme.example'] });
    expect(find(entry, 'FrontendConfig', 'public-entry').spec).toEqual({
      redirectToHttps: { enabled: true, responseCodeName: 'PERMANENT_REDIRECT' },
      sslPolicy: 'prod-edge-tls',
    });
  });

  it('sends gRPC routes to nginx\'s HTTP/2-over-TLS port and everything else (and unknown paths) to HTTP/1.1', () => {
    const ingress = find(entry, 'Ingress', 'public-entry');
    expect(ingress.spec?.defaultBackend).toEqual({ service: { name: 'nginx', port: { number: 8080 } } });
    const paths = (ingress.spec?.rules as Values[]).flatMap((r) => (r.http.paths as Values[]).map((p) => ({ host: r.host, path: p.path, type: p.pathType, port: p.backend.service.port.number })));
    expect(paths).toHaveLength(plan.routes.length);
    for (const route of plan.routes) {
      expect(paths).toContainEqual({ host: route.host, path: route.pathPrefix, type: 'Prefix', port: route.protocol === 'grpc' ? 8443 : 8080 });
    }
    expect(paths.filter((p) => p.port === 8443).map((p) => p.path)).toEqual(['/inference.v1.Generator']);
  });

  it('gives each nginx port a BackendConfig: Cloud Armor, the longest GLB hop behind it, draining, health check, logging', () => {
    const glb = (grpc: boolean): number => Math.max(...plan.routes.filter((r) => (r.protocol === 'grpc') === grpc).map((r) => r.timeouts.glb.totalSec));
    const common = {
      securityPolicy: { name: 'prod-edge-waf' },
      connectionDraining: { drainingTimeoutSec: plan.edge.nginx.preStopSec + plan.edge.nginx.drainSec },
      logging: { enable: true, sampleRate: 0.5 },
    };
    expect(find(entry, 'BackendConfig', 'nginx-http').spec).toMatchObject({ ...common, timeoutSec: glb(false), healthCheck: { type: 'HTTP', requestPath: '/healthz', port: 8080 } });
    expect(find(entry, 'BackendConfig', 'nginx-grpc').spec).toMatchObject({ ...common, timeoutSec: glb(true), healthCheck: { type: 'HTTP2', requestPath: '/healthz', port: 8443 } });
    // The WebSocket route's whole life (chat: 7200 s + three hops' margins), within the GLB's ceiling.
    expect(glb(false)).toBe(7215);
    expect(plan.edge.entry.drainingTimeoutSec).toBeLessThan(plan.edge.nginx.terminationGracePeriodSec);
  });

  it('keeps the nginx Service\'s NEG and app-protocols annotations and adds a BackendConfig per port', () => {
    const nginx = find(manifests(plan, 'edge'), 'Service', 'nginx', 'edge');
    expect(nginx.metadata.annotations).toEqual({
      'cloud.google.com/neg': '{"ingress": true}',
      'cloud.google.com/app-protocols': '{"grpc-tls":"HTTP2","http":"HTTP"}',
      'cloud.google.com/backend-config': '{"ports":{"http":"nginx-http","grpc-tls":"nginx-grpc"}}',
    });
    expect((nginx.spec?.ports as Values[]).map((p) => p.name)).toEqual(['http', 'grpc-tls']);
  });

  it('is written to dist/<env>/0003-entry.yaml, after the namespaces it lives in', async () => {
    const out = await mkdtemp(join(tmpdir(), 'entry-chart-'));
    try {
      await synthEnvironment(plan, out);
      const files = (await readdir(out)).filter((f) => f.endsWith('.yaml'));
      expect(files).toContain('0003-entry.yaml');
      expect(files.indexOf('0000-namespaces.yaml')).toBeLessThan(files.indexOf('0003-entry.yaml'));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('internal entries', () => {
  const plan = planWithInternalEntries();
  const all = manifests(plan);
  const entry = manifests(plan, 'entry');

  it('give a gRPC service an internal passthrough load balancer straight to its pods', () => {
    const svc = find(entry, 'Service', 'inventory-internal', 'commerce');
    expect(svc.metadata.annotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal' });
    expect(svc.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'grpc', port: 9090, targetPort: 9090, appProtocol: 'grpc' }] });
    const pods = find(all, 'Deployment', 'inventory', 'commerce').spec?.template.metadata.labels as Record<string, string>;
    for (const [k, v] of Object.entries(svc.spec?.selector as Record<string, string>)) expect(pods[k], k).toBe(v);
  });

  it('give a WebSocket service an internal Application Load Balancer (gce-internal, NEG, its stream lifetime)', () => {
    const svc = find(entry, 'Service', 'desk-feed-internal', 'realtime');
    expect(svc.metadata.annotations).toEqual({ 'cloud.google.com/neg': '{"ingress":true}', 'cloud.google.com/backend-config': '{"default":"desk-feed-internal"}' });
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'http', port: 8080, appProtocol: 'http' }] });
    expect(find(entry, 'BackendConfig', 'desk-feed-internal', 'realtime').spec).toEqual({ timeoutSec: 1805, healthCheck: { type: 'HTTP', requestPath: '/readyz', port: 8080 } });
    const ingress = find(entry, 'Ingress', 'desk-feed-internal', 'realtime');
    expect(ingress.metadata.annotations).toEqual({ 'kubernetes.io/ingress.class': 'gce-internal' });
    expect(ingress.spec).toEqual({ defaultBackend: { service: { name: 'desk-feed-internal', port: { number: 8080 } } } });
  });

  it('never reach the public GLB', () => {
    const ingress = find(entry, 'Ingress', 'public-entry');
    const backends = JSON.stringify(ingress.spec);
    expect(backends).not.toContain('inventory');
    expect(backends).not.toContain('desk-feed');
    expect(plan.routes.map((r) => r.name)).not.toContain('desk-feed');
    expect(plan.edge.internalEntries.map((e) => [e.service, e.kind])).toEqual([
      ['inventory', 'internal-passthrough'],
      ['desk-feed', 'internal-alb'],
    ]);
  });
});
