/**
 * Renders alertmanager.yml from the observability plan: page and ticket alerts to the
 * environment's channels, a page silencing the ticket of the same objective, everything else
 * (an environment with no channel for a severity) to a receiver that sends nowhere.
 *
 * No credential is in the output: each receiver reads its key, URL or token from a file of the
 * mounted Secret `alertmanager-receivers` (`routing_key_file`, `api_url_file`,
 * `http_config.authorization.credentials_file`: the `*_file` fields Alertmanager 0.25 has), so
 * the config can live in a ConfigMap and in Terraform state. Pure.
 */
import { stringify } from 'yaml';
import type { AlertChannel } from '../../environments/schema/slo.ts';
import type { ObservabilityPlan, Severity } from './slo-plan.ts';
import { scaleDuration } from './slo-rules.ts';

/** Where the Secret `alertmanager-receivers` is mounted in the Alertmanager pod. */
export const RECEIVER_SECRET_DIR = '/etc/alertmanager/receivers';

export interface AlertmanagerRenderOptions {
  /** Multiplies group_wait, group_interval and repeat_interval (tests), as the rules' window scale. */
  readonly timeScale?: number;
  /** Where receiver files are read from (tests point it at a temporary directory). */
  readonly secretDir?: string;
}

const NOWHERE = 'nowhere';

function receiverFor(name: string, channel: AlertChannel, dir: string): Record<string, unknown> {
  const file = (key: string): string => `${dir}/${key}`;
  switch (channel.type) {
    case 'pagerduty':
      return {
        name,
        pagerduty_configs: [
          {
            routing_key_file: file(channel.routingKeySecretKey),
            send_resolved: true,
            severity: name === 'page' ? 'critical' : 'warning',
            description: '{{ .CommonAnnotations.summary }}',
            links: [{ href: '{{ .CommonAnnotations.runbook_url }}', text: 'runbook' }],
            details: { env: '{{ .CommonLabels.env }}', service: '{{ .CommonLabels.service }}', route: '{{ .CommonLabels.route }}', slo: '{{ .CommonLabels.slo }}' },
          },
        ],
      };
    case 'slack':
      return {
        name,
        slack_configs: [
          {
            api_url_file: file(channel.webhookSecretKey),
            channel: channel.channel,
            send_resolved: true,
            title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.env }})',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}',
            title_link: '{{ .CommonAnnotations.runbook_url }}',
          },
        ],
      };
    case 'webhook':
      return {
        name,
        webhook_configs: [
          {
            url: channel.url,
            send_resolved: true,
            ...(channel.tokenSecretKey ? { http_config: { authorization: { type: 'Bearer', credentials_file: file(channel.tokenSecretKey) } } } : {}),
          },
        ],
      };
  }
}

/** The alertmanager.yml object (what the ConfigMap holds, as YAML). */
export function alertmanagerConfig(plan: ObservabilityPlan, options: AlertmanagerRenderOptions = {}): Record<string, unknown> {
  const scale = options.timeScale ?? 1;
  const t = (d: string): string => scaleDuration(d, scale);
  const dir = options.secretDir ?? RECEIVER_SECRET_DIR;
  const channels: [Severity, AlertChannel | undefined][] = [
    ['page', plan.alerting.page],
    ['ticket', plan.alerting.ticket],
  ];
  const routed = channels.filter((c): c is [Severity, AlertChannel] => c[1] !== undefined);
  return {
    route: {
      receiver: NOWHERE,
      group_by: ['alertname', 'env', 'slo', 'severity'],
      group_wait: t('30s'),
      group_interval: t('5m'),
      repeat_interval: t('4h'),
      routes: routed.map(([severity]) => ({
        matchers: [`severity="${severity}"`, `env="${plan.env}"`],
        receiver: severity,
        ...(severity === 'page' ? { group_wait: t('10s'), repeat_interval: t('1h') } : { repeat_interval: t('24h') }),
      })),
    },
    inhibit_rules: [
      // While an objective pages, its own slow-burn ticket says nothing new.
      { source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: ['slo', 'env'] },
    ],
    receivers: [{ name: NOWHERE }, ...routed.map(([severity, channel]) => receiverFor(severity, channel, dir))],
  };
}

export function renderAlertmanagerConfig(plan: ObservabilityPlan, options: AlertmanagerRenderOptions = {}): string {
  const header = [
    `# alertmanager.yml for environment "${plan.env}" — generated from the platform catalog by constructs/observability/alertmanager-config.ts.`,
    `# Do not edit: change environments/ and run \`npm start\`. Receiver credentials are files of the mounted Secret, never here.`,
  ];
  return `${header.join('\n')}\n${stringify(alertmanagerConfig(plan, options), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
