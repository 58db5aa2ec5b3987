// Runbooks: one generated page per alert per environment, what every alert's runbook_url points
// at. The committed docs/runbooks/ must be exactly what the catalog generates today, and each
// page must name this environment's real objects (project, cluster, namespaces, Deployments,
// subscriptions, the edge's Deployments, Ingress and BackendConfigs) and the route's real timeouts.
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelText, runbookPages } from '../../../constructs/observability/runbook.ts';
import { runbookPath, runbookUrl } from '../../../constructs/observability/slo-plan.ts';
import { planOf } from '../../plan-fixtures.ts';
import { ROOT, runCli } from '../../cli-process.ts';

const ENVS = ['dev', 'staging', 'prod'] as const;
const COMMAND = 'npm run slos -- --write-runbooks';

const page = (envName: (typeof ENVS)[number], alert: string): string => {
  const found = runbookPages(planOf(envName)).find((p) => p.path === runbookPath(envName, alert));
  if (!found) throw new Error(`no runbook for ${alert} in ${envName}`);
  return found.text;
};

describe('runbooks', () => {
  it.each(ENVS)(`%s: docs/runbooks/<env>/ is exactly what the catalog generates (run \`${COMMAND}\`)`, async (envName) => {
    const pages = runbookPages(planOf(envName));
    const dir = path.join(ROOT, 'docs/runbooks', envName);
    expect((await readdir(dir)).sort(), `stale or missing runbooks in ${dir}: run \`${COMMAND}\``).toEqual(pages.map((p) => path.basename(p.path)).sort());
    for (const p of pages) expect(await readFile(path.join(ROOT, p.path), 'utf8'), `${p.path} is out of date: run \`${COMMAND}\``).toBe(p.text);
  });

  it('has no folder for an environment the catalog does not have', async () => {
    expect((await readdir(path.join(ROOT, 'docs/runbooks'))).sort()).toEqual([...ENVS].sort());
  });

  it.each(ENVS)('%s: every alert, SLO burn and saturation alike, has the page its runbook_url names', (envName) => {
    const plan = planOf(envName);
    const paths = runbookPages(plan).map((p) => p.path);
    const alerts = [...plan.observability.slos.map((s) => s.alert), ...plan.observability.saturation.map((a) => a.alert)];
    expect(alerts.length).toBeGreaterThan(10);
    for (const alert of alerts) {
      expect(paths).toContain(`docs/runbooks/${envName}/${alert}.md`);
      expect(runbookUrl(plan.observability, alert)).toBe(`${plan.observability.alerting.runbookBaseUrl}/docs/runbooks/${envName}/${alert}.md`);
    }
  });

  it('a route page states the objective, query, burn windows with their channels, and the route\'s hops with the plan\'s timeouts', () => {
    const plan = planOf('prod');
    const text = page('prod', 'OrdersApiLatencyBudgetBurn');
    const slo = plan.observability.slos.find((s) => s.alert === 'OrdersApiLatencyBudgetBurn');
    const route = plan.routes.find((r) => r.name === 'orders-api');
    if (!slo?.errorRatio || !route) throw new Error('prod has no orders-api latency SLO');
    expect(text).toContain('**Objective:** 99 % over 30d (error budget 1 %).');
    expect(text).toContain("Kong's prometheus plugin");
    expect(text).toContain(slo.errorRatio);
    expect(text).toContain('| page | 1h | 5m | 14.4× | 14.4 % | 2 % | PagerDuty (routing key in Secret `monitoring/alertmanager-receivers`, key `pagerduty-platform-prod`) |');
    expect(text).toContain('| ticket | 3d | 6h | 1× | 1 % | 10 % | Slack #platform-tickets');
    const t = route.timeouts;
    expect(text).toContain(`| GLB | ${t.glb.totalSec} s | ${t.glb.idleSec} s | ${t.glb.firstByteSec} s |`);
    expect(text).toContain(`| Kong | ${t.proxy.totalSec} s | ${t.proxy.idleSec} s | ${t.proxy.firstByteSec} s |`);
    expect(text).toContain(`| orders-api.commerce | ${t.service.totalSec} s |`);
    // The first checks, with prod's real names.
    expect(text).toContain('gcloud container clusters get-credentials platform-prod --location europe-west4 --project acme-platform-prod --internal-ip');
    expect(text).toContain('kubectl -n commerce rollout history deployment/orders-api');
    expect(text).toContain('kubectl -n commerce get pods -l app.kubernetes.io/name=orders-api -o wide');
    expect(text).toContain(`kubectl -n edge logs deployment/kong --since=30m | grep '/v1/orders'`);
    expect(text).toContain(`curl -s localhost:${plan.edge.kong.ports.status}/metrics | grep 'route="orders-api"'`);
    expect(text).toContain(`kubectl -n edge describe ingress ${plan.edge.entry.ingress}`);
    expect(text).toContain('kubectl -n edge get backendconfig nginx-http -o yaml');
    expect(text).toContain(`gcloud compute backend-services list --project acme-platform-prod --filter="name~edge-nginx-${plan.edge.nginx.ports.http}"`);
  });

  it('a gRPC route\'s page checks the HTTP/2 backend, a gateway route the gateway\'s admin port', () => {
    const text = page('prod', 'LlmInferenceAvailabilityBudgetBurn');
    expect(text).toContain('kubectl -n edge get backendconfig nginx-grpc -o yaml');
    expect(text).toContain('kubectl -n edge port-forward deployment/edge-gateway 9090:9090');
    expect(text).toContain('kubectl -n ml get hpa llm-inference');
  });

  it('a consumer page checks its subscriptions, its HPA and its dead-letter subscriptions', () => {
    const text = page('prod', 'EventEnricherFreshnessBudgetBurn');
    expect(text).toContain('gcloud pubsub subscriptions describe ingest-enricher --project acme-platform-prod');
    expect(text).toContain('gcloud pubsub subscriptions describe order-events-enricher --project acme-platform-prod');
    expect(text).toContain('kubectl -n events get hpa event-enricher');
    expect(text).toContain('gcloud pubsub subscriptions pull ingest-dead-letter-inspect --project acme-platform-prod --limit=5');
    expect(text).toContain('> bool 300');
    expect(page('prod', 'EventEnricherDeadLetters')).toContain('gcloud pubsub subscriptions pull order-events-dead-letter-inspect');
  });

  it('the GLB page and the GPU pages check what they protect', () => {
    const edge = page('prod', 'EdgeAvailabilityBudgetBurn');
    expect(edge).toContain('gcloud compute security-policies describe prod-edge-waf --project acme-platform-prod');
    expect(edge).toContain('kubectl -n edge get deployment nginx kong edge-gateway -o wide');
    const gpu = page('prod', 'GpuMemoryNearlyFull');
    expect(gpu).toContain('gcloud container node-pools describe h100-mig --cluster platform-prod --location europe-west4 --project acme-platform-prod');
    expect(gpu).toContain('kubectl get nodes -l platform.acme.example/pool=l4 -o wide');
  });

  it('development pages nobody, and a zonal, public-endpoint cluster is reached without --internal-ip', () => {
    const text = page('dev', 'OrdersApiAvailabilityBudgetBurn');
    expect(text).toContain('| page | 1h | 5m | 14.4× | 14.4 % | 2 % | does not fire in dev |');
    expect(text).toContain('gcloud container clusters get-credentials platform-dev --location europe-west4-a --project acme-platform-dev\n');
  });

  it('names where a credential lives, never the credential', () => {
    expect(channelText({ type: 'webhook', url: 'https://incidents.acme.example/hooks/platform', tokenSecretKey: 'ops-hook' })).toBe(
      'the webhook https://incidents.acme.example/hooks/platform (bearer token in Secret `monitoring/alertmanager-receivers`, key `ops-hook`)',
    );
    expect(channelText(undefined)).toBe('nowhere: this environment names no channel for it');
    for (const envName of ENVS) {
      for (const p of runbookPages(planOf(envName))) expect(p.text).not.toMatch(/hooks\.slack\.com|events\.pagerduty\.com|xox[bp]-/);
    }
  });

  it(`\`${COMMAND}\` writes every environment's pages and removes stale ones`, async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'runbooks-'));
    try {
      await mkdir(path.join(root, 'docs/runbooks/prod'), { recursive: true });
      await writeFile(path.join(root, 'docs/runbooks/prod/RemovedAlert.md'), 'stale\n');
      const run = await runCli(['slos', '--write-runbooks', '--runbooks-root', root], { timeoutMs: 60_000 });
      expect(run.code, run.stderr).toBe(0);
      for (const envName of ENVS) {
        for (const p of runbookPages(planOf(envName))) expect(await readFile(path.join(root, p.path), 'utf8')).toBe(p.text);
      }
      expect(existsSync(path.join(root, 'docs/runbooks/prod/RemovedAlert.md'))).toBe(false);
      expect((await readdir(path.join(root, 'docs/runbooks'))).sort()).toEqual([...ENVS].sort());
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
