import { describe, expect, it } from 'vitest';
import { Testing } from 'cdk8s';
import { validatorFor } from './manifest-validators.ts';
import { buildChartsApp } from '../../charts/platform-charts.ts';
import { planOf } from '../plan-fixtures.ts';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };

function manifests(envName: 'dev' | 'prod'): Obj[] {
  const app = buildChartsApp(planOf(envName), Testing.app().outdir);
  return app.charts.flatMap((c) => Testing.synth(c) as Obj[]);
}

const find = (objs: Obj[], kind: string, name: string): Obj => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not synthesized`);
  return o;
};

describe('per-environment charts', () => {
  const prod = manifests('prod');

  it('emits only schema-valid Kubernetes objects', () => {
    for (const envName of ['dev', 'prod'] as const) {
      for (const o of envName === 'prod' ? prod : manifests(envName)) {
        const validate = validatorFor(o);
        expect(validate, `no validator for ${o.apiVersion} ${o.kind}`).toBeDefined();
        expect(() => validate?.(o), `${envName} ${o.kind}/${o.metadata.name}`).not.toThrow();
      }
    }
  });

  it('creates each namespace once, with sidecar injection on', () => {
    const namespaces = prod.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => n.metadata.name)).toEqual(['commerce', 'edge', 'events', 'ml', 'realtime', 'custom-metrics', 'monitoring', 'telemetry']);
    // The metrics adapter stays outside the mesh (the API server calls it directly), and so do
    // Alertmanager (GMP's rule-evaluator, which has no sidecar, sends it alerts) and the
    // OpenTelemetry Collector (its senders reach it in plaintext; sidecars from inside the mesh).
    expect(namespaces.filter((n) => n.metadata.labels?.['istio-injection'] !== 'enabled').map((n) => n.metadata.name)).toEqual(['custom-metrics', 'monitoring', 'telemetry']);
  });

  it('gives every catalog service a ServiceAccount, Deployment, Service and HPA', () => {
    for (const name of ['orders-api', 'inventory', 'chat', 'market-feed', 'llm-inference', 'event-enricher']) {
      for (const kind of ['ServiceAccount', 'Deployment', 'Service', 'HorizontalPodAutoscaler']) find(prod, kind, name);
    }
    expect(find(prod, 'ServiceAccount', 'orders-api').metadata).toMatchObject({
      namespace: 'commerce',
      annotations: { 'iam.gke.io/gcp-service-account': 'wl-orders-api@acme-platform-prod.iam.gserviceaccount.com' },
    });
  });

  it('runs hardened containers from the environment registry', () => {
    const dep = find(prod, 'Deployment', 'orders-api');
    expect(dep).toMatchObject({
      spec: {
        template: {
          spec: {
            automountServiceAccountToken: false,
            containers: [
              {
                image: 'europe-west4-docker.pkg.dev/acme-platform-prod/platform/orders-api:1.8.2',
                securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false },
                resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '512Mi' } },
                readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
              },
            ],
          },
        },
      },
    });
  });

  it('labels gRPC Services for the mesh and probes them with gRPC health checks', () => {
    expect(find(prod, 'Service', 'inventory')).toMatchObject({ spec: { ports: [{ name: 'grpc', port: 9090, appProtocol: 'grpc' }] } });
    expect(find(prod, 'Deployment', 'inventory')).toMatchObject({
      spec: { template: { spec: { containers: [{ readinessProbe: { grpc: { port: 9090 } } }] } } },
    });
  });

  it('places GPU pods on GPU nodes, and nothing else tolerates the GPU taint', () => {
    expect(find(prod, 'Deployment', 'llm-inference')).toMatchObject({
      spec: {
        template: {
          spec: {
            nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' },
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }],
            containers: [{ resources: { limits: { 'nvidia.com/gpu': 1 } } }],
          },
        },
      },
    });
    const others = prod.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'llm-inference');
    expect(others.length).toBe(5 + 3 + 1 + 1 + 1); // five workloads, the three edge proxies, the metrics adapter, Alertmanager, the collector
    for (const d of others) expect(JSON.stringify(d)).not.toContain('nvidia.com/gpu');
  });

  it('scales consumers on Pub/Sub backlog and inference on GPU duty cycle', () => {
    const consumer = find(prod, 'HorizontalPodAutoscaler', 'event-enricher') as Obj & { spec: { metrics: unknown[] } };
    expect(consumer.spec.metrics).toContainEqual({
      type: 'External',
      external: {
        metric: {
          name: 'pubsub.googleapis.com|subscription|num_undelivered_messages',
          selector: { matchLabels: { 'resource.labels.subscription_id': 'ingest-enricher' } },
        },
        target: { type: 'AverageValue', averageValue: 200 },
      },
    });
    const inference = find(prod, 'HorizontalPodAutoscaler', 'llm-inference') as Obj & { spec: { metrics: { external?: { metric: { name: string } } }[] } };
    expect(inference.spec.metrics.map((m) => m.external?.metric.name)).toContain('kubernetes.io|container|accelerator|duty_cycle');
    expect(inference.spec).toMatchObject({ minReplicas: 2, maxReplicas: 8, scaleTargetRef: { kind: 'Deployment', name: 'llm-inference' } });
  });

  it('carries per-environment scale from the catalog overrides', () => {
    expect(find(manifests('dev'), 'HorizontalPodAutoscaler', 'orders-api')).toMatchObject({ spec: { minReplicas: 1, maxReplicas: 2 } });
    expect(find(prod, 'HorizontalPodAutoscaler', 'orders-api')).toMatchObject({ spec: { minReplicas: 3, maxReplicas: 30 } });
  });
});
