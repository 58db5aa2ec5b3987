/**
 * The SLO rules over the synthesized observability objects (dist/<env>/0006-observability.yaml and
 * the edge configs): every public production route has an objective that pages somewhere, every
 * latency threshold is a bucket boundary of the histogram it reads, every alert's runbook exists
 * in the repository, and the Alertmanager config holds no credential.
 */
import { parse as parseYaml } from 'yaml';
import { get, kubernetesAddress, type EnvironmentArtifacts, type KubernetesObject, type Rule, type Target } from '../engine.ts';
import { edgeView } from './edge-configs.ts';
import { ISTIO_REQUEST_DURATION_BUCKETS_MS, KONG_REQUEST_LATENCY_BUCKETS_MS } from '../../environments/slo-defaults.ts';

type Finding = ReturnType<Rule['check']>[number];

const RULE_KINDS = new Set(['Rules', 'ClusterRules', 'GlobalRules']);

interface PromRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

interface Located<T> {
  readonly file: string;
  readonly object: KubernetesObject;
  readonly rule: T;
}

function rulesOf(artifacts: EnvironmentArtifacts): Located<PromRule>[] {
  return artifacts.kubernetes
    .filter(({ object }) => object.apiVersion === 'monitoring.googleapis.com/v1' && RULE_KINDS.has(object.kind))
    .flatMap(({ file, object }) => {
      const groups = get(object, 'spec', 'groups');
      return (Array.isArray(groups) ? groups : []).flatMap((g) => {
        const rules = get(g, 'rules');
        return (Array.isArray(rules) ? rules : []).map((r) => ({
          file,
          object,
          rule: {
            ...(typeof get(r, 'alert') === 'string' ? { alert: get(r, 'alert') as string } : {}),
            ...(typeof get(r, 'record') === 'string' ? { record: get(r, 'record') as string } : {}),
            expr: String(get(r, 'expr') ?? ''),
            labels: (get(r, 'labels') ?? {}) as Record<string, string>,
            annotations: (get(r, 'annotations') ?? {}) as Record<string, string>,
          },
        }));
      });
    });
}

const targetOf = (artifacts: EnvironmentArtifacts, file: string, object: KubernetesObject, suffix = ''): Target => ({
  env: artifacts.env,
  file,
  address: `${kubernetesAddress(object)}${suffix}`,
});

/** The Alertmanager config the platform runs: the ConfigMap holding `alertmanager.yml`. */
function alertmanagerConfigs(artifacts: EnvironmentArtifacts): { file: string; object: KubernetesObject; text: string }[] {
  return artifacts.kubernetes.flatMap(({ file, object }) => {
    const text = object.kind === 'ConfigMap' ? get(object, 'data', 'alertmanager.yml') : undefined;
    return typeof text === 'string' ? [{ file, object, text }] : [];
  });
}

/** Receivers (by name) that send somewhere: any `*_configs` entry. */
function sendingReceivers(config: unknown): Set<string> {
  const receivers = get(config, 'receivers');
  return new Set(
    (Array.isArray(receivers) ? receivers : [])
      .filter((r) => Object.entries(r as Record<string, unknown>).some(([k, v]) => k.endsWith('_configs') && Array.isArray(v) && v.length > 0))
      .map((r) => String(get(r, 'name'))),
  );
}

/** The receiver Alertmanager's route tree picks for a label set (first matching child, recursively; `matchers` equality only). */
function receiverFor(route: unknown, labels: Readonly<Record<string, string>>): string | undefined {
  const own = get(route, 'receiver') as string | undefined;
  const children = get(route, 'routes');
  for (const child of Array.isArray(children) ? children : []) {
    const matchers = get(child, 'matchers');
    const ok = (Array.isArray(matchers) ? matchers : []).every((m) => {
      const match = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"?([^"]*)"?\s*$/.exec(String(m));
      return match !== null && labels[match[1]!] === match[2];
    });
    if (ok) return receiverFor(child, labels) ?? own;
  }
  return own;
}

export const productionRoutesPage: Rule = {
  id: 'SLO001',
  severity: 'error',
  description: 'Every public route of a production environment has an SLO whose page alert Alertmanager routes to a receiver that sends somewhere',
  rationale:
    'A public route with no objective, or whose fast-burn alert routes to a receiver with no channel, fails silently: the platform cannot tell anyone it is down. In production every route the load balancer serves must page its owner when it burns its error budget fast (SRE workbook: 14.4x over 1 h and 5 m).',
  remediation: 'keep the route in the catalog (objectives default by kind and tier) and give the environment observability.alerting.page; do not set slo.page: false on a production route',
  equivalents: {},
  catalogKeys: ['observability', 'services'],
  check: (artifacts) => {
    if (artifacts.tier !== undefined && artifacts.tier !== 'production') return [];
    const view = edgeView(artifacts.edge);
    const routes = [...(view.gateway?.routes.map((r) => r.name) ?? []), ...(view.kong?.routes.map((r) => r.name) ?? [])];
    const pages = rulesOf(artifacts).filter((r) => r.rule.alert !== undefined && r.rule.labels.severity === 'page');
    const configs = alertmanagerConfigs(artifacts);
    const findings: Finding[] = [];
    for (const route of [...new Set(routes)].sort()) {
      const page = pages.find((p) => p.rule.labels.route === route);
      if (!page) {
        const where = view.gateway?.routes.some((r) => r.name === route) ? view.gateway.file : (view.kong?.file ?? `dist/${artifacts.env}/edge/kong.yml`);
        findings.push({
          target: { env: artifacts.env, file: where, address: `route/${route}` },
          message: `public route "${route}" has no SLO alert of severity page: an outage of it pages nobody`,
          remediation: `keep an objective on "${route}" (its service's slo, defaults by kind and tier) and do not turn its paging off in production`,
          catalog: { name: route },
        });
        continue;
      }
      const sends = configs.some(({ text }) => {
        const config: unknown = parseYaml(text);
        const receiver = receiverFor(get(config, 'route'), { ...page.rule.labels, alertname: page.rule.alert! });
        return receiver !== undefined && sendingReceivers(config).has(receiver);
      });
      if (!sends) {
        findings.push({
          target: targetOf(artifacts, page.file, page.object, `#${page.rule.alert}`),
          message: `the page alert ${page.rule.alert} of route "${route}" reaches no receiver that sends anywhere (no Alertmanager config routes severity="page" to a channel)`,
          remediation: 'set observability.alerting.page in the environment (pagerduty, slack or webhook, its credential a key of the Secret alertmanager-receivers)',
          catalog: { keys: ['observability'] },
        });
      }
    }
    return findings;
  },
};

/** `metric_bucket{…le="X"…}` selectors in an expression: which histogram, at which boundary. */
function bucketSelectors(expr: string): { metric: string; le: string }[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)_bucket\{([^}]*)\}/g)].flatMap((m) => {
    const le = /(?:^|,)\s*le\s*=\s*"([^"]+)"/.exec(m[2]!);
    return le ? [{ metric: m[1]!, le: le[1]! }] : [];
  });
}

export const latencyThresholdsAreBuckets: Rule = {
  id: 'SLO002',
  severity: 'error',
  description: 'Every latency SLI counts requests under a bucket boundary of the histogram it reads (the gateway’s route-table buckets, Kong 3.9.3’s and Istio’s fixed ones)',
  rationale:
    'A histogram can only count requests under one of its own bucket boundaries. A selector for le="300" on a histogram whose buckets are 250 and 400 matches no series at all, so the latency SLI reads as no data — or, written as 1 - good/total, as total failure — and its alerts measure something other than the objective, silently.',
  remediation: 'choose a threshold from the source’s boundaries (the catalog rejects others and lists them); for gateway routes the renderer adds each threshold to the route table’s buckets',
  equivalents: {},
  catalogKeys: ['services'],
  check: (artifacts) => {
    const gatewayBuckets = (get(artifacts.edge.gatewayRoutes?.config, 'metrics', 'durationBucketsSeconds') as number[] | undefined) ?? [];
    const known: Readonly<Record<string, { readonly boundaries: readonly number[]; readonly source: string }>> = {
      gateway_request_duration_seconds: { boundaries: gatewayBuckets, source: `the gateway's route table (${artifacts.edge.gatewayRoutes?.file ?? 'gateway-routes.json'})` },
      kong_request_latency_ms: { boundaries: KONG_REQUEST_LATENCY_BUCKETS_MS, source: "Kong 3.9.3's prometheus plugin" },
      istio_request_duration_milliseconds: { boundaries: ISTIO_REQUEST_DURATION_BUCKETS_MS, source: "Istio's standard metrics" },
    };
    return rulesOf(artifacts).flatMap(({ file, object, rule }) =>
      bucketSelectors(rule.expr).flatMap(({ metric, le }): Finding[] => {
        const facts = known[metric];
        const where = targetOf(artifacts, file, object, `#${rule.labels.slo ?? rule.alert ?? rule.record ?? ''}`);
        if (!facts) {
          return [{ target: where, message: `${metric} is a histogram no rule knows the buckets of: its threshold le="${le}" cannot be checked`, remediation: 'read latency from the gateway, Kong or Istio histograms, or teach SLO002 the new source’s buckets', catalog: { name: rule.labels.service ?? '' } }];
        }
        if (le === '+Inf' || facts.boundaries.includes(Number(le))) return [];
        return [
          {
            target: where,
            message: `${rule.record ?? rule.alert ?? 'a rule'} counts ${metric} under le="${le}", which is not one of its boundaries (${facts.source}: ${facts.boundaries.join(', ')}): the SLI would match no series`,
            remediation: `use one of ${facts.boundaries.join(', ')} as the objective's threshold`,
            catalog: { name: rule.labels.service ?? '' },
          },
        ];
      }),
    );
  },
};

export const alertsHaveRunbooks: Rule = {
  id: 'SLO003',
  severity: 'error',
  description: 'Every alert has a runbook_url whose page exists in the repository (docs/runbooks/<env>/<alert>.md)',
  rationale:
    'An alert without a runbook leaves the person it wakes up to rediscover the system at night. The runbooks are generated from the catalog (the route’s hops and timeouts, this environment’s real names), so a missing page means the alert and its documentation drifted apart.',
  remediation: 'run `npm run slos -- --write-runbooks` and commit docs/runbooks/',
  equivalents: {},
  catalogKeys: ['observability', 'services'],
  check: (artifacts) => {
    // Both severities of an objective fire as one alert name, with one runbook: judge each name once.
    const alerts = new Map<string, Located<PromRule>>();
    for (const r of rulesOf(artifacts)) {
      const key = `${kubernetesAddress(r.object)}#${r.rule.alert}`;
      if (r.rule.alert !== undefined && !alerts.has(key)) alerts.set(key, r);
    }
    return [...alerts.values()]
      .flatMap(({ file, object, rule }): Finding[] => {
        const url = rule.annotations.runbook_url;
        const target = targetOf(artifacts, file, object, `#${rule.alert}`);
        if (!url) return [{ target, message: `alert ${rule.alert} has no runbook_url annotation`, remediation: 'render alerts from the SLO plan (constructs/observability/slo-rules.ts), which links every alert to its runbook' }];
        const at = url.indexOf('/docs/runbooks/');
        const page = at >= 0 ? url.slice(at + 1) : undefined;
        if (page && artifacts.repoFiles?.has(page)) return [];
        return [
          {
            target,
            message: `alert ${rule.alert}'s runbook_url ${url} names ${page ?? 'no docs/runbooks/ page'}, which is not in the repository`,
            remediation: 'run `npm run slos -- --write-runbooks` and commit docs/runbooks/',
          },
        ];
      });
  },
};

/** Fields that would hold a credential inline; each has a `*_file` twin Alertmanager 0.25 reads instead. */
const INLINE_SECRET_FIELDS = ['routing_key', 'service_key', 'api_url', 'api_key', 'credentials', 'password', 'bot_token', 'auth_password', 'auth_secret', 'token'];

function inlineSecrets(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => inlineSecrets(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const here = path ? `${path}.${k}` : k;
    const url = k === 'url' && typeof v === 'string' && (/^[a-z]+:\/\/[^/]*@/i.test(v) || v.includes('?'));
    return [...(INLINE_SECRET_FIELDS.includes(k) && typeof v === 'string' ? [here] : []), ...(url ? [`${here} (user info or query string)`] : []), ...inlineSecrets(v, here)];
  });
}

export const alertmanagerHoldsNoCredential: Rule = {
  id: 'SLO004',
  severity: 'error',
  description: 'The Alertmanager config holds no receiver credential: keys, tokens and webhook URLs are read from files of the mounted Secret (*_file fields)',
  rationale:
    'The Alertmanager config is a ConfigMap applied by Terraform, so it is readable in the cluster and stored in Terraform state. A PagerDuty routing key or a Slack webhook URL in it is a credential leaked to everyone who can read either; Alertmanager reads them from files (routing_key_file, api_url_file, credentials_file) of a Secret created outside this repository.',
  remediation: 'name the credential by its key in the Secret alertmanager-receivers in observability.alerting; the renderer points the *_file field at the mounted file',
  equivalents: {},
  catalogKeys: ['observability'],
  check: (artifacts) =>
    alertmanagerConfigs(artifacts).flatMap(({ file, object, text }): Finding[] => {
      let config: unknown;
      try {
        config = parseYaml(text);
      } catch (err) {
        return [{ target: targetOf(artifacts, file, object), message: `alertmanager.yml does not parse: ${(err as Error).message}`, remediation: 'render it with constructs/observability/alertmanager-config.ts' }];
      }
      return inlineSecrets(config, '').map((field) => ({
        target: targetOf(artifacts, file, object),
        message: `alertmanager.yml has an inline credential at ${field}: it is in a ConfigMap and in Terraform state`,
        remediation: 'use the *_file form of the field, pointing at the mounted Secret alertmanager-receivers (observability.alerting names the key)',
        catalog: { keys: ['observability'] },
      }));
    }),
};

export const SLO_RULES: readonly Rule[] = [productionRoutesPage, latencyThresholdsAreBuckets, alertsHaveRunbooks, alertmanagerHoldsNoCredential];
