// Alerting, live, with real components only: the real gateway bundle runs prod's generated
// gateway-routes.json in front of local upstreams; real Prometheus (Debian's) scrapes it and
// evaluates prod's generated SLO rules with every window scaled by 1/60 (1 h → 1 m); real
// Alertmanager (Debian's) runs the generated routing, its receiver's token read from a file as
// in the cluster, and posts to a webhook this test owns. The SSE route's upstream starts failing
// while the WebSocket route stays healthy: the SSE route's page arrives, the WebSocket's never.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOf } from '../../plan-fixtures.ts';
import { bundleGateway } from '../../../gateway/bundle.ts';
import { renderGatewayRoutes } from '../../../constructs/edge/gateway-routes.ts';
import { renderRules } from '../../../constructs/observability/slo-rules.ts';
import { alertmanagerConfig } from '../../../constructs/observability/alertmanager-config.ts';
import { runbookUrl, type ObservabilityPlan } from '../../../constructs/observability/slo-plan.ts';
import { startJwksServer, type JwksServer } from '../../gateway/fixtures/jwks-server.ts';
import { startWsUpstream, type WsUpstream } from '../../gateway/fixtures/upstream-servers.ts';
import { freePort } from '../../gateway/fixtures/pubsub-emulator.ts';
import { requireTools } from './fixtures/prometheus-tools.ts';
import { stopChild } from '../edge/fixtures/live-edge.ts';

const { missing, paths } = requireTools(['prometheus', 'alertmanager'], 'the live alerting test');
const SCALE = 1 / 60;
/** Many API keys: the route's limit (60/min, burst 1) is per principal, and the traffic is several clients' worth. */
const API_KEYS = Array.from({ length: 40 }, (_, i) => `live-alerting-key-${i}`);
const TOKEN = 'webhook-token-from-the-secret';

interface Received {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: { alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[] };
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function startChild(binary: string, args: string[], log: (s: string) => void): ChildProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', METADATA_SERVER_DETECTION: 'none' } });
  child.stdout?.setEncoding('utf8').on('data', log);
  child.stderr?.setEncoding('utf8').on('data', log);
  return child;
}

async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, logs: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${logs().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

(missing.length > 0 ? describe.skip : describe)('SLO alerting, live: gateway → Prometheus → Alertmanager → webhook', () => {
  const plan = planOf('prod');
  let dir = '';
  let output = '';
  const log = (s: string): void => {
    output += s;
  };
  let jwks: JwksServer | undefined;
  let chat: WsUpstream | undefined;
  let feed: http.Server | undefined;
  let webhook: http.Server | undefined;
  let gateway: ChildProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let alertmanager: ChildProcess | undefined;
  let failing = false;
  const received: Received[] = [];
  let gatewayHttp = 0;
  let promPort = 0;
  let observability: ObservabilityPlan;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'live-alerting-'));
    for (const sub of ['routes', 'keys', 'receivers', 'prom-data', 'am-data']) await mkdir(path.join(dir, sub));
    const bundle = path.join(dir, 'gateway.cjs');
    // The SSE upstream: a stream that ends normally, until it starts failing with 503s.
    feed = http.createServer((_req, res) => {
      if (failing) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end('event: tick\ndata: 1\n\n');
    });
    webhook = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(body) as Received['body'] });
        res.writeHead(200).end();
      });
    });
    const [feedPort, webhookPort] = await Promise.all([listen(feed), listen(webhook), bundleGateway(bundle)]);
    [jwks, chat] = await Promise.all([startJwksServer('https://auth.acme.example/'), startWsUpstream()]);

    // The generated route table, only upstream addresses, the JWKS and key directory swapped.
    await writeFile(path.join(dir, 'keys', 'market-feed'), API_KEYS.map((k) => `${createHash('sha256').update(k).digest('hex')}\n`).join(''));
    const routes = renderGatewayRoutes(plan.routes, plan.edge, {
      gateway: {
        upstreams: { 'market-feed': `http://127.0.0.1:${feedPort}`, chat: chat.url },
        apiKeysDir: path.join(dir, 'keys'),
        jwksUris: { 'https://auth.acme.example/.well-known/jwks.json': jwks.jwksUri },
      },
    });
    await writeFile(path.join(dir, 'routes', 'gateway-routes.json'), routes);
    gateway = startChild(
      process.execPath,
      [bundle, '--routes', path.join(dir, 'routes', 'gateway-routes.json'), '--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--admin-port', '0', '--drain-delay-ms', '0', '--log-level', 'info'],
      log,
    );
    const ports = await waitFor(
      'the gateway to listen',
      () => {
        const line = output.split('\n').find((l) => l.includes('"gateway listening"'));
        return line ? (JSON.parse(line) as { httpPort: number; adminPort: number }) : undefined;
      },
      15_000,
      () => output,
    );
    gatewayHttp = ports.httpPort;

    // prod's channels are PagerDuty and Slack: here both severities go to this test's webhook,
    // through the same generated routing tree, the token read from the mounted Secret's file.
    observability = {
      ...plan.observability,
      alerting: {
        ...plan.observability.alerting,
        page: { type: 'webhook', url: `http://127.0.0.1:${webhookPort}/page`, tokenSecretKey: 'webhook-token' },
        ticket: { type: 'webhook', url: `http://127.0.0.1:${webhookPort}/ticket`, tokenSecretKey: 'webhook-token' },
      },
    };
    await writeFile(path.join(dir, 'receivers', 'webhook-token'), TOKEN);
    const amConfig = alertmanagerConfig(observability, { timeScale: SCALE, secretDir: path.join(dir, 'receivers') });
    await writeFile(path.join(dir, 'alertmanager.yml'), stringify(amConfig));
    const amPort = await freePort();
    alertmanager = startChild(
      paths.alertmanager,
      [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'am-data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='],
      log,
    );

    // Only the edge namespace's Rules object: it reads the gateway's (and Kong's) metrics.
    const edgeRules = renderRules(observability, { windowScale: SCALE }).find((o) => o.kind === 'Rules' && o.namespace === plan.edge.namespace);
    if (!edgeRules) throw new Error('no Rules object for the edge namespace');
    await writeFile(path.join(dir, 'rules.yml'), stringify({ groups: edgeRules.groups }, { lineWidth: 0 }));
    promPort = await freePort();
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(dir, 'rules.yml')],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [{ job_name: 'edge-gateway', metrics_path: '/metrics', static_configs: [{ targets: [`127.0.0.1:${ports.adminPort}`] }] }],
      }),
    );
    prometheus = startChild(
      paths.prometheus,
      [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'prom-data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--rules.alert.resend-delay=1s'],
      log,
    );
    await waitFor('Prometheus to be ready', async () => ((await fetch(`http://127.0.0.1:${promPort}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 20_000, () => output);
    await waitFor('Alertmanager to be ready', async () => ((await fetch(`http://127.0.0.1:${amPort}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 20_000, () => output);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([stopChild(prometheus), stopChild(alertmanager), stopChild(gateway)]);
    await Promise.all([jwks?.close(), chat?.close(), feed ? close(feed) : undefined, webhook ? close(webhook) : undefined]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A GET as nginx sends it (fetch may not set Host): the route matches on api.acme.example. */
  let client = 0;
  function sseRequest(): Promise<number> {
    const key = API_KEYS[client++ % API_KEYS.length]!;
    return new Promise((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: gatewayHttp,
          path: '/v1/feed/stream',
          headers: { host: 'api.acme.example', 'x-api-key': key, accept: 'text/event-stream' },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.once('error', reject);
    });
  }

  async function webSocketSession(token: string): Promise<number> {
    const ws = new WebSocket(`ws://127.0.0.1:${gatewayHttp}/ws/chat`, ['chat.v1'], { headers: { host: 'api.acme.example', authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const echoed = new Promise<void>((resolve) => ws.once('message', () => resolve()));
    ws.send('hello');
    await echoed;
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.close(1000);
    return closed;
  }

  it('the failing route pages with its runbook, route and env; the healthy route raises nothing', async () => {
    const token = await jwks!.sign({ sub: 'live-alerting', aud: 'https://api.acme.example' });
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop) {
        const [sse, ws] = await Promise.all([sseRequest(), webSocketSession(token)]);
        statuses.push(sse);
        expect(ws).toBe(1000);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      // Healthy first (the windows fill with good traffic), then the SSE upstream fails.
      await new Promise((r) => setTimeout(r, 6_000));
      expect(statuses.length).toBeGreaterThan(5);
      expect(new Set(statuses), output.slice(-3000)).toEqual(new Set([200]));
      failing = true;
      const page = await waitFor(
        'the page alert at the webhook',
        () => received.find((r) => r.path === '/page' && r.body.alerts.some((a) => a.status === 'firing')),
        40_000,
        () => `${output}\nreceived: ${JSON.stringify(received)}`,
      );
      expect(statuses.at(-1)).toBe(503);
      const alert = page.body.alerts.find((a) => a.status === 'firing')!;
      expect(alert.labels).toMatchObject({ alertname: 'MarketFeedAvailabilityBudgetBurn', severity: 'page', route: 'market-feed', env: 'prod', service: 'market-feed', slo: 'market-feed-availability' });
      expect(alert.annotations.runbook_url).toBe(runbookUrl(observability, 'MarketFeedAvailabilityBudgetBurn'));
      expect(alert.annotations.summary).toContain('objective 99.5 %');
      // The receiver's credential came from the Secret's file, not the config.
      expect(page.authorization).toBe(`Bearer ${TOKEN}`);

      // The healthy WebSocket route: no alert at the webhook, and none pending or firing in Prometheus.
      const alerts = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string> }[] } };
      expect(alerts.data.alerts.map((a) => a.labels.route)).not.toContain('chat');
      expect(received.flatMap((r) => r.body.alerts).map((a) => a.labels.route)).not.toContain('chat');
    } finally {
      stop = true;
      await traffic;
    }
  }, 60_000);
});
