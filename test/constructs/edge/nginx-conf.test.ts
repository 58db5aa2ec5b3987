// nginx.conf as rendered for each environment: accepted by real nginx (`nginx -t`), and shaped
// as the edge chain needs (listeners, per-kind directives, the chain's nginx hop).
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNginxConf } from '../../../constructs/edge/nginx-conf.ts';
import { nginxDuration } from '../../../constructs/edge/render-options.ts';
import { planOf } from '../../plan-fixtures.ts';
import { selfSignedCertificate, tools } from './fixtures/live-edge.ts';

const ENVS = ['dev', 'staging', 'prod'] as const;
const have = tools();

/** The text of the first `location` block for a path (`location /ws/chat/ {` … `}`). */
function location(conf: string, head: string): string {
  const start = conf.indexOf(`${head} {`);
  if (start < 0) throw new Error(`no "${head}" block`);
  return conf.slice(start, conf.indexOf('\n    }', start));
}

describe('nginx.conf', () => {
  it('starts with a comment naming the environment, and the same catalog gives the same bytes', () => {
    const plan = planOf('dev');
    const text = renderNginxConf(plan.env, plan.routes, plan.edge);
    expect(text.split('\n')[0]).toBe('# nginx.conf for environment "dev" — generated from the platform catalog by constructs/edge/nginx-conf.ts.');
    expect(renderNginxConf(planOf('dev').env, planOf('dev').routes, planOf('dev').edge)).toBe(text);
  });

  it('listens twice for the GLB: HTTP/1.1, and HTTP/2 over TLS; keeps connections longer than the GLB (600 s)', () => {
    const plan = planOf('prod');
    const conf = renderNginxConf(plan.env, plan.routes, plan.edge);
    expect(conf).toContain('listen 8080 default_server;');
    expect(conf).toContain('listen 8443 ssl http2 default_server;');
    expect(conf).toMatch(/^ {2}keepalive_timeout 620s;$/m);
    expect(conf).toContain('ssl_certificate /etc/nginx/tls/tls.crt;');
  });

  it('renders each route kind with the directives that make it work, at the chain\'s nginx hop', () => {
    const plan = planOf('prod');
    const conf = renderNginxConf(plan.env, plan.routes, plan.edge);
    const hop = (name: string) => plan.routes.find((r) => r.name === name)?.timeouts.nginx;

    const ws = location(conf, 'location /ws/chat/');
    expect(ws).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(ws).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(ws).toContain(`proxy_read_timeout ${hop('chat')?.idleSec}s;`);
    expect(conf).toMatch(/map \$http_upgrade \$connection_upgrade \{\n\s+default upgrade;\n\s+'' close;/);

    const sse = location(conf, 'location /v1/feed/stream/');
    expect(sse).toContain('proxy_buffering off;');
    expect(sse).toContain('gzip off;');

    const grpc = location(conf, 'location /inference.v1.Generator/');
    expect(grpc).toContain('grpc_pass grpc://gateway_grpc;');
    for (const d of ['grpc_read_timeout', 'grpc_send_timeout', 'client_body_timeout']) expect(grpc).toContain(`${d} ${hop('llm-inference')?.firstByteSec}s;`);
    expect(grpc).not.toMatch(/proxy_\w+_timeout/);
    expect(conf.indexOf('location /inference.v1.Generator/')).toBeGreaterThan(conf.indexOf('ssl http2;'));

    const rest = location(conf, 'location /v1/orders/');
    expect(rest).toContain('proxy_pass http://kong_http;');
    expect(rest).toContain('proxy_set_header Connection "";');
    expect(rest).toContain(`proxy_read_timeout ${hop('orders-api')?.totalSec}s;`);
    expect(rest).toContain('client_max_body_size 8388608;');
    expect(location(conf, 'location = /v1/orders')).toContain('set $edge_route orders-api;');

    const events = location(conf, 'location /v1/events/');
    expect(events).toContain('proxy_pass http://gateway_http;');
    expect(events).toContain('client_max_body_size 1048576;');
    expect(conf).toMatch(/log_format edge_json escape=json '\{"time":"\$time_iso8601","env":"prod","request_id":"\$request_id"/);
  });

  it("logs Cloud Logging's trace field from the incoming traceparent, in the environment's project, and severity and httpRequest", () => {
    const plan = planOf('prod');
    const conf = renderNginxConf(plan.env, plan.routes, plan.edge);
    expect(conf).toContain(
      `"~^[0-9a-f]{2}-(?<edge_trace_id>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$" "projects/${plan.env.gcp.projectId}/traces/$edge_trace_id";`,
    );
    expect(conf).toContain(`'"severity":"$edge_severity","logging.googleapis.com/trace":"$edge_trace",'`);
    expect(conf).toMatch(/"httpRequest":\{"requestMethod":"\$request_method",.*"status":\$status,/);
    // No proxy_set_header may replace the traceparent the gateway or Kong continue.
    expect(conf).not.toMatch(/(proxy|grpc)_set_header traceparent/i);
    const staging = planOf('staging');
    expect(renderNginxConf(staging.env, staging.routes, staging.edge)).toContain(`projects/${staging.env.gcp.projectId}/traces/`);
  });

  it('scales every timeout alike when asked (tests run minutes as seconds)', () => {
    const plan = planOf('prod');
    const conf = renderNginxConf(plan.env, plan.routes, plan.edge, { timeScale: 0.01 });
    expect(location(conf, 'location /ws/chat/')).toContain(`proxy_read_timeout ${nginxDuration(plan.routes.find((r) => r.name === 'chat')?.timeouts.nginx.idleSec ?? 0, 0.01)};`);
    expect(nginxDuration(310, 0.01)).toBe('3100ms');
    expect(nginxDuration(620)).toBe('620s');
  });
});

describe.skipIf(!have.nginx || !have.openssl)(`nginx -t on every environment's config${have.nginx ? '' : ' (skipped: nginx not found)'}`, () => {
  let dir: string;
  let tls: { certificate: string; key: string };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nginx-t-'));
    await chmod(dir, 0o755);
    tls = await selfSignedCertificate(dir, have.openssl as string);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(ENVS)('%s: stock nginx accepts it with only ports, upstream addresses and paths swapped', async (envName) => {
    const plan = planOf(envName);
    const conf = renderNginxConf(plan.env, plan.routes, plan.edge, {
      nginx: {
        listenHttp: '127.0.0.1:8080', listenGrpcTls: '127.0.0.1:8443',
        kongHttp: '127.0.0.1:9000', kongGrpc: '127.0.0.1:9001', gatewayHttp: '127.0.0.1:9002', gatewayGrpc: '127.0.0.1:9003',
        certificate: tls.certificate, certificateKey: tls.key, pidFile: path.join(dir, `${envName}.pid`), tempDir: dir,
        accessLog: path.join(dir, 'access.log'), errorLog: path.join(dir, 'error.log'),
      },
    });
    const file = path.join(dir, `${envName}.conf`);
    await writeFile(file, conf);
    const run = spawnSync(have.nginx as string, ['-t', '-p', dir, '-c', file, '-e', path.join(dir, 'error.log')], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('syntax is ok');
  });
});
