/**
 * Operating the platform (dist/<env>/0006-observability.yaml): what Google Managed Prometheus
 * scrapes beyond the gateway (Kong's status listener, the servers' Istio sidecars), the SLO rule
 * objects where their metrics are (`Rules` per namespace, `ClusterRules`, `GlobalRules` for Cloud
 * Monitoring metrics), the platform's Alertmanager in namespace `monitoring` with its isolation,
 * and the OperatorConfig that points GMP's rule-evaluator at it. Everything from the plan.
 */
import { ApiObject, Chart, type App, type ChartProps } from 'cdk8s';
import { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { renderRules, type RulesObject } from '../constructs/observability/slo-rules.ts';
import { renderAlertmanagerConfig } from '../constructs/observability/alertmanager-config.ts';
import { Alertmanager } from '../constructs/k8s/alertmanager.ts';
import { IngressPolicy } from '../constructs/k8s/ingress-policy.ts';
import { ISTIO_SIDECAR_METRICS_PORT, NAME_LABEL, type NetworkPolicyPlan } from '../constructs/k8s/network-plan.ts';

const GMP = 'monitoring.googleapis.com/v1';
/** Where GKE keeps the OperatorConfig (a singleton named `config`). */
export const GMP_PUBLIC_NAMESPACE = 'gmp-public';

function rulesManifest(chart: Chart, o: RulesObject): void {
  const id = o.kind === 'Rules' ? `rules-${o.namespace}` : o.kind === 'ClusterRules' ? 'cluster-rules' : 'global-rules';
  new ApiObject(chart, id, {
    apiVersion: GMP,
    kind: o.kind,
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) },
    spec: { groups: o.groups.map((g) => ({ name: g.name, interval: g.interval, rules: g.rules })) },
  });
}

export function buildObservabilityChart(app: App, plan: PlatformPlan, policies: readonly NetworkPolicyPlan[], props: ChartProps): Chart {
  const chart = new Chart(app, 'observability', { ...props, disableResourceNameHashes: true });
  const obs = plan.observability;
  const am = obs.alertmanager;
  const labelPrefix = plan.workloads.labelPrefix;

  // Outside the mesh: GMP's rule-evaluator (gmp-system, no sidecar) sends alerts in plaintext.
  new KubeNamespace(chart, 'namespace', {
    metadata: { name: am.namespace, labels: { 'istio-injection': 'disabled', [`${labelPrefix}/environment`]: plan.env.name } },
  });
  for (const p of policies.filter((n) => n.namespace === am.namespace)) new IngressPolicy(chart, `ingress-${p.namespace}-${p.name}`, p);
  new Alertmanager(chart, 'alertmanager', { plan: am, config: renderAlertmanagerConfig(obs), labelPrefix });
  new ApiObject(chart, 'operator-config', {
    apiVersion: GMP,
    kind: 'OperatorConfig',
    metadata: { name: 'config', namespace: GMP_PUBLIC_NAMESPACE },
    rules: { alerting: { alertmanagers: [{ name: am.name, namespace: am.namespace, port: am.ports.web, apiVersion: 'v2' }] } },
  });

  // Scraping: nothing is collected without a PodMonitoring (the gateway's is in the edge chart).
  const kong = plan.edge.kong;
  new ApiObject(chart, 'kong-pod-monitoring', {
    apiVersion: GMP,
    kind: 'PodMonitoring',
    metadata: { name: kong.name, namespace: plan.edge.namespace },
    spec: { selector: { matchLabels: { [NAME_LABEL]: kong.name } }, endpoints: [{ port: 'status', path: '/metrics', interval: '30s' }] },
  });
  for (const namespace of obs.sidecarNamespaces) {
    new ApiObject(chart, `sidecar-pod-monitoring-${namespace}`, {
      apiVersion: GMP,
      kind: 'PodMonitoring',
      metadata: { name: 'istio-sidecars', namespace },
      spec: {
        // Every pod with an Istio sidecar (istiod labels them on injection).
        selector: { matchExpressions: [{ key: 'security.istio.io/tlsMode', operator: 'Exists' }] },
        endpoints: [{ port: ISTIO_SIDECAR_METRICS_PORT, path: '/stats/prometheus', interval: '30s' }],
      },
    });
  }
  for (const o of renderRules(obs)) rulesManifest(chart, o);
  return chart;
}
