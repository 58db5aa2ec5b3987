/**
 * The Kubernetes side of one environment: a `namespaces` chart, and a `workloads` chart
 * that depends on it (so ordered output applies cleanly with `kubectl apply -f dist/<env>/`).
 */
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { Workload } from '../constructs/k8s/workload.ts';

export function buildChartsApp(plan: PlatformPlan, outdir: string): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
  const labels = { 'platform.acme.example/environment': plan.env.name };

  const namespaces = new Chart(app, 'namespaces', { labels, disableResourceNameHashes: true });
  for (const ns of plan.workloads.namespaces) {
    new kplus.Namespace(namespaces, ns.name, { metadata: { name: ns.name, labels: { ...ns.labels } } });
  }

  const workloads = new Chart(app, 'workloads', { labels, disableResourceNameHashes: true });
  workloads.addDependency(namespaces);
  for (const w of plan.workloads.workloads) new Workload(workloads, `${w.namespace}-${w.name}`, { plan: w });
  return app;
}

/** Kubernetes objects in an app's charts, counted from the construct tree (no second synthesis). */
export function objectCount(app: App): number {
  return app.charts.reduce((n, chart) => n + chart.node.findAll().filter((node) => ApiObject.isApiObject(node)).length, 0);
}
