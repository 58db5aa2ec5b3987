// The rendered alertmanager.yml: accepted by Debian's Alertmanager 0.25 (`amtool check-config`,
// so every *_file field used exists in 0.25), routing by severity to the catalog's channels,
// and never holding a credential.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOf } from '../../plan-fixtures.ts';
import { alertmanagerConfig, renderAlertmanagerConfig } from '../../../constructs/observability/alertmanager-config.ts';
import type { ObservabilityPlan } from '../../../constructs/observability/slo-plan.ts';
import { requireTools, run } from './fixtures/prometheus-tools.ts';

const ENVS = ['dev', 'staging', 'prod'] as const;
const { missing, paths } = requireTools(['amtool'], 'amtool check-config');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'am-config-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const webhookPlan = (plan: ObservabilityPlan): ObservabilityPlan => ({
  ...plan,
  alerting: { ...plan.alerting, page: { type: 'webhook', url: 'https://incidents.acme.example/hooks/platform', tokenSecretKey: 'incident-token' } },
});

describe.skipIf(missing.length > 0)('amtool check-config', () => {
  it.each(ENVS)('%s: the rendered config is valid for Alertmanager 0.25', async (envName) => {
    const file = path.join(dir, `${envName}.yml`);
    await writeFile(file, renderAlertmanagerConfig(planOf(envName).observability));
    const result = await run(paths.amtool, ['check-config', file]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('a webhook channel (bearer token from a file) is valid too', async () => {
    const file = path.join(dir, 'webhook.yml');
    await writeFile(file, renderAlertmanagerConfig(webhookPlan(planOf('prod').observability)));
    const result = await run(paths.amtool, ['check-config', file]);
    expect(result.code, result.output).toBe(0);
  });
});

describe('alertmanager.yml routing', () => {
  it('sends pages and tickets to the catalog channels, each credential a file of the mounted Secret', () => {
    const config = alertmanagerConfig(planOf('prod').observability) as Record<string, any>; // any: the Alertmanager config is untyped YAML
    expect(config.route.routes.map((r: { receiver: string; matchers: string[] }) => [r.receiver, r.matchers])).toEqual([
      ['page', ['severity="page"', 'env="prod"']],
      ['ticket', ['severity="ticket"', 'env="prod"']],
    ]);
    const receivers = Object.fromEntries(config.receivers.map((r: { name: string }) => [r.name, r]));
    expect(receivers.page.pagerduty_configs[0].routing_key_file).toBe('/etc/alertmanager/receivers/pagerduty-platform-prod');
    expect(receivers.ticket.slack_configs[0]).toMatchObject({ api_url_file: '/etc/alertmanager/receivers/slack-platform-tickets', channel: '#platform-tickets' });
    // A page silences the ticket of the same objective.
    expect(config.inhibit_rules).toEqual([{ source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: ['slo', 'env'] }]);
  });

  it('development pages nobody: its page alerts (none are rendered) would go nowhere', () => {
    const config = alertmanagerConfig(planOf('dev').observability) as Record<string, any>; // any: untyped YAML
    expect(config.route.receiver).toBe('nowhere');
    expect(config.route.routes.map((r: { receiver: string }) => r.receiver)).toEqual(['ticket']);
  });

  it('holds no credential: only file paths, for every channel type', () => {
    const text = renderAlertmanagerConfig(webhookPlan(planOf('prod').observability));
    const parsed = parse(text) as Record<string, any>; // any: untyped YAML
    const webhook = parsed.receivers.find((r: { name: string }) => r.name === 'page').webhook_configs[0];
    expect(webhook).toEqual({ url: 'https://incidents.acme.example/hooks/platform', send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials_file: '/etc/alertmanager/receivers/incident-token' } } });
    expect(text).not.toMatch(/(routing_key|service_key|api_url|api_key|credentials|password):/);
  });

  it('scales its timings with the rules (tests), never below a millisecond', () => {
    const config = alertmanagerConfig(planOf('prod').observability, { timeScale: 1 / 60 }) as Record<string, any>; // any: untyped YAML
    expect([config.route.group_wait, config.route.group_interval, config.route.repeat_interval]).toEqual(['500ms', '5s', '4m']);
  });
});
