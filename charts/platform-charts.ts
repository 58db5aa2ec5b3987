/**
 * The Kubernetes side of one environment: a `namespaces` chart (with each namespace's quota,
 * limits and ingress isolation), then the `workloads`, `edge`, `entry`, `cluster-addons` and
 * `mesh` charts that depend on it (so ordered output applies cleanly with `kubectl apply -f dist/<env>/`),
 * and the rendered edge configs beside them in `dist/<env>/edge/` — the same texts the edge
 * chart's ConfigMaps embed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiObject, App, Chart, Yaml, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import type { ManifestObject } from '../infra/k8s-stack.ts';
import { Workload } from '../constructs/k8s/workload.ts';
import { EDGE_FILES, renderEdgeConfigs, type EdgeFile } from '../constructs/edge/edge-configs.ts';
import { buildEdgeChart } from './edge-chart.ts';
import { buildEntryChart } from './entry-chart.ts';
import { MetricsAdapter } from '../constructs/k8s/metrics-adapter.ts';
import { NamespaceQuota } from '../constructs/k8s/namespace-quota.ts';
import { planNamespaceQuotas } from '../constructs/k8s/namespace-plan.ts';
import { IngressPolicy } from '../constructs/k8s/ingress-policy.ts';
import { planNetworkPolicies } from '../constructs/k8s/network-plan.ts';
import { planSpread, spreadDeployments } from '../constructs/k8s/topology-spread.ts';
import { buildMeshChart } from './mesh-chart.ts';
import { buildObservabilityChart } from './observability-chart.ts';
import { buildTelemetryChart } from './telemetry-chart.ts';

export interface SynthesizedCharts {
  readonly app: App;
  /** Every object written, in apply order (what the k8s-<env> stack deploys). */
  readonly objects: readonly ManifestObject[];
}

export interface ChartsApp {
  readonly app: App;
  /** The rendered edge configs, written to `<outdir>/edge/` by `synthEnvironment`. */
  readonly edgeConfigs: Readonly<Record<EdgeFile, string>>;
}

export function buildChartsApp(plan: PlatformPlan, outdir: string): App {
  return buildCharts(plan, outdir).app;
}

const YAML = '.yaml';

export function buildCharts(plan: PlatformPlan, outdir: string): ChartsApp {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: YAML });
  const environmentLabel = `${plan.workloads.labelPrefix}/environment`;
  const labels = { [environmentLabel]: plan.env.name };

  const namespaces = new Chart(app, 'namespaces', { labels, disableResourceNameHashes: true });
  const namespaceLabels = (name: string): Record<string, string> =>
    plan.workloads.namespaces.find((n) => n.name === name)?.labels ?? { 'istio-injection': 'enabled', [environmentLabel]: plan.env.name };
  for (const name of [...new Set([...plan.workloads.namespaces.map((n) => n.name), plan.edge.namespace])].sort()) {
    new kplus.Namespace(namespaces, name, { metadata: { name, labels: namespaceLabels(name) } });
  }
  // Each namespace's quota and limits, default-deny ingress and the allows the catalog implies.
  for (const q of planNamespaceQuotas(plan)) new NamespaceQuota(namespaces, `quota-${q.namespace}`, q);
  const networkPolicies = planNetworkPolicies(plan);
  const adapterNamespace = plan.addons.metricsAdapter.namespace;
  const monitoringNamespace = plan.observability.alertmanager.namespace;
  const telemetryNamespace = plan.observability.collector.namespace;
  // Namespaces a later chart creates get their isolation there, with them.
  const ownChart = new Set([adapterNamespace, monitoringNamespace, telemetryNamespace]);
  for (const p of networkPolicies.filter((n) => !ownChart.has(n.namespace))) new IngressPolicy(namespaces, `ingress-${p.namespace}-${p.name}`, p);

  const workloads = new Chart(app, 'workloads', { labels, disableResourceNameHashes: true });
  for (const w of plan.workloads.workloads) new Workload(workloads, `${w.namespace}-${w.name}`, { plan: w });

  const edgeConfigs = renderEdgeConfigs(plan);
  buildEdgeChart(app, plan, edgeConfigs, { labels });
  // The GLB (Ingress + its configs) and the internal entries: dist/<env>/0003-entry.yaml.
  buildEntryChart(app, plan, { labels });

  // Control planes the platform's objects rely on that are plain manifests (Istio and cert-manager
  // come as pinned Helm releases in the k8s-<env> stack): the metrics adapter the HPAs need.
  const addons = new Chart(app, 'cluster-addons', { labels, disableResourceNameHashes: true });
  new MetricsAdapter(addons, 'metrics-adapter', plan.addons.metricsAdapter);
  // Its namespace is created here (outside the mesh), so its isolation follows it.
  for (const p of networkPolicies.filter((n) => n.namespace === adapterNamespace)) new IngressPolicy(addons, `ingress-${p.namespace}-${p.name}`, p);

  // Istio policy: mTLS, authorization per service, sidecar scopes, traffic rules (dist/<env>/0005-mesh.yaml).
  buildMeshChart(app, plan, { labels });
  // Operating it: scraping, SLO rules, the Alertmanager they alert through (dist/<env>/0006-observability.yaml).
  buildObservabilityChart(app, plan, networkPolicies, { labels });
  // Where spans go: the OpenTelemetry Collector and the mesh's tracing (dist/<env>/0007-telemetry.yaml).
  buildTelemetryChart(app, plan, networkPolicies, { labels });
  // Every Deployment of every chart, over zones and nodes.
  spreadDeployments(app, planSpread(plan.nodes.nodeLocations.length));
  return { app, edgeConfigs };
}

/**
 * Synthesizes one environment's manifests and writes its edge configs into `outdir`. Files are
 * numbered in the order the charts are created — `0000-namespaces.yaml` first — which is the apply
 * order (`kubectl apply -f` reads them sorted). The numbering is ours: a chart-level addDependency
 * would make cdk8s number them, but also add a dependency from every object to every object of the
 * other chart and sort both graphs, which grows with the square of the catalog.
 */
export async function synthEnvironment(plan: PlatformPlan, outdir: string): Promise<SynthesizedCharts> {
  const { app, edgeConfigs } = buildCharts(plan, outdir);
  // Each chart resolved once: the same objects are written here and returned for the k8s stack
  // (cdk8s's own App.synth would resolve them again, and re-validate the app for every chart).
  const perChart = app.charts.map((chart) => chart.toJson() as ManifestObject[]);
  await mkdir(join(outdir, 'edge'), { recursive: true });
  perChart.forEach((objects, i) => Yaml.save(join(outdir, `${String(i).padStart(4, '0')}-${app.charts[i]?.node.id}${YAML}`), objects));
  for (const file of EDGE_FILES) await writeFile(join(outdir, 'edge', file), edgeConfigs[file]);
  return { app, objects: perChart.flat() };
}

/** Every object of the app's charts, in apply order (what the k8s-<env> stack deploys). */
export function chartObjects(app: App): ManifestObject[] {
  return app.charts.flatMap((chart) => chart.toJson() as ManifestObject[]);
}
