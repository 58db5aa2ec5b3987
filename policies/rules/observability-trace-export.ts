/**
 * OBS005 — spans go only to a collector the same environment deploys. Every OTLP endpoint the
 * output configures (a container's OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
 * Kong's `opentelemetry` plugin `traces_endpoint`) names an in-cluster Service
 * (`<name>.<namespace>.svc.cluster.local`) of these manifests, on one of its ports, that selects
 * pods these manifests run.
 */
import { get, podSpecOf, type EnvironmentArtifacts, type KubernetesObject, type Rule } from '../engine.ts';
import { eachContainer, type Problem } from '../rule-scopes.ts';
import { edgeTarget } from './edge-addresses.ts';

const ENDPOINT_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];

const labelsOf = (value: unknown): Record<string, string> =>
  value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};

/** Why `url` is not a collector of this environment, or undefined when it is. */
function notDeployedCollector(url: string, objects: readonly KubernetesObject[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?\.?$/.exec(parsed.hostname);
  if (!m?.[1] || !m[2]) return `"${url}" is not an in-cluster Service (<name>.<namespace>.svc.cluster.local)`;
  const [, name, namespace] = m;
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === name && o.metadata.namespace === namespace);
  if (!service) return `"${url}" names Service ${namespace}/${name}, which these manifests do not create`;
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const ports = (get(service, 'spec', 'ports') as unknown[] | undefined) ?? [];
  if (!ports.some((p) => Number(get(p, 'port')) === port)) return `"${url}" uses port ${port}, which Service ${namespace}/${name} does not expose`;
  const selector = labelsOf(get(service, 'spec', 'selector'));
  const runs = objects.some(
    (o) =>
      o.metadata.namespace === namespace &&
      o.kind !== 'Pod' &&
      podSpecOf(o) !== undefined &&
      Object.keys(selector).length > 0 &&
      Object.entries(selector).every(([k, v]) => labelsOf(get(o, 'spec', 'template', 'metadata', 'labels'))[k] === v),
  );
  return runs ? undefined : `"${url}" names Service ${namespace}/${name}, which selects no pods these manifests run`;
}

const REMEDIATION = 'point OTLP exporters at the collector Service the telemetry chart creates (plan.observability.collector)';

export const tracesToOwnCollector: Rule = {
  id: 'OBS005',
  severity: 'error',
  description: 'Spans are exported only to an OpenTelemetry Collector the same environment deploys (an in-cluster Service of its manifests)',
  rationale:
    "An OTLP endpoint outside the environment's own collector sends request metadata (paths, hosts, client addresses in attributes) somewhere the platform does not control, or nowhere: a typo or another environment's collector drops every span without an error any request sees.",
  remediation: REMEDIATION,
  equivalents: {},
  catalogKeys: ['tracing', 'observability'],
  check: (artifacts: EnvironmentArtifacts) => {
    const objects = artifacts.kubernetes.map((k) => k.object);
    const containers = eachContainer('containers-and-init', ({ container }) => {
      const env = (get(container, 'env') as unknown[] | undefined) ?? [];
      const problems: Problem[] = [];
      for (const e of env) {
        const name = String(get(e, 'name'));
        const value = get(e, 'value');
        if (!ENDPOINT_VARIABLES.includes(name) || typeof value !== 'string') continue;
        const why = notDeployedCollector(value, objects);
        if (why) problems.push({ message: `${name} ${why}`, remediation: REMEDIATION });
      }
      return problems;
    })(artifacts);
    const plugins = (get(artifacts.edge.kong?.config, 'plugins') as unknown[] | undefined) ?? [];
    const kong = plugins.flatMap((p) => {
      if (get(p, 'name') !== 'opentelemetry') return [];
      const url = get(p, 'config', 'traces_endpoint');
      const why = typeof url === 'string' ? notDeployedCollector(url, objects) : 'has no traces_endpoint';
      return why ? [{ target: edgeTarget(artifacts, 'kong', 'kong.yml#plugins/opentelemetry'), message: `Kong's opentelemetry plugin traces_endpoint ${why}`, remediation: REMEDIATION }] : [];
    });
    return [...containers, ...kong];
  },
};
