// The telemetry chart (dist/<env>/0007-telemetry.yaml) and the tracing wiring around it: the
// collector hardened and isolated, its config against its components' documented keys, the
// gateway's OTEL_* variables through the gateway's own parser, Kong's plugin and the mesh's
// Telemetry and extensionProvider all pointing at the same collector Service, and nothing when
// the catalog turns tracing off.
import { describe, expect, it } from 'vitest';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { z } from 'zod';
import { buildChartsApp } from '../../charts/platform-charts.ts';
import { meshSamplingPercentage } from '../../charts/telemetry-chart.ts';
import { derivePlan, type PlatformPlan } from '../../constructs/platform-plan.ts';
import { kongConfig } from '../../constructs/edge/kong-config.ts';
import { COLLECTOR_IMAGE, MESH_TRACING_PROVIDER } from '../../constructs/observability/collector-plan.ts';
import { parseTracingConfig } from '../../gateway/src/tracing-config.ts';
import { THIRD_PARTY_IMAGE_REPOSITORIES, parseImage } from '../../policies/image-sources.ts';
import { planOf } from '../plan-fixtures.ts';
import { validatorFor } from './manifest-validators.ts';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any }; // any: manifests are read as untyped JSON, field paths vary by kind

const ENVS = ['dev', 'staging', 'prod'] as const;

function synth(plan: PlatformPlan): { all: Obj[]; telemetry: Obj[] } {
  const app = buildChartsApp(plan, Testing.app().outdir);
  const chart = app.charts.find((c) => c.node.id === 'telemetry');
  if (!chart) throw new Error('no telemetry chart');
  return { all: app.charts.flatMap((c) => Testing.synth(c) as Obj[]), telemetry: Testing.synth(chart) as Obj[] };
}

/**
 * The collector config's components, with the keys their READMEs document (receiver/otlpreceiver,
 * processor/memorylimiterprocessor, processor/batchprocessor, exporter/googlecloudexporter in
 * contrib, extension/healthcheckextension): strict objects, so an unknown or misspelt key — which
 * the collector refuses at start — fails here. The real binary cannot be fetched in this sandbox.
 */
const hostPort = z.string().regex(/^[0-9.]+:\d+$/);
const duration = z.string().regex(/^\d+(ms|s|m)$/);
const CollectorConfigSchema = z.strictObject({
  receivers: z.strictObject({
    otlp: z.strictObject({ protocols: z.strictObject({ grpc: z.strictObject({ endpoint: hostPort }), http: z.strictObject({ endpoint: hostPort }) }) }),
  }),
  processors: z.strictObject({
    memory_limiter: z.strictObject({
      check_interval: duration,
      limit_mib: z.number().int().positive().optional(),
      spike_limit_mib: z.number().int().positive().optional(),
      limit_percentage: z.number().int().optional(),
      spike_limit_percentage: z.number().int().optional(),
    }),
    batch: z.strictObject({
      send_batch_size: z.number().int().positive(),
      send_batch_max_size: z.number().int().nonnegative(),
      timeout: duration,
      metadata_keys: z.array(z.string()).optional(),
      metadata_cardinality_limit: z.number().int().optional(),
    }),
  }),
  exporters: z.strictObject({
    googlecloud: z.strictObject({
      project: z.string().min(1),
      destination_project_quota: z.boolean().optional(),
      user_agent: z.string().optional(),
      trace: z.strictObject({ endpoint: z.string().optional(), grpc_pool_size: z.number().int().optional(), use_insecure: z.boolean().optional() }).optional(),
    }),
  }),
  extensions: z.strictObject({ health_check: z.strictObject({ endpoint: hostPort, path: z.string().optional() }) }),
  service: z.strictObject({
    extensions: z.array(z.string()),
    pipelines: z.strictObject({ traces: z.strictObject({ receivers: z.array(z.string()).min(1), processors: z.array(z.string()), exporters: z.array(z.string()).min(1) }) }),
    telemetry: z.strictObject({ logs: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']), encoding: z.enum(['json', 'console']) }) }),
  }),
});

function withTracingOff(): PlatformPlan {
  const plan = planOf('prod');
  const env = structuredClone(plan.env) as PlatformPlan['env'];
  (env.observability.tracing as { enabled: boolean }).enabled = false;
  return derivePlan(env);
}

describe.each(ENVS)('telemetry chart, %s', (envName) => {
  const plan = planOf(envName);
  const { collector, tracing } = plan.observability;
  const { all, telemetry } = synth(plan);
  const find = (kind: string, name: string, namespace?: string): Obj => {
    const o = all.find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
    if (!o) throw new Error(`no ${kind} ${namespace ?? ''}/${name}`);
    return o;
  };

  it('validates every object (kubernetes-models; Telemetry against the Istio API fields)', () => {
    for (const o of telemetry) {
      const validate = validatorFor(o);
      expect(validate, `${o.apiVersion}/${o.kind}`).toBeDefined();
      validate!(o);
    }
    expect(new Set(telemetry.map((o) => o.kind))).toEqual(new Set(['Namespace', 'NetworkPolicy', 'ServiceAccount', 'ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget', 'Telemetry']));
  });

  it('runs the collector outside the mesh, hardened, pinned and admitted, as its own Google identity', () => {
    expect(find('Namespace', collector.namespace).metadata.labels?.['istio-injection']).toBe('disabled');
    const d = find('Deployment', collector.name, collector.namespace);
    const pod = d.spec.template.spec;
    const [c] = pod.containers;
    expect(c.image).toBe(COLLECTOR_IMAGE);
    expect(parseImage(c.image).tag).toMatch(/^\d+\.\d+\.\d+$/);
    expect(THIRD_PARTY_IMAGE_REPOSITORIES).toContain(parseImage(c.image).repository);
    expect(plan.addons.admittedImages).toContain(COLLECTOR_IMAGE);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
    expect(c.resources.requests.cpu).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.readinessProbe.httpGet.port).toBe(collector.ports.health);
    expect(c.livenessProbe.httpGet.port).toBe(collector.ports.health);
    expect(find('PodDisruptionBudget', collector.name, collector.namespace).spec.maxUnavailable).toBe(1);
    expect(d.spec.template.spec.topologySpreadConstraints?.length ?? 0).toBeGreaterThan(0);
    const sa = find('ServiceAccount', collector.name, collector.namespace);
    expect(sa.metadata.annotations?.['iam.gke.io/gcp-service-account']).toBe(`otel-collector@${plan.env.gcp.projectId}.iam.gserviceaccount.com`);
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
  });

  it("renders a collector config that uses only its components' documented keys, one traces pipeline to Cloud Trace in this project", () => {
    const cm = find('ConfigMap', collector.configMap, collector.namespace);
    const config = CollectorConfigSchema.parse(parse(cm.data['config.yaml']));
    expect(config.exporters.googlecloud.project).toBe(plan.env.gcp.projectId);
    expect(config.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['googlecloud'] });
    // Every component a pipeline names is defined; memory_limiter first (it must refuse before anything buffers).
    for (const r of config.service.pipelines.traces.receivers) expect(Object.keys(config.receivers)).toContain(r);
    for (const p of config.service.pipelines.traces.processors) expect(Object.keys(config.processors)).toContain(p);
    for (const e of config.service.pipelines.traces.exporters) expect(Object.keys(config.exporters)).toContain(e);
    for (const x of config.service.extensions) expect(Object.keys(config.extensions)).toContain(x);
    const ml = config.processors.memory_limiter;
    expect(ml.spike_limit_mib!).toBeLessThan(ml.limit_mib!);
    // The container's memory limit leaves room above memory_limiter's.
    const limit = find('Deployment', collector.name, collector.namespace).spec.template.spec.containers[0].resources.limits.memory as string;
    expect(Number(limit.replace(/Mi$/, ''))).toBeGreaterThan(ml.limit_mib!);
    // Listeners are the ports the Service and the probes use.
    const svc = find('Service', collector.name, collector.namespace);
    expect(svc.spec.ports.map((p: Obj) => p.port)).toEqual([Number(config.receivers.otlp.protocols.grpc.endpoint.split(':')[1]), Number(config.receivers.otlp.protocols.http.endpoint.split(':')[1])]);
    expect(Number(config.extensions.health_check.endpoint.split(':')[1])).toBe(collector.ports.health);
  });

  it("gives the gateway OTEL_* variables the gateway's own parser reads as: OTLP/HTTP to the collector, parent-based at the catalog's ratio", () => {
    const container = find('Deployment', plan.edge.gateway.name, plan.edge.namespace).spec.template.spec.containers.find((c: Obj) => c.name !== 'istio-proxy');
    const env = Object.fromEntries((container.env ?? []).map((e: { name: string; value: string }) => [e.name, e.value]));
    const parsed = parseTracingConfig(env);
    expect(parsed).toMatchObject({
      tracesUrl: `http://${collector.name}.${collector.namespace}.svc.cluster.local:4318/v1/traces`,
      sampler: 'parentbased_traceidratio',
      ratio: tracing.sampleRatio,
      serviceName: plan.edge.gateway.name,
      resourceAttributes: { 'deployment.environment.name': plan.env.name, 'cloud.account.id': plan.env.gcp.projectId },
    });
    expect(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL).toBe('http/json');
    // That URL is the collector Service's HTTP port.
    const svc = find('Service', collector.name, collector.namespace);
    expect(new URL(parsed!.tracesUrl).port).toBe(String(svc.spec.ports.find((p: Obj) => p.appProtocol === 'http').port));
  });

  it("turns Kong's opentelemetry plugin on, global, to the collector at the catalog's ratio, W3C in and out", () => {
    const plugin = kongConfig(plan.env, plan.routes).plugins.find((p) => p.name === 'opentelemetry');
    expect(plugin?.config).toMatchObject({ traces_endpoint: collector.tracesUrl, sampling_rate: tracing.sampleRatio, propagation: { extract: ['w3c'], inject: ['w3c'], default_format: 'w3c' } });
    const kong = find('Deployment', plan.edge.kong.name, plan.edge.namespace).spec.template.spec.containers.find((c: Obj) => c.name === plan.edge.kong.name);
    expect(kong.env).toContainEqual({ name: 'KONG_TRACING_INSTRUMENTATIONS', value: 'request' });
  });

  it("turns the sidecars' tracing on mesh-wide through istiod's extensionProvider, at the catalog's ratio as a percentage", () => {
    const t = find('Telemetry', 'mesh-default', 'istio-system');
    expect(t.spec.tracing).toEqual([{ providers: [{ name: MESH_TRACING_PROVIDER }], randomSamplingPercentage: tracing.sampleRatio * 100 }]);
    const istiod = plan.addons.helm.find((h) => h.name === 'istiod');
    const providers = (istiod?.values as { meshConfig: { extensionProviders: { name: string; opentelemetry: { service: string; port: number } }[] } }).meshConfig.extensionProviders;
    const svc = find('Service', collector.name, collector.namespace);
    expect(providers).toEqual([
      { name: MESH_TRACING_PROVIDER, opentelemetry: { service: `${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`, port: svc.spec.ports.find((p: Obj) => p.appProtocol === 'grpc').port } },
    ]);
  });
});

describe('tracing wiring', () => {
  it('converts ratios to Istio percentages at its 0.01 precision', () => {
    expect(meshSamplingPercentage(1)).toBe(100);
    expect(meshSamplingPercentage(0.01)).toBe(1);
    expect(meshSamplingPercentage(0.0001)).toBe(0.01);
    expect(meshSamplingPercentage(0.123456)).toBe(12.35);
  });

  it('sets nothing when the catalog turns tracing off: no OTEL_* on the gateway, no Kong plugin, sidecars only propagate', () => {
    const plan = withTracingOff();
    const { all } = synth(plan);
    const gateway = all.find((o) => o.kind === 'Deployment' && o.metadata.name === plan.edge.gateway.name)!;
    const env: { name: string }[] = gateway.spec.template.spec.containers.flatMap((c: Obj) => c.env ?? []);
    expect(env.filter((e) => e.name.startsWith('OTEL_'))).toEqual([]);
    expect(kongConfig(plan.env, plan.routes).plugins.map((p) => p.name)).not.toContain('opentelemetry');
    const kong = all.find((o) => o.kind === 'Deployment' && o.metadata.name === plan.edge.kong.name)!;
    expect(JSON.stringify(kong)).not.toContain('KONG_TRACING_INSTRUMENTATIONS');
    const t = all.find((o) => o.kind === 'Telemetry')!;
    expect(t.spec.tracing).toEqual([{ providers: [{ name: MESH_TRACING_PROVIDER }], disableSpanReporting: true }]);
  });

  it('rejects a Telemetry the Istio API would not accept (the validator is not vacuous)', () => {
    const { telemetry } = synth(planOf('dev'));
    const t = structuredClone(telemetry.find((o) => o.kind === 'Telemetry')!);
    t.spec.tracing[0].randomSamplingPercent = 5;
    expect(() => validatorFor(t)!(t)).toThrow(/randomSamplingPercent/);
    const over = structuredClone(telemetry.find((o) => o.kind === 'Telemetry')!);
    over.spec.tracing[0].randomSamplingPercentage = 150;
    expect(() => validatorFor(over)!(over)).toThrow();
  });

  it('rejects a collector config key its component does not have (the schema is not vacuous)', () => {
    const { telemetry } = synth(planOf('dev'));
    const cm = telemetry.find((o) => o.kind === 'ConfigMap')!;
    const config = parse(cm.data['config.yaml']);
    config.exporters.googlecloud.project_id = 'x';
    expect(() => CollectorConfigSchema.parse(config)).toThrow(/project_id/);
  });
});
