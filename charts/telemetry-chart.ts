/**
 * Where spans go (dist/<env>/0007-telemetry.yaml): the OpenTelemetry Collector in namespace
 * `telemetry` (outside the mesh, like `monitoring`: its senders reach the OTLP ports in
 * plaintext, Istio's sidecars from inside the mesh), that namespace's default deny and the allow
 * from exactly the namespaces that send spans, and the mesh-wide Istio Telemetry object that
 * turns the sidecars' tracing on through istiod's `otel-collector` extensionProvider
 * (constructs/k8s/cluster-addons-plan.ts) at the catalog's sampling ratio. Everything from the plan.
 */
import { ApiObject, Chart, type App, type ChartProps } from 'cdk8s';
import { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { OtelCollector } from '../constructs/k8s/otel-collector.ts';
import { renderCollectorConfig } from '../constructs/observability/collector-config.ts';
import { MESH_TRACING_PROVIDER } from '../constructs/observability/collector-plan.ts';
import { IngressPolicy } from '../constructs/k8s/ingress-policy.ts';
import type { NetworkPolicyPlan } from '../constructs/k8s/network-plan.ts';
import { MESH_ROOT_NAMESPACE } from '../constructs/mesh/mesh-plan.ts';

/** Istio's sampling is a percentage with 0.01 precision; the catalog's is a ratio. */
export function meshSamplingPercentage(ratio: number): number {
  return Math.round(ratio * 10_000) / 100;
}

export function buildTelemetryChart(app: App, plan: PlatformPlan, policies: readonly NetworkPolicyPlan[], props: ChartProps): Chart {
  const chart = new Chart(app, 'telemetry', { ...props, disableResourceNameHashes: true });
  const { collector, tracing } = plan.observability;
  const labelPrefix = plan.workloads.labelPrefix;

  new KubeNamespace(chart, 'namespace', {
    metadata: { name: collector.namespace, labels: { 'istio-injection': 'disabled', [`${labelPrefix}/environment`]: plan.env.name } },
  });
  for (const p of policies.filter((n) => n.namespace === collector.namespace)) new IngressPolicy(chart, `ingress-${p.namespace}-${p.name}`, p);
  new OtelCollector(chart, 'otel-collector', { plan: collector, config: renderCollectorConfig(collector), labelPrefix });

  // Mesh-wide (the root namespace, no selector): the sidecars report to the collector; off, they only propagate.
  new ApiObject(chart, 'mesh-tracing', {
    apiVersion: 'telemetry.istio.io/v1',
    kind: 'Telemetry',
    metadata: { name: 'mesh-default', namespace: MESH_ROOT_NAMESPACE },
    spec: {
      tracing: [
        tracing.enabled
          ? { providers: [{ name: MESH_TRACING_PROVIDER }], randomSamplingPercentage: meshSamplingPercentage(tracing.sampleRatio) }
          : { providers: [{ name: MESH_TRACING_PROVIDER }], disableSpanReporting: true },
      ],
    },
  });
  return chart;
}
