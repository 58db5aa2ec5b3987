// The observability chart (dist/<env>/0006-observability.yaml): GMP objects against GMP's own
// CRDs, every rules object where its metrics are, the Alertmanager and what feeds it.
import { describe, expect, it } from 'vitest';
import { Testing } from 'cdk8s';
import { buildChartsApp } from '../../charts/platform-charts.ts';
import { renderAlertmanagerConfig } from '../../constructs/observability/alertmanager-config.ts';
import { planOf } from '../plan-fixtures.ts';
import { loadGmpCrds } from './gmp-crds.ts';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any }; // any: manifests are read as untyped JSON, field paths vary by kind

const ENVS = ['dev', 'staging', 'prod'] as const;

function charts(envName: (typeof ENVS)[number]): { all: Obj[]; observability: Obj[] } {
  const app = buildChartsApp(planOf(envName), Testing.app().outdir);
  const all = app.charts.flatMap((c) => Testing.synth(c) as Obj[]);
  const chart = app.charts.find((c) => c.node.id === 'observability');
  if (!chart) throw new Error('no observability chart');
  return { all, observability: Testing.synth(chart) as Obj[] };
}

const gmp = loadGmpCrds();

describe.skipIf(!gmp.validators)(`GMP objects against GMP's CRDs${gmp.reason ? ` (skipped: ${gmp.reason})` : ''}`, () => {
  it.each(ENVS)('%s: every monitoring.googleapis.com object validates', (envName) => {
    const objects = charts(envName).all.filter((o) => o.apiVersion === 'monitoring.googleapis.com/v1');
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(['PodMonitoring', 'Rules', 'ClusterRules', 'GlobalRules', 'OperatorConfig']));
    for (const o of objects) expect(gmp.validators!.errors(o), `${o.kind}/${o.metadata.name}`).toBeUndefined();
  });

  it('rejects what the CRD rejects (a mutation: a rule group interval that is not a duration, an endpoint without a port)', () => {
    const { all } = charts('prod');
    const rules = structuredClone(all.find((o) => o.kind === 'Rules')!);
    rules.spec.groups[0].interval = 'thirty seconds';
    expect(gmp.validators!.errors(rules)).toMatch(/interval/);
    const monitoring = structuredClone(all.find((o) => o.kind === 'PodMonitoring')!);
    delete monitoring.spec.endpoints[0].port;
    expect(gmp.validators!.errors(monitoring)).toMatch(/port/);
  });
});

describe.each(ENVS)('observability chart, %s', (envName) => {
  const plan = planOf(envName);
  const { all, observability } = charts(envName);
  const of = (kind: string): Obj[] => observability.filter((o) => o.kind === kind);

  it('puts each rules object where its metrics are: a Rules object sees only its namespace', () => {
    const exprs = (o: Obj): string[] => o.spec.groups.flatMap((g: Obj) => g.rules.map((r: Obj) => String(r.expr)));
    const metricNames = (o: Obj): Set<string> =>
      new Set(exprs(o).flatMap((e) => [...e.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]!).filter((n) => !n.startsWith('slo:'))));
    for (const rules of of('Rules')) {
      const names = [...metricNames(rules)];
      if (rules.metadata.namespace === plan.edge.namespace) expect(names.every((n) => n.startsWith('gateway_') || n.startsWith('kong_')), names.join()).toBe(true);
      else expect(names.every((n) => n.startsWith('istio_')), names.join()).toBe(true);
      // The server's sidecars are scraped in that namespace.
      if (rules.metadata.namespace !== plan.edge.namespace) {
        expect(all.find((o) => o.kind === 'PodMonitoring' && o.metadata.namespace === rules.metadata.namespace && o.metadata.name === 'istio-sidecars')).toBeDefined();
      }
    }
    // Cloud Monitoring metrics (Pub/Sub, the load balancer) are read by GlobalRules only.
    const global = of('GlobalRules');
    expect(global).toHaveLength(1);
    expect([...metricNames(global[0]!)].every((n) => n.includes('_googleapis_com:'))).toBe(true);
    // GPU saturation reads the managed DCGM metrics cluster-wide (the exporter's namespace is not the workload's).
    expect(of('ClusterRules').flatMap((o) => exprs(o)).every((e) => e.includes('DCGM_FI_DEV_'))).toBe(true);
  });

  it('gives every alert its severity, service, env, route where there is one, a summary, a dashboard and a runbook', () => {
    const alerts = [...of('Rules'), ...of('ClusterRules'), ...of('GlobalRules')].flatMap((o) => o.spec.groups.flatMap((g: Obj) => g.rules.filter((r: Obj) => r.alert)));
    expect(alerts.length).toBeGreaterThan(10);
    for (const a of alerts) {
      expect(a.labels, a.alert).toMatchObject({ env: envName, service: expect.any(String), severity: expect.stringMatching(/^(page|ticket)$/) });
      expect(a.annotations.runbook_url, a.alert).toBe(`https://github.com/acme/platform/blob/main/docs/runbooks/${envName}/${a.alert}.md`);
      expect(a.annotations.dashboard).toContain(plan.env.gcp.projectId);
      expect(a.annotations.summary.length).toBeGreaterThan(20);
    }
    for (const slo of plan.observability.slos.filter((s) => s.route)) {
      expect(alerts.filter((a) => a.labels.slo === slo.name).every((a) => a.labels.route === slo.route)).toBe(true);
    }
    // Development pages nobody; production and staging objectives page.
    expect(alerts.some((a) => a.labels.severity === 'page')).toBe(envName !== 'dev');
  });

  it('runs the generated Alertmanager config with receiver credentials from the mounted Secret only', () => {
    const am = plan.observability.alertmanager;
    const config = of('ConfigMap').find((c) => c.metadata.name === am.configMap)!;
    expect(config.data).toEqual({ 'alertmanager.yml': renderAlertmanagerConfig(plan.observability) });
    const deployment = of('Deployment').find((d) => d.metadata.name === am.name)!;
    expect(deployment.metadata.namespace).toBe('monitoring');
    expect(deployment.spec.replicas).toBe(envName === 'prod' ? 2 : 1);
    const pod = deployment.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'receivers', secret: { secretName: 'alertmanager-receivers', defaultMode: 0o440 } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'receivers', mountPath: '/etc/alertmanager/receivers', readOnly: true });
    expect(pod.automountServiceAccountToken).toBe(false);
    // Every receiver reads its credential from a file of that directory; no URL or key is inline.
    const text = config.data['alertmanager.yml'] as string;
    expect(text).not.toMatch(/hooks\.slack\.com|routing_key:|api_url:|service_key:/);
    for (const file of text.matchAll(/_file: (\S+)/g)) expect(file[1]!.startsWith('/etc/alertmanager/receivers/')).toBe(true);
    // Outside the mesh (GMP's rule-evaluator has no sidecar), and GMP's rule-evaluator is pointed at it.
    expect(observability.find((o) => o.kind === 'Namespace')?.metadata.labels?.['istio-injection']).toBe('disabled');
    expect(of('OperatorConfig')[0]).toMatchObject({
      metadata: { name: 'config', namespace: 'gmp-public' },
      rules: { alerting: { alertmanagers: [{ name: 'alertmanager', namespace: 'monitoring', port: 9093 }] } },
    });
  });

  it('scrapes every SLI source: the gateway, Kong status, the servers sidecars', () => {
    const monitorings = all.filter((o) => o.kind === 'PodMonitoring').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(monitorings).toEqual(expect.arrayContaining(['edge/edge-gateway', 'edge/kong', ...plan.observability.sidecarNamespaces.map((ns) => `${ns}/istio-sidecars`)]));
  });
});
