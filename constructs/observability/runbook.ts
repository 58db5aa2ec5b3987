/**
 * Runbooks: one generated Markdown page per alert per environment (`docs/runbooks/<env>/<alert>.md`,
 * what every alert's `runbook_url` points at), plus an index. Each page says what the alert means
 * and the objective it protects (objective, SLI source, query, burn windows, severities and where
 * each goes), the route's hops and timeouts from the route plan, and the first checks as exact
 * kubectl/gcloud commands with this environment's real names. Pure: PlatformPlan in, pages out;
 * `npm run slos -- --write-runbooks` writes them and test/constructs/observability/runbook.test.ts
 * keeps the committed copies in step.
 */
import type { AlertChannel } from '../../environments/schema/slo.ts';
import { RECEIVER_SECRET } from '../../environments/schema/slo.ts';
import type { PlatformPlan } from '../platform-plan.ts';
import type { RoutePlan } from '../edge/route-plan.ts';
import type { GlbBackendPlan } from '../edge/edge-plan.ts';
import { errorBudget } from './dashboard.ts';
import {
  BURN_WINDOWS,
  PERIOD_WINDOW,
  WINDOW,
  errorRatioRecord,
  runbookPath,
  type SaturationAlert,
  type Severity,
  type SloPlan,
} from './slo-plan.ts';
import { SLO_PERIOD_DAYS } from '../../environments/slo-defaults.ts';

/** The namespace Alertmanager and its receivers' Secret live in. */
export const MONITORING_NAMESPACE = 'monitoring';

export interface RunbookPage {
  /** Repository-relative path. */
  readonly path: string;
  readonly text: string;
}

const GENERATED = (env: string): string =>
  `<!-- Generated from the platform catalog by constructs/observability/runbook.ts for ${env}: do not edit; run \`npm run slos -- --write-runbooks\`. -->`;

/** Where a severity's alerts go, in words an on-call engineer can act on (never the credential itself). */
export function channelText(channel: AlertChannel | undefined): string {
  if (!channel) return 'nowhere: this environment names no channel for it';
  const secret = (key: string): string => `Secret \`${MONITORING_NAMESPACE}/${RECEIVER_SECRET}\`, key \`${key}\``;
  switch (channel.type) {
    case 'pagerduty':
      return `PagerDuty (routing key in ${secret(channel.routingKeySecretKey)})`;
    case 'slack':
      return `Slack ${channel.channel} (webhook in ${secret(channel.webhookSecretKey)})`;
    case 'webhook':
      return `the webhook ${channel.url}${channel.tokenSecretKey ? ` (bearer token in ${secret(channel.tokenSecretKey)})` : ''}`;
  }
}

function hours(window: string): number {
  const m = /^(\d+)([mhd])$/.exec(window);
  if (!m) throw new Error(`window ${window}: expected <n>m, <n>h or <n>d`);
  const n = Number(m[1]);
  return m[2] === 'm' ? n / 60 : m[2] === 'h' ? n : n * 24;
}

const pct = (n: number): string => `${Number((n * 100).toPrecision(6))} %`;
const code = (s: string): string => `\`${s.replace(/`/g, '\\`')}\``;
const block = (lines: readonly string[]): string => ['```sh', ...lines, '```'].join('\n');

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function credentialsCommand(plan: PlatformPlan): string {
  const { nodes, env } = plan;
  return `gcloud container clusters get-credentials ${nodes.clusterName} --location ${nodes.location} --project ${env.gcp.projectId}${env.gke.privateEndpoint ? ' --internal-ip' : ''}`;
}

function burnSection(plan: PlatformPlan, slo: SloPlan): string {
  const budget = errorBudget(slo);
  const channels = plan.observability.alerting;
  const rows = (['page', 'ticket'] as const).flatMap((severity: Severity) =>
    BURN_WINDOWS[severity].map((w) => {
      const active = slo.severities.includes(severity);
      const where = active ? channelText(channels[severity]) : `does not fire in ${plan.env.name}`;
      const spent = (w.factor * hours(w.long)) / (SLO_PERIOD_DAYS * 24);
      return [severity, w.long, w.short, `${w.factor}×`, pct(w.factor * budget), pct(spent), where];
    }),
  );
  return [
    '## When it fires',
    '',
    `Both windows' error ratios above the burn rate times the budget (${pct(budget)}): a fast burn pages, a slow one opens a ticket. ` +
      `Each window's ratio is the recorded series ${code(`${errorRatioRecord('<window>')}{slo="${slo.name}"}`)}.`,
    '',
    table(['severity', 'long window', 'short window', 'burn rate', 'error ratio above', `budget spent when it fires (of ${PERIOD_WINDOW})`, 'goes to'], rows),
  ].join('\n');
}

function objectiveSection(slo: SloPlan): string {
  const lines = [
    '## The objective it protects',
    '',
    `- **Objective:** ${slo.objective} % over ${PERIOD_WINDOW} (error budget ${pct(errorBudget(slo))}).`,
    `- **SLI:** ${slo.sli}, read at ${sourceText(slo)}. ${slo.description}`,
  ];
  if (slo.threshold) lines.push(`- **Threshold:** ${slo.threshold.value} ${slo.threshold.unit}, the bucket \`le="${slo.threshold.le}"\` of \`${slo.threshold.metric}\`.`);
  if (slo.maxAgeSec !== undefined) lines.push(`- **Freshness limit:** the oldest unacked message younger than ${slo.maxAgeSec} s, on ${(slo.subscriptions ?? []).join(', ')}.`);
  if (slo.errorRatio) lines.push(`- **Error ratio** (\`${WINDOW}\` is each window):`, '', '  ```promql', `  ${slo.errorRatio}`, '  ```');
  if (slo.badNow) lines.push(`- **Bad minute** (1 while the objective is missed; each window's ratio is its average):`, '', '  ```promql', `  ${slo.badNow}`, '  ```');
  lines.push(`- **Rules:** ${slo.scope.kind === 'Rules' ? `\`Rules\` in namespace \`${slo.scope.namespace}\`` : `\`${slo.scope.kind}\``} (a rule sees only the metrics of its scope).`);
  return lines.join('\n');
}

function sourceText(slo: SloPlan): string {
  switch (slo.source) {
    case 'gateway':
      return 'the edge gateway (`gateway_requests_total`, `gateway_request_duration_seconds`)';
    case 'kong':
      return "Kong's prometheus plugin (`kong_http_requests_total`, `kong_request_latency_ms`)";
    case 'istio':
      return "the server's Istio sidecar (`istio_requests_total`, `istio_request_duration_milliseconds`)";
    case 'pubsub':
      return "Cloud Monitoring's Pub/Sub metrics";
    case 'glb':
      return "the global load balancer (Cloud Monitoring's load-balancer metrics)";
  }
}

function hopsSection(plan: PlatformPlan, route: RoutePlan): string {
  const proxy = route.via === 'kong' ? 'Kong' : 'edge gateway';
  const inner = route.upstream ? `${route.upstream.service}.${route.upstream.namespace}` : `Pub/Sub publish (${route.topic ?? ''})`;
  const t = route.timeouts;
  const row = (hop: string, h: { totalSec: number; idleSec: number; firstByteSec: number }): string[] => [hop, `${h.totalSec} s`, `${h.idleSec} s`, `${h.firstByteSec} s`];
  return [
    '## The route',
    '',
    `${code(`${route.host}${route.pathPrefix}`)}, ${route.protocol}, via ${proxy}. Hops from the outside in, with the timeouts each gives up at ` +
      `(\`npm run routes -- --env ${plan.env.name}\`):`,
    '',
    table(['hop', 'total', 'idle', 'first byte'], [row('GLB', t.glb), row('nginx', t.nginx), row(proxy, t.proxy), row(inner, t.service)]),
  ].join('\n');
}

function backendOf(plan: PlatformPlan, routeName: string): GlbBackendPlan {
  const { http, grpc } = plan.edge.entry.backends;
  return grpc.routes.includes(routeName) ? grpc : http;
}

function glbChecks(plan: PlatformPlan, backends: readonly GlbBackendPlan[]): string[] {
  const { edge, env } = plan;
  const project = env.gcp.projectId;
  return [
    `kubectl -n ${edge.namespace} describe ingress ${edge.entry.ingress}`,
    ...backends.flatMap((b) => [
      `kubectl -n ${edge.namespace} get backendconfig ${b.backendConfig} -o yaml`,
      `# GKE names the backend service k8s1-…-${edge.namespace}-${edge.nginx.name}-${b.port}-…: find it, then ask for its health`,
      `gcloud compute backend-services list --project ${project} --filter="name~${edge.namespace}-${edge.nginx.name}-${b.port}"`,
      `gcloud compute backend-services get-health BACKEND_SERVICE --global --project ${project}`,
    ]),
  ];
}

function workloadChecks(plan: PlatformPlan, service: string): string[] {
  const w = plan.workloads.workloads.find((x) => x.name === service);
  if (!w) return [];
  const selector = Object.entries(w.selector).map(([k, v]) => `${k}=${v}`).join(',');
  return [
    `kubectl -n ${w.namespace} get deployment ${w.name}${w.canary ? ` ${w.canary.name}` : ''} -o wide`,
    `kubectl -n ${w.namespace} get pods -l ${selector} -o wide`,
    `kubectl -n ${w.namespace} rollout history deployment/${w.name}`,
    `kubectl -n ${w.namespace} get hpa ${w.name}${w.canary ? ` ${w.canary.name}` : ''}`,
    `kubectl -n ${w.namespace} logs deployment/${w.name} --since=30m --tail=200`,
    `kubectl -n ${w.namespace} get events --sort-by=.lastTimestamp`,
  ];
}

function routeChecks(plan: PlatformPlan, slo: SloPlan, route: RoutePlan): string[] {
  const { edge } = plan;
  const proxy = route.via === 'kong' ? edge.kong : edge.gateway;
  const metricsPort = route.via === 'kong' ? edge.kong.ports.status : edge.gateway.ports.admin;
  return [
    ...(route.upstream
      ? [`# 1. The service behind the route`, ...workloadChecks(plan, route.upstream.service)]
      : [`# 1. The topic the gateway publishes the route's bodies to`, `gcloud pubsub topics describe ${route.topic ?? ''}`]),
    `# 2. The proxy that answers it (${route.via}): its pods, its log lines for the route, its own counters`,
    `kubectl -n ${edge.namespace} get deployment ${proxy.name} -o wide`,
    `kubectl -n ${edge.namespace} logs deployment/${proxy.name} --since=30m | grep '${route.pathPrefix}'`,
    `kubectl -n ${edge.namespace} port-forward deployment/${proxy.name} ${metricsPort}:${metricsPort}  # then, in another shell:`,
    `curl -s localhost:${metricsPort}/metrics | grep 'route="${route.name}"'`,
    `# 3. nginx and the GLB in front`,
    `kubectl -n ${edge.namespace} get deployment ${edge.nginx.name} -o wide`,
    `kubectl -n ${edge.namespace} logs deployment/${edge.nginx.name} --since=30m | grep ' ${route.pathPrefix}'`,
    ...glbChecks(plan, [backendOf(plan, route.name)]),
    ...(slo.sli === 'latency' ? [`kubectl -n ${edge.namespace} top pods`, ...(route.upstream ? [`kubectl -n ${route.upstream.namespace} top pods`] : [])] : []),
  ];
}

function meshChecks(plan: PlatformPlan, slo: SloPlan): string[] {
  return [
    `# 1. The service and its pods`,
    ...workloadChecks(plan, slo.service),
    `# 2. Its sidecar (where the SLI is read) and the mesh policy its callers pass`,
    `kubectl -n ${slo.namespace} logs deployment/${slo.service} -c istio-proxy --since=30m --tail=200`,
    `kubectl -n ${slo.namespace} get authorizationpolicy,peerauthentication,destinationrule`,
  ];
}

function deadLetterSubscriptions(plan: PlatformPlan, subs: readonly string[]): string[] {
  const all = plan.events.flatMap((t) => t.subscriptions);
  const dlqTopics = all.filter((s) => subs.includes(s.name)).map((s) => s.deadLetterTopic).filter((t): t is string => t !== undefined);
  return plan.events.filter((t) => dlqTopics.includes(t.name)).flatMap((t) => t.subscriptions.map((s) => s.name));
}

function pubsubChecks(plan: PlatformPlan, service: string, subs: readonly string[]): string[] {
  const project = plan.env.gcp.projectId;
  const adapter = plan.addons.metricsAdapter;
  return [
    `# 1. The subscriptions: backlog, oldest message, dead-letter policy`,
    ...subs.map((s) => `gcloud pubsub subscriptions describe ${s} --project ${project}`),
    `# 2. The consumer: is it running, and scaling on the backlog?`,
    ...workloadChecks(plan, service),
    `kubectl -n ${adapter.namespace} get pods  # the metrics adapter the HPA reads the backlog through`,
    `# 3. What went to the dead-letter topic (without --auto-ack the messages stay)`,
    ...deadLetterSubscriptions(plan, subs).map((s) => `gcloud pubsub subscriptions pull ${s} --project ${project} --limit=5`),
  ];
}

function edgeChecks(plan: PlatformPlan): string[] {
  const { edge, env } = plan;
  const project = env.gcp.projectId;
  return [
    `# 1. The GLB: its backends and their health`,
    ...glbChecks(plan, [edge.entry.backends.http, edge.entry.backends.grpc].filter((b) => b.routes.length > 0)),
    `# 2. What it answered with 5xx, and whether Cloud Armor is the one refusing`,
    `gcloud logging read 'resource.type="http_load_balancer" AND httpRequest.status>=500' --project ${project} --freshness=30m --limit=20`,
    `gcloud compute security-policies describe ${edge.entry.securityPolicy} --project ${project}`,
    `# 3. The edge proxies behind it`,
    `kubectl -n ${edge.namespace} get deployment ${edge.nginx.name} ${edge.kong.name} ${edge.gateway.name} -o wide`,
    `kubectl -n ${edge.namespace} get hpa`,
  ];
}

function firstChecks(plan: PlatformPlan, lines: readonly string[]): string {
  return ['## First checks', '', `Against cluster \`${plan.nodes.clusterName}\` in project \`${plan.env.gcp.projectId}\`:`, '', block([credentialsCommand(plan), ...lines])].join('\n');
}

function dashboardLine(plan: PlatformPlan): string {
  return `Dashboard: **${plan.observability.dashboardName}** in Cloud Monitoring (https://console.cloud.google.com/monitoring/dashboards?project=${plan.env.gcp.projectId}).`;
}

function sloPage(plan: PlatformPlan, slo: SloPlan): RunbookPage {
  const route = slo.route ? plan.routes.find((r) => r.name === slo.route) : undefined;
  const checks =
    slo.source === 'glb' ? edgeChecks(plan) : slo.source === 'pubsub' ? pubsubChecks(plan, slo.service, slo.subscriptions ?? []) : route ? routeChecks(plan, slo, route) : meshChecks(plan, slo);
  const sections = [
    GENERATED(plan.env.name),
    `# ${slo.alert} (${plan.env.name})`,
    `**${slo.name}** is burning its error budget: ${slo.sli === 'freshness' ? 'messages wait too long' : slo.sli === 'latency' ? 'too many requests are slow' : 'too many requests fail'} for ` +
      `${slo.route ? `route \`${slo.route}\`` : slo.service === 'edge' ? 'the public entry as a whole' : `service \`${slo.service}\``} (namespace \`${slo.namespace}\`). ` +
      `The alert carries labels \`severity\`, \`service="${slo.service}"\`${slo.route ? `, \`route="${slo.route}"\`` : ''} and \`env="${plan.env.name}"\`.`,
    dashboardLine(plan),
    objectiveSection(slo),
    burnSection(plan, slo),
    ...(route ? [hopsSection(plan, route)] : []),
    firstChecks(plan, checks),
  ];
  return { path: runbookPath(plan.env.name, slo.alert), text: `${sections.join('\n\n')}\n` };
}

function saturationPage(plan: PlatformPlan, alert: SaturationAlert): RunbookPage {
  const consumer = plan.observability.slos.find((s) => s.source === 'pubsub' && s.service === alert.service);
  const gpuPools = plan.nodes.pools.filter((p) => p.gpu);
  const gpuWorkloads = plan.workloads.workloads.filter((w) => w.gpu);
  const checks = consumer
    ? pubsubChecks(plan, alert.service, consumer.subscriptions ?? [])
    : [
        `# 1. The GPU pools: nodes, what is scheduled on them, the pool's limits`,
        ...gpuPools.flatMap((p) => {
          const [labelKey, labelValue] = Object.entries(p.labels)[0] ?? ['cloud.google.com/gke-nodepool', p.name];
          return [
            `kubectl get nodes -l ${labelKey}=${labelValue} -o wide`,
            `kubectl describe nodes -l ${labelKey}=${labelValue} | grep -A8 'Allocated resources'`,
            `gcloud container node-pools describe ${p.name} --cluster ${plan.nodes.clusterName} --location ${plan.nodes.location} --project ${plan.env.gcp.projectId}`,
          ];
        }),
        `# 2. The inference workloads on them: at their replica limit?`,
        ...gpuWorkloads.flatMap((w) => [`kubectl -n ${w.namespace} get hpa ${w.name}`, `kubectl -n ${w.namespace} top pods`]),
      ];
  const sections = [
    GENERATED(plan.env.name),
    `# ${alert.alert} (${plan.env.name})`,
    `${alert.description}`,
    `Summary as it fires: ${alert.summary}. Severity \`${alert.severity}\`, which goes to ${channelText(plan.observability.alerting[alert.severity])}; ` +
      `labels \`service="${alert.service}"\`, \`env="${plan.env.name}"\`.`,
    dashboardLine(plan),
    ['## When it fires', '', `After ${alert.for} of:`, '', '```promql', alert.expr, '```'].join('\n'),
    firstChecks(plan, checks),
  ];
  return { path: runbookPath(plan.env.name, alert.alert), text: `${sections.join('\n\n')}\n` };
}

function indexPage(plan: PlatformPlan, pages: readonly RunbookPage[]): RunbookPage {
  const link = (alert: string): string => {
    if (!pages.some((p) => p.path === runbookPath(plan.env.name, alert))) throw new Error(`runbook index: no page for ${alert}`);
    return `[${alert}](${alert}.md)`;
  };
  const rows = [
    ...plan.observability.slos.map((s) => [link(s.alert), `${s.name} (${s.objective} %)`, s.severities.join(', ')]),
    ...plan.observability.saturation.map((a) => [link(a.alert), a.service, a.severity]),
  ];
  const text = [
    GENERATED(plan.env.name),
    `# Runbooks: ${plan.env.name}`,
    `One page per alert of ${plan.env.name}; each alert's \`runbook_url\` links its page. Pages go to ${channelText(plan.observability.alerting.page)}; tickets to ${channelText(plan.observability.alerting.ticket)}.`,
    table(['alert', 'protects', 'severities'], rows),
  ].join('\n\n');
  return { path: `docs/runbooks/${plan.env.name}/README.md`, text: `${text}\n` };
}

/** Every runbook page of an environment: one per SLO alert, one per saturation alert, and the index. */
export function runbookPages(plan: PlatformPlan): RunbookPage[] {
  const pages = [...plan.observability.slos.map((s) => sloPage(plan, s)), ...plan.observability.saturation.map((a) => saturationPage(plan, a))];
  return [...pages, indexPage(plan, pages)];
}
