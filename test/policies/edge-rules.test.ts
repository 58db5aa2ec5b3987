/**
 * The EDGE rules against the real synthesized edge configs (the CLI's own synth of every
 * catalog environment, read back by the engine as `check` reads it) and against minimal text
 * or value mutations of prod that break one rule: each failing fixture names the rule, the
 * target address, the line and the reason.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, readArtifacts, type EnvironmentArtifacts, type Finding } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { EDGE_RULES } from '../../policies/rules/edge-rules.ts';
import { edgeAddressLines } from '../../policies/rules/edge-addresses.ts';
import { removeOutput, synthesize } from './synthesized.ts';

const ENVS = ['dev', 'staging', 'prod'] as const;

/** Parsed kong.yml / gateway-routes.json / manifests: `any` because fixtures poke into them on purpose. */
type Json = Record<string, any>;

let out: string;
const synthesized = new Map<string, EnvironmentArtifacts>();
const prod = (): EnvironmentArtifacts => synthesized.get('prod') as EnvironmentArtifacts;
const nginxText = (a: EnvironmentArtifacts): string => a.edge.nginx?.text ?? '';

beforeAll(async () => {
  out = await synthesize(ENVS);
  for (const env of ENVS) synthesized.set(env, await readArtifacts(out, env));
}, 120_000);

afterAll(() => removeOutput(out));

/** `text` with `from` replaced: the `nth` occurrence (0-based), or every one with `'all'`; throws when absent, so no fixture is a silent no-op. */
function replace(text: string, from: string, to: string, nth: number | 'all' = 0): string {
  const parts = text.split(from);
  if (parts.length < 2 || (nth !== 'all' && parts.length - 1 <= nth)) throw new Error(`fixture: "${from}" not found (occurrence ${String(nth)})`);
  if (nth === 'all') return parts.join(to);
  return parts.slice(0, nth + 1).join(from) + to + parts.slice(nth + 1).join(from);
}

/** 1-based line of the `nth` line containing `needle`. */
function lineOf(text: string, needle: string, nth = 0): number {
  const hits = text.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  const line = hits[nth];
  if (line === undefined) throw new Error(`fixture: no line ${nth} with "${needle}"`);
  return line;
}

function withNginx(a: EnvironmentArtifacts, edit: (text: string) => string): EnvironmentArtifacts {
  const copy = structuredClone(a) as Json;
  copy.edge.nginx.text = edit(copy.edge.nginx.text);
  return copy as EnvironmentArtifacts;
}
function withKong(a: EnvironmentArtifacts, edit: (config: Json) => void): EnvironmentArtifacts {
  const copy = structuredClone(a) as Json;
  edit(copy.edge.kong.config);
  return copy as EnvironmentArtifacts;
}
function withGatewayRoute(a: EnvironmentArtifacts, name: string, edit: (route: Json) => void): EnvironmentArtifacts {
  const copy = structuredClone(a) as Json;
  const route = copy.edge.gatewayRoutes.config.routes.find((r: Json) => r.name === name);
  if (!route) throw new Error(`fixture: gateway route ${name} missing`);
  edit(route);
  return copy as EnvironmentArtifacts;
}
function withObjects(a: EnvironmentArtifacts, edit: (objects: Json[]) => Json[]): EnvironmentArtifacts {
  const copy = structuredClone(a) as Json;
  copy.kubernetes = edit(copy.kubernetes.map((k: Json) => k.object)).map((object) => ({ file: 'dist/prod/0002-edge.yaml', object }));
  return copy as EnvironmentArtifacts;
}
const kongService = (config: Json, name: string): Json => {
  const s = config.services.find((x: Json) => x.name === name);
  if (!s) throw new Error(`fixture: Kong service ${name} missing`);
  return s;
};
const isObject = (kind: string, name: string) => (o: Json) => o.kind === kind && o.metadata.name === name;

/** Every EDGE finding, as `<id> <file> <address>: <message>`. */
const findings = (a: EnvironmentArtifacts): Finding[] => evaluate(EDGE_RULES, [a]);
const explain = (a: EnvironmentArtifacts): string[] => findings(a).map((f) => `${f.ruleId} ${f.target.file} ${f.target.address}: ${f.message}`);

describe('the catalog environments', () => {
  it.each(ENVS)('%s passes every EDGE rule', (env) => {
    expect(explain(synthesized.get(env) as EnvironmentArtifacts)).toEqual([]);
  });

  it('runs the EDGE rules in every policy run (policies/index.ts), with unique ids and the metadata reports need', () => {
    const ids = EDGE_RULES.map((r) => r.id);
    expect(ids).toEqual(['EDGE001', 'EDGE002', 'EDGE003', 'EDGE004', 'EDGE005', 'EDGE006', 'EDGE007']);
    expect(RULES.filter((r) => r.id.startsWith('EDGE')).map((r) => r.id)).toEqual(ids);
    for (const rule of EDGE_RULES) {
      expect(rule.description.length, rule.id).toBeGreaterThan(20);
      expect(rule.rationale.length, rule.id).toBeGreaterThan(80);
      expect(rule.remediation.length, rule.id).toBeGreaterThan(20);
    }
    expect(EDGE_RULES.find((r) => r.id === 'EDGE005')?.severity).toBe('warning');
    expect(EDGE_RULES.filter((r) => r.id !== 'EDGE005').every((r) => r.severity === 'error')).toBe(true);
  });
});

describe('EDGE001 timeout chain', () => {
  it('fails when Kong waits longer than nginx, naming both values and each location with its line', () => {
    const bad = withKong(prod(), (c) => (kongService(c, 'orders-api').read_timeout = 45_000));
    const text = nginxText(bad);
    expect(explain(bad)).toEqual(
      ['location = /v1/orders', 'location /v1/orders/'].map(
        (loc, i) =>
          `EDGE001 dist/prod/edge/nginx.conf nginx.conf#orders-api: ${loc} (line ${lineOf(text, `${loc} {`)}): proxy_read_timeout 40s (line ${lineOf(text, 'proxy_read_timeout 40s;', i)}) is not longer than Kong service "orders-api" read_timeout 45000 ms: nginx cuts the connection before Kong answers 504`,
      ),
    );
    expect(findings(bad)[0]?.catalog).toEqual({ name: 'orders-api' });
  });

  it('is strict: equal timeouts fail (both hops would fire together)', () => {
    expect(explain(withKong(prod(), (c) => (kongService(c, 'orders-api').read_timeout = 40_000)))).toHaveLength(2);
    expect(explain(withKong(prod(), (c) => (kongService(c, 'orders-api').read_timeout = 39_999)))).toEqual([]);
  });

  it('reads nginx durations in ms, m and h', () => {
    const ms = withNginx(prod(), (t) => replace(t, 'proxy_read_timeout 40s;', 'proxy_read_timeout 30000ms;', 0));
    expect(explain(ms)).toEqual([expect.stringMatching(/^EDGE001 .* nginx\.conf#orders-api: location = \/v1\/orders \(line \d+\): proxy_read_timeout 30000ms \(line \d+\) is not longer than Kong service "orders-api" read_timeout 35000 ms: /)]);
    expect(explain(withNginx(prod(), (t) => replace(t, 'proxy_read_timeout 40s;', 'proxy_read_timeout 1m;', 'all')))).toEqual([]);
    expect(explain(withNginx(prod(), (t) => replace(t, 'proxy_read_timeout 40s;', 'proxy_read_timeout 1h;', 'all')))).toEqual([]);
  });

  it('follows inheritance: a location without its own read timeout gets the server\'s or http\'s, else nginx\'s 60 s', () => {
    const inherited = withNginx(prod(), (t) => replace(replace(t, '      proxy_read_timeout 40s;\n', '', 'all'), '  keepalive_requests 10000;\n', '  keepalive_requests 10000;\n  proxy_read_timeout 30s;\n'));
    const text = nginxText(inherited);
    expect(explain(inherited)).toContain(
      `EDGE001 dist/prod/edge/nginx.conf nginx.conf#orders-api: location = /v1/orders (line ${lineOf(text, 'location = /v1/orders {')}): proxy_read_timeout 30s (line ${lineOf(text, 'proxy_read_timeout 30s;')}, inherited from http) is not longer than Kong service "orders-api" read_timeout 35000 ms: nginx cuts the connection before Kong answers 504`,
    );
    const unset = withKong(withNginx(prod(), (t) => replace(t, '      proxy_read_timeout 40s;\n', '', 'all')), (c) => (kongService(c, 'orders-api').read_timeout = 60_000));
    expect(explain(unset)[0]).toMatch(/nginx\.conf#orders-api: location = \/v1\/orders \(line \d+\): proxy_read_timeout unset \(nginx's default 60s\) is not longer than Kong service "orders-api" read_timeout 60000 ms/);
  });

  it('fails when a gateway stream may stay silent as long as nginx waits (idleMs), and for gRPC on grpc_read_timeout', () => {
    const chat = withGatewayRoute(prod(), 'chat', (r) => (r.timeouts.idleMs = 310_000));
    expect(explain(chat)).toEqual([
      expect.stringMatching(/^EDGE001 dist\/prod\/edge\/nginx\.conf nginx\.conf#chat: location = \/ws\/chat \(line \d+\): proxy_read_timeout 310s \(line \d+\) is not longer than the gateway's idleMs 310000 ms for this websocket stream: nginx cuts a silent stream the gateway would keep$/),
      expect.stringMatching(/^EDGE001 .* nginx\.conf#chat: location \/ws\/chat\/ /),
    ]);
    const grpc = withNginx(prod(), (t) => replace(t, 'grpc_read_timeout 130s;', 'grpc_read_timeout 125s;', 0));
    const text = nginxText(grpc);
    expect(explain(grpc)).toEqual([
      `EDGE001 dist/prod/edge/nginx.conf nginx.conf#llm-inference: location = /inference.v1.Generator (line ${lineOf(text, 'location = /inference.v1.Generator {')}): grpc_read_timeout 125s (line ${lineOf(text, 'grpc_read_timeout 125s;')}) is not longer than the gateway's headersMs 125000 ms: nginx gives up before the gateway answers 504`,
    ]);
  });

  it('compares an events (or http) route with headersMs only: its idle time is the gateway\'s body timeout', () => {
    expect(explain(withGatewayRoute(prod(), 'ingest-ingest', (r) => (r.timeouts.idleMs = 600_000)))).toEqual([]);
    expect(explain(withGatewayRoute(prod(), 'ingest-ingest', (r) => (r.timeouts.headersMs = 20_000)))).toEqual([
      expect.stringMatching(/nginx\.conf#ingest-ingest: location = \/v1\/events .*proxy_read_timeout 20s .* is not longer than the gateway's headersMs 20000 ms/),
      expect.stringMatching(/nginx\.conf#ingest-ingest: location \/v1\/events\/ /),
    ]);
  });

  it('fails both ways when a route and its location disagree on the name', () => {
    const renamed = withNginx(prod(), (t) => replace(t, 'set $edge_route chat;', 'set $edge_route chat-v0;', 'all'));
    const text = nginxText(renamed);
    expect(explain(renamed)).toEqual([
      `EDGE001 dist/prod/edge/nginx.conf nginx.conf#chat-v0: location = /ws/chat (line ${lineOf(text, 'location = /ws/chat {')}) names route "chat-v0", which is in neither kong.yml nor gateway-routes.json: its requests reach a proxy that has no such route`,
      expect.stringMatching(/^EDGE001 .* nginx\.conf#chat-v0: location \/ws\/chat\/ \(line \d+\) names route "chat-v0"/),
      `EDGE001 dist/prod/edge/gateway-routes.json gateway-routes.json#routes/chat: gateway route "chat" (websocket, /ws/chat): nginx.conf has no location for it, so its requests get the catch-all 404 (or another route's location)`,
    ]);
    const kong = withKong(prod(), (c) => (kongService(c, 'orders-api').routes[0].name = 'orders-v2'));
    expect(explain(kong)).toContain(
      'EDGE001 dist/prod/edge/kong.yml kong.yml#services/orders-api: Kong route "orders-v2" (service "orders-api"): nginx.conf has no location for it, so its requests get the catch-all 404 (or another route\'s location)',
    );
  });

  it('fails a route location that proxies nowhere', () => {
    const bad = withNginx(prod(), (t) => replace(t, '      proxy_pass http://kong_http;\n', '', 0));
    expect(explain(bad)).toEqual([expect.stringMatching(/^EDGE001 .* nginx\.conf#orders-api: location = \/v1\/orders \(line \d+\) does not pass requests on \(no proxy_pass or grpc_pass\)/)]);
  });
});

describe('EDGE002 keepalive behind the GLB', () => {
  it.each([
    ['60s', '60s'],
    ['600s (equal is not longer)', '600s'],
    ['10m', '10m'],
  ])('fails an http-level keepalive_timeout of %s', (_label, value) => {
    const bad = withNginx(prod(), (t) => replace(t, 'keepalive_timeout 620s;', `keepalive_timeout ${value};`));
    expect(explain(bad)).toEqual([
      `EDGE002 dist/prod/edge/nginx.conf nginx.conf#http: http: keepalive_timeout ${value} (line ${lineOf(nginxText(bad), `keepalive_timeout ${value};`)}) is not longer than the GLB's 600 s backend keepalive: nginx closes connections the GLB still reuses (intermittent 502s)`,
    ]);
  });

  it('passes 601s and 1h, and ignores the upstream blocks\' own keepalive_timeout 60s (nginx → Kong, not GLB → nginx)', () => {
    expect(nginxText(prod())).toContain('    keepalive_timeout 60s;');
    expect(explain(withNginx(prod(), (t) => replace(t, 'keepalive_timeout 620s;', 'keepalive_timeout 601s;')))).toEqual([]);
    expect(explain(withNginx(prod(), (t) => replace(t, 'keepalive_timeout 620s;', 'keepalive_timeout 1h;')))).toEqual([]);
  });

  it('fails when unset (nginx\'s default is 75 s) and on a shorter server-level override', () => {
    const unset = withNginx(prod(), (t) => replace(t, '  keepalive_timeout 620s;\n', ''));
    expect(explain(unset)).toEqual([`EDGE002 dist/prod/edge/nginx.conf nginx.conf#http: http (line 13): keepalive_timeout is unset, so nginx's default 75s applies, shorter than the GLB's 600 s backend keepalive (intermittent 502s)`]);
    const override = withNginx(prod(), (t) => replace(t, '    server_name api.acme.example;\n', '    server_name api.acme.example;\n    keepalive_timeout 300s;\n', 1));
    const text = nginxText(override);
    expect(explain(override)).toEqual([
      `EDGE002 dist/prod/edge/nginx.conf nginx.conf#server/8443/api.acme.example: server (line ${lineOf(text, 'listen 8443 ssl http2;') - 1}): keepalive_timeout 300s (line ${lineOf(text, 'keepalive_timeout 300s;')}) is not longer than the GLB's 600 s backend keepalive: nginx closes connections the GLB still reuses (intermittent 502s)`,
    ]);
  });
});

describe('EDGE003 gRPC locations', () => {
  it('fails a proxy_read_timeout inside a grpc_pass location', () => {
    const bad = withNginx(prod(), (t) => replace(t, '      grpc_read_timeout 130s;\n', '      grpc_read_timeout 130s;\n      proxy_read_timeout 300s;\n', 0));
    const text = nginxText(bad);
    expect(explain(bad)).toEqual([
      `EDGE003 dist/prod/edge/nginx.conf nginx.conf#llm-inference: location = /inference.v1.Generator (line ${lineOf(text, 'location = /inference.v1.Generator {')}, grpc_pass grpc://gateway_grpc): proxy_read_timeout 300s (line ${lineOf(text, 'proxy_read_timeout 300s;')}) does nothing in a grpc_pass location`,
    ]);
  });

  it('fails a missing client_body_timeout or grpc_send_timeout, and accepts them inherited from the server', () => {
    const noBody = withNginx(prod(), (t) => replace(t, '      client_body_timeout 130s;\n', '', 1));
    expect(explain(noBody)).toEqual([
      expect.stringMatching(/^EDGE003 .* nginx\.conf#llm-inference: location \/inference\.v1\.Generator\/ \(line \d+, grpc_pass grpc:\/\/gateway_grpc\): client_body_timeout is not set, so nginx's default 60s cuts a stream silent for a minute$/),
    ]);
    const noSend = withNginx(prod(), (t) => replace(t, '      grpc_send_timeout 130s;\n', '', 'all'));
    expect(explain(noSend).map((f) => f.replace(/\(line \d+/, '(line N'))).toEqual([
      expect.stringContaining('location = /inference.v1.Generator (line N, grpc_pass grpc://gateway_grpc): grpc_send_timeout is not set'),
      expect.stringContaining('location /inference.v1.Generator/ (line N, grpc_pass grpc://gateway_grpc): grpc_send_timeout is not set'),
    ]);
    const inherited = withNginx(noSend, (t) => replace(t, '    server_name api.acme.example;\n', '    server_name api.acme.example;\n    grpc_send_timeout 130s;\n', 1));
    expect(explain(inherited)).toEqual([]);
  });
});

describe('EDGE004 stream routes', () => {
  it('fails an SSE location without proxy_buffering off', () => {
    const bad = withNginx(prod(), (t) => replace(t, '      proxy_buffering off;\n', '', 0));
    const text = nginxText(bad);
    expect(explain(bad)).toEqual([
      `EDGE004 dist/prod/edge/nginx.conf nginx.conf#market-feed: location = /v1/feed/stream (line ${lineOf(text, 'location = /v1/feed/stream {')}) serves SSE without proxy_buffering off (nginx buffers by default): events wait in nginx's buffers`,
    ]);
  });

  it('fails gzip on inherited into an SSE location, and not when the location turns it off', () => {
    const httpGzip = (t: string): string => replace(t, '  gzip off;\n', '  gzip on;\n', 0);
    expect(explain(withNginx(prod(), httpGzip))).toEqual([]);
    const bad = withNginx(prod(), (t) => replace(httpGzip(t), '      gzip off;\n', '', 'all'));
    expect(explain(bad)).toEqual([
      expect.stringMatching(/^EDGE004 .* nginx\.conf#market-feed: location = \/v1\/feed\/stream \(line \d+\) serves SSE with gzip on \(line 16, inherited from http\): the compressor holds events until its buffer fills$/),
      expect.stringMatching(/^EDGE004 .* nginx\.conf#market-feed: location \/v1\/feed\/stream\/ .* gzip on \(line 16, inherited from http\)/),
    ]);
  });

  it('treats a Kong route with response_buffering false as a stream nginx must not buffer, and a stream Kong buffers as a failure', () => {
    const kongStream = withKong(prod(), (c) => (kongService(c, 'orders-api').routes[0].response_buffering = false));
    expect(explain(kongStream)).toEqual([
      expect.stringMatching(/^EDGE004 .* nginx\.conf#orders-api: location = \/v1\/orders \(line \d+\) serves SSE without proxy_buffering off/),
      expect.stringMatching(/^EDGE004 .* nginx\.conf#orders-api: location \/v1\/orders\/ \(line \d+\) serves SSE without proxy_buffering off/),
    ]);
    const kongBuffers = withNginx(prod(), (t) => replace(t, '      proxy_pass http://kong_http;\n', '      proxy_pass http://kong_http;\n      proxy_buffering off;\n', 0));
    expect(explain(kongBuffers)).toEqual([
      `EDGE004 dist/prod/edge/kong.yml kong.yml#services/orders-api: Kong route "orders-api" serves a stream (nginx location = /v1/orders, line ${lineOf(nginxText(kongBuffers), 'location = /v1/orders {')}, does not buffer it) but has response_buffering true: Kong holds the stream's bytes`,
    ]);
  });

  it('fails a WebSocket location without the Upgrade header, HTTP/1.1 or the upgrade map', () => {
    const noUpgrade = withNginx(prod(), (t) => replace(t, '      proxy_set_header Upgrade $http_upgrade;\n', '', 0));
    expect(explain(noUpgrade)).toEqual([
      `EDGE004 dist/prod/edge/nginx.conf nginx.conf#chat: location = /ws/chat (line ${lineOf(nginxText(noUpgrade), 'location = /ws/chat {')}) proxies WebSocket but sends no Upgrade header upstream: hop-by-hop headers are dropped, so the upgrade never reaches the upstream`,
    ]);
    const http10 = withNginx(prod(), (t) => replace(t, '      proxy_http_version 1.1;\n      proxy_set_header Host $host;\n      proxy_set_header X-Forwarded-For $edge_client_addr;\n      proxy_set_header X-Real-IP $edge_client_addr;\n      proxy_set_header X-Forwarded-Proto $edge_forwarded_proto;\n      proxy_set_header X-Request-ID $request_id;\n      proxy_set_header Upgrade', '      proxy_set_header Host $host;\n      proxy_set_header X-Forwarded-For $edge_client_addr;\n      proxy_set_header X-Real-IP $edge_client_addr;\n      proxy_set_header X-Forwarded-Proto $edge_forwarded_proto;\n      proxy_set_header X-Request-ID $request_id;\n      proxy_set_header Upgrade', 0));
    expect(explain(http10)).toEqual([expect.stringMatching(/^EDGE004 .* nginx\.conf#chat: location = \/ws\/chat \(line \d+\) proxies WebSocket over HTTP\/1\.0 \(the default\): the upgrade needs HTTP\/1\.1 to the upstream$/)]);
    const closeConn = withNginx(prod(), (t) => replace(t, 'proxy_set_header Connection $connection_upgrade;', 'proxy_set_header Connection "";', 1));
    expect(explain(closeConn)).toEqual([expect.stringMatching(/nginx\.conf#chat: location \/ws\/chat\/ \(line \d+\) proxies WebSocket but sends Connection "" upstream/)]);
    const noMap = withNginx(prod(), (t) => replace(t, "  map $http_upgrade $connection_upgrade {\n    default upgrade;\n    '' close;\n  }\n", ''));
    expect(explain(noMap)).toEqual([
      'EDGE004 dist/prod/edge/nginx.conf nginx.conf#http: http (line 13) has no "map $http_upgrade $connection_upgrade" block, which the 2 WebSocket location(s) need to send Connection: upgrade (and close for plain requests)',
    ]);
  });
});

describe('EDGE005 unauthenticated gateway routes', () => {
  it('warns on auth "none", naming the route and the catalog\'s reason requirement', () => {
    const open = withGatewayRoute(prod(), 'market-feed', (r) => (r.auth = { type: 'none' }));
    const [finding, ...rest] = findings(open);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'EDGE005',
      severity: 'warning',
      target: { env: 'prod', file: 'dist/prod/edge/gateway-routes.json', address: 'gateway-routes.json#routes/market-feed' },
      message: 'gateway route "market-feed" (sse, api.acme.example/v1/feed/stream) is public with auth "none": anyone can call it; the catalog requires a reason for auth "none" — confirm it still holds',
      catalog: { name: 'market-feed' },
    });
  });

  it('names an ingest route\'s topic as its catalog entry', () => {
    const open = withGatewayRoute(prod(), 'ingest-ingest', (r) => (r.auth = { type: 'none' }));
    expect(findings(open).map((f) => [f.ruleId, f.target.address, f.catalog])).toEqual([['EDGE005', 'gateway-routes.json#routes/ingest-ingest', { name: 'ingest' }]]);
  });
});

describe('EDGE006 Kong routes authenticated', () => {
  const withoutRequestAuth = (a: EnvironmentArtifacts): EnvironmentArtifacts => withObjects(a, (os) => os.filter((o) => !isObject('RequestAuthentication', 'orders-api')(o)));

  it('fails a JWT route whose workload has no RequestAuthentication', () => {
    expect(explain(withoutRequestAuth(prod()))).toEqual([
      'EDGE006 dist/prod/edge/kong.yml kong.yml#services/orders-api: Kong route "orders-api" (service "orders-api") has no authentication plugin, and no RequestAuthentication with jwtRules selects its pods (app.kubernetes.io/name=orders-api in namespace commerce): nothing checks a token',
    ]);
  });

  it('fails when no AuthorizationPolicy requires a request principal (token-less requests pass a RequestAuthentication)', () => {
    const bad = withObjects(prod(), (os) => {
      const ap = os.find(isObject('AuthorizationPolicy', 'orders-api'));
      if (!ap) throw new Error('fixture: AuthorizationPolicy orders-api missing');
      delete ap.spec.rules[0].from[0].source.requestPrincipals;
      return os;
    });
    expect(explain(bad)).toEqual([
      'EDGE006 dist/prod/edge/kong.yml kong.yml#services/orders-api: Kong route "orders-api" (service "orders-api") has no authentication plugin; RequestAuthentication "orders-api" validates tokens for app.kubernetes.io/name=orders-api in namespace commerce, but no ALLOW AuthorizationPolicy there requires a request principal, so a request without a token is let through',
    ]);
  });

  it('fails a RequestAuthentication that selects other pods or sits in another namespace', () => {
    const other = (change: (ra: Json) => void) =>
      withObjects(prod(), (os) => {
        const ra = os.find(isObject('RequestAuthentication', 'orders-api'));
        if (!ra) throw new Error('fixture: RequestAuthentication orders-api missing');
        change(ra);
        return os;
      });
    expect(explain(other((ra) => (ra.spec.selector.matchLabels['app.kubernetes.io/name'] = 'billing')))).toEqual([expect.stringMatching(/^EDGE006 .*: nothing checks a token$/)]);
    expect(explain(other((ra) => (ra.metadata.namespace = 'edge')))).toEqual([expect.stringMatching(/^EDGE006 .*: nothing checks a token$/)]);
  });

  it('accepts a key-auth plugin on the route, service or globally instead, unless it is disabled', () => {
    const keyAuth = { name: 'key-auth', config: { key_names: ['x-api-key'] } };
    const route = withKong(withoutRequestAuth(prod()), (c) => kongService(c, 'orders-api').routes[0].plugins.push(keyAuth));
    expect(explain(route)).toEqual([]);
    const service = withKong(withoutRequestAuth(prod()), (c) => (kongService(c, 'orders-api').plugins = [keyAuth]));
    expect(explain(service)).toEqual([]);
    const global = withKong(withoutRequestAuth(prod()), (c) => c.plugins.push(keyAuth));
    expect(explain(global)).toEqual([]);
    const disabled = withKong(withoutRequestAuth(prod()), (c) => kongService(c, 'orders-api').routes[0].plugins.push({ ...keyAuth, enabled: false }));
    expect(explain(disabled)).toHaveLength(1);
  });
});

describe('EDGE007 nginx catch-all', () => {
  const apiServerRoot = "    location / {\n      default_type application/json;\n      return 404 '{\"error\":\"no route\"}';\n    }\n";

  it('fails a server without location /', () => {
    const bad = withNginx(prod(), (t) => replace(t, apiServerRoot, '', 1));
    expect(explain(bad)).toEqual([
      `EDGE007 dist/prod/edge/nginx.conf nginx.conf#server/8080/api.acme.example: server api.acme.example on 8080 (line ${lineOf(nginxText(bad), 'server_name api.acme.example;') - 2}) has no "location /": a path that matches no route is served by nginx's defaults (files from its html root)`,
    ]);
  });

  it('fails a location / that proxies without being a route, or serves files', () => {
    const proxied = withNginx(prod(), (t) => replace(t, apiServerRoot, '    location / {\n      proxy_pass http://kong_http;\n    }\n', 1));
    expect(explain(proxied)).toEqual([expect.stringMatching(/^EDGE007 .* nginx\.conf#server\/8080\/api\.acme\.example: server api\.acme\.example on 8080 \(line \d+\): location \/ \(line \d+\) passes to http:\/\/kong_http without being a route: every unmatched path reaches an upstream$/)]);
    const files = withNginx(prod(), (t) => replace(t, apiServerRoot, '    location / {\n      root /srv;\n    }\n', 0));
    expect(explain(files)).toEqual([expect.stringMatching(/^EDGE007 .* nginx\.conf#server\/8080\/_: .* location \/ \(line \d+\) neither returns nor is a route/)]);
  });

  it('fails a listener without a default server', () => {
    const bad = withNginx(prod(), (t) => replace(t, 'listen 8443 ssl http2 default_server;', 'listen 8443 ssl http2;'));
    expect(explain(bad)).toEqual([
      'EDGE007 dist/prod/edge/nginx.conf nginx.conf#http: http (line 13): listen 8443 has no default_server, so the first server on it answers requests for unknown hosts (and the GLB\'s health checks)',
    ]);
  });
});

describe('malformed edge files', () => {
  it('names the file and line of broken nginx.conf text', () => {
    const bad = withNginx(prod(), (t) => replace(t, '  keepalive_requests 10000;\n', '  keepalive_requests 10000;\n  proxy_read_timeout 30s }\n', 0));
    const line = lineOf(nginxText(bad), 'proxy_read_timeout 30s }');
    expect(() => findings(bad)).toThrow(`dist/prod/edge/nginx.conf:${line}: unexpected "}": "proxy_read_timeout" is not terminated by ";"`);
    expect(() => findings(withNginx(prod(), (t) => `${t}}\n`))).toThrow(new RegExp(`^dist/prod/edge/nginx\\.conf:${nginxText(prod()).split('\n').length}: unexpected "}": no block is open`));
  });

  it('names the file and field of a kong.yml or gateway-routes.json the rules cannot read', () => {
    expect(() => findings(withKong(prod(), (c) => (kongService(c, 'orders-api').read_timeout = '35s')))).toThrow(/^dist\/prod\/edge\/kong\.yml: services\[0\]\.read_timeout: /);
    expect(() => findings(withGatewayRoute(prod(), 'chat', (r) => delete r.timeouts.idleMs))).toThrow(/^dist\/prod\/edge\/gateway-routes\.json: routes\[3\]\.timeouts\.idleMs: /);
  });
});

describe('edge target lines for reports', () => {
  it('finds EDGE addresses in the synthesized files, and nothing in a file that does not parse', async () => {
    const a = prod();
    const nginx = edgeAddressLines('dist/prod/edge/nginx.conf', nginxText(a));
    expect(nginx.get('nginx.conf#orders-api')).toBe(lineOf(nginxText(a), 'location = /v1/orders {'));
    expect(nginx.get('nginx.conf#http')).toBe(lineOf(nginxText(a), 'http {'));
    expect(nginx.get('nginx.conf#server/8443/_')).toBe(lineOf(nginxText(a), 'listen 8443 ssl http2 default_server;') - 1);
    const kongText = await readFile(join(out, 'dist/prod/edge/kong.yml'), 'utf8');
    expect(edgeAddressLines('dist/prod/edge/kong.yml', kongText).get('kong.yml#services/orders-api')).toBe(lineOf(kongText, '  - name: orders-api'));
    const routesText = await readFile(join(out, 'dist/prod/edge/gateway-routes.json'), 'utf8');
    expect(edgeAddressLines('dist/prod/edge/gateway-routes.json', routesText).get('gateway-routes.json#routes/chat')).toBe(lineOf(routesText, '"name": "chat"'));
    expect(edgeAddressLines('dist/prod/edge/nginx.conf', 'http {')).toEqual(new Map());
  });
});
