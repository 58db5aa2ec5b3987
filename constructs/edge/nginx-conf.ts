/**
 * nginx.conf for the L7 hop behind the GLB, rendered from the route plan (pure text).
 *
 * Two listeners, because the GLB speaks to a backend in one protocol: HTTP/1.1 for REST,
 * WebSocket (Upgrade does not exist in HTTP/2) and SSE; HTTP/2 over TLS for gRPC (the GLB only
 * speaks HTTP/2 to a backend over TLS, and does not verify its certificate). Per route kind:
 * - REST → Kong (or the gateway): keep-alive pool, `Connection ""`, read timeout = the whole request;
 * - WebSocket → gateway: the `$connection_upgrade` map, read/send timeouts ≥ the idle limit;
 * - SSE → gateway: no buffering, no gzip;
 * - gRPC → `grpc_pass` to an h2c listener with `grpc_read_timeout`/`grpc_send_timeout` and
 *   `client_body_timeout` (a `proxy_*_timeout` there would do nothing);
 * - events (Pub/Sub ingest) → gateway, body limited.
 * Every timeout is the chain's `nginx` hop, so the proxy inside always gives up first.
 * Runs in stock nginx ≥ 1.22 (`listen … ssl http2`: 1.25+ only warns about the form).
 */
import type { Environment } from '../../environments/schema.ts';
import { EDGE_KEEPALIVE_SEC, GLB_SOURCE_RANGES, type EdgePlan } from './edge-plan.ts';
import type { RoutePlan } from './route-plan.ts';
import { nginxDuration, type EdgeRenderOptions } from './render-options.ts';

/** Connecting to an in-cluster upstream takes milliseconds; this bounds a dead endpoint. */
const CONNECT_TIMEOUT_SEC = 5;

type Upstream = 'kong_http' | 'kong_grpc' | 'gateway_http' | 'gateway_grpc';

function upstreamOf(route: RoutePlan): Upstream {
  if (route.protocol === 'grpc') return route.via === 'kong' ? 'kong_grpc' : 'gateway_grpc';
  return route.via === 'kong' ? 'kong_http' : 'gateway_http';
}

/** `location` lines for a prefix, matching on segment boundaries as Kong and the gateway do. */
function locationsFor(pathPrefix: string): string[] {
  const base = pathPrefix.replace(/\/+$/, '');
  return base === '' ? ['location /'] : [`location = ${base}`, `location ${base}/`];
}

/** The longest silence a stream location tolerates: an idle stream, or the wait for the first byte. */
function streamReadSec(route: RoutePlan): number {
  return Math.max(route.timeouts.nginx.idleSec, route.timeouts.nginx.firstByteSec);
}

function routeDirectives(route: RoutePlan, scale: number): string[] {
  const t = route.timeouts.nginx;
  const d = (sec: number): string => nginxDuration(sec, scale);
  const up = upstreamOf(route);
  const common = [`set $edge_route ${route.name};`, `client_max_body_size ${route.maxBodyBytes};`];
  const forwarded = (directive: 'proxy_set_header' | 'grpc_set_header'): string[] => [
    `${directive} Host $host;`,
    `${directive} X-Forwarded-For $edge_client_addr;`,
    `${directive} X-Real-IP $edge_client_addr;`,
    `${directive} X-Forwarded-Proto $edge_forwarded_proto;`,
    `${directive} X-Request-ID $request_id;`,
  ];
  const proxied = (headers: readonly string[], timeouts: readonly string[]): string[] => [
    ...common,
    `proxy_pass http://${up};`,
    'proxy_http_version 1.1;',
    ...forwarded('proxy_set_header'),
    ...headers,
    `proxy_connect_timeout ${d(CONNECT_TIMEOUT_SEC)};`,
    ...timeouts,
  ];
  // A stream may be silent for its idle limit (or until its first byte): every timeout on it waits that long.
  const stream = d(streamReadSec(route));
  const streamTimeouts = (prefix: 'proxy' | 'grpc'): string[] => [
    `${prefix}_read_timeout ${stream};`,
    `${prefix}_send_timeout ${stream};`,
    ...(prefix === 'grpc' ? [`client_body_timeout ${stream};`] : []),
    `send_timeout ${stream};`,
    `${prefix}_socket_keepalive on;`,
  ];
  switch (route.protocol) {
    case 'grpc':
      return [...common, `grpc_pass grpc://${up};`, ...forwarded('grpc_set_header'), `grpc_connect_timeout ${d(CONNECT_TIMEOUT_SEC)};`, ...streamTimeouts('grpc')];
    case 'websocket':
      return proxied(['proxy_set_header Upgrade $http_upgrade;', 'proxy_set_header Connection $connection_upgrade;'], streamTimeouts('proxy'));
    case 'sse':
      // Every event goes out as it arrives: no response buffering, no cache, no compression.
      return proxied(['proxy_set_header Connection "";', 'proxy_buffering off;', 'proxy_cache off;', 'gzip off;'], streamTimeouts('proxy'));
    case 'http':
    case 'events':
      return proxied(
        ['proxy_set_header Connection "";'],
        [`proxy_read_timeout ${d(t.totalSec)};`, `proxy_send_timeout ${d(t.totalSec)};`, `client_body_timeout ${d(t.idleSec)};`],
      );
  }
}

function indent(lines: readonly string[], depth: number): string[] {
  return lines.map((l) => (l === '' ? '' : `${'  '.repeat(depth)}${l}`));
}

function block(head: string, body: readonly string[]): string[] {
  return [`${head} {`, ...indent(body, 1), '}'];
}

const HEALTH = block('location = /healthz', ['access_log off;', 'default_type text/plain;', 'return 200 "ok\\n";']);
const NOT_FOUND = block('location /', ['default_type application/json;', 'return 404 \'{"error":"no route"}\';']);

function routeServer(listen: string, host: string, routes: readonly RoutePlan[], scale: number, tls: readonly string[]): string[] {
  const body: string[] = [`listen ${listen};`, ...tls, `server_name ${host};`, 'set $edge_route "-";', '', ...HEALTH];
  for (const route of routes) {
    body.push('', `# ${route.name}: ${route.protocol} via ${route.via}`);
    for (const loc of locationsFor(route.pathPrefix)) body.push(...block(loc, routeDirectives(route, scale)));
  }
  if (!routes.some((r) => locationsFor(r.pathPrefix).includes('location /'))) body.push('', ...NOT_FOUND);
  return block('server', body);
}

function defaultServer(listen: string, tls: readonly string[], comment: string): string[] {
  return [`# ${comment}`, ...block('server', [`listen ${listen} default_server;`, ...tls, 'server_name _;', 'set $edge_route "-";', '', ...HEALTH, '', ...NOT_FOUND])];
}

/** Hosts in the order of their first route (routes are already longest-prefix first). */
function byHost(routes: readonly RoutePlan[]): Map<string, RoutePlan[]> {
  const hosts = new Map<string, RoutePlan[]>();
  for (const r of routes) hosts.set(r.host, [...(hosts.get(r.host) ?? []), r]);
  return hosts;
}

export function renderNginxConf(
  env: Environment,
  routes: readonly RoutePlan[],
  edge: EdgePlan,
  options: EdgeRenderOptions = {},
): string {
  const o = options.nginx ?? {};
  const scale = options.timeScale ?? 1;
  const { nginx, kong, gateway } = edge;
  const listenHttp = o.listenHttp ?? String(nginx.ports.http);
  const listenTls = `${o.listenGrpcTls ?? String(nginx.ports.grpcTls)} ssl http2`;
  const tmp = o.tempDir ?? '/tmp';
  const tls = [
    `ssl_certificate ${o.certificate ?? '/etc/nginx/tls/tls.crt'};`,
    `ssl_certificate_key ${o.certificateKey ?? '/etc/nginx/tls/tls.key'};`,
    'ssl_protocols TLSv1.2 TLSv1.3;',
  ];
  const upstream = (name: Upstream, server: string, keepalive: number): string[] =>
    block(`upstream ${name}`, [`server ${server};`, `keepalive ${keepalive};`, 'keepalive_timeout 60s;', 'keepalive_requests 10000;']);

  const http1 = routes.filter((r) => r.protocol !== 'grpc');
  const grpc = routes.filter((r) => r.protocol === 'grpc');
  const servers: string[] = [
    ...defaultServer(listenHttp, [], 'HTTP/1.1 from the GLB (REST, WebSocket, SSE, events): unknown hosts get 404, the GLB health check /healthz'),
  ];
  for (const [host, hostRoutes] of byHost(http1)) servers.push('', ...routeServer(listenHttp, host, hostRoutes, scale, []));
  servers.push('', ...defaultServer(listenTls, tls, 'HTTP/2 over TLS from the GLB (gRPC); the GLB does not verify this certificate'));
  for (const [host, hostRoutes] of byHost(grpc)) servers.push('', ...routeServer(listenTls, host, hostRoutes, scale, tls));

  const d = (sec: number): string => nginxDuration(sec, scale);
  const http = [
    'default_type application/octet-stream;',
    'server_tokens off;',
    'gzip off;',
    `client_body_temp_path ${tmp}/client_temp;`,
    `proxy_temp_path ${tmp}/proxy_temp;`,
    `fastcgi_temp_path ${tmp}/fastcgi_temp;`,
    `uwsgi_temp_path ${tmp}/uwsgi_temp;`,
    `scgi_temp_path ${tmp}/scgi_temp;`,
    '',
    `# The GLB keeps idle connections to backends for ${600} s: closing them first yields intermittent 502s.`,
    // HTTP/2 idle connections are governed by keepalive_timeout too (http2_idle_timeout is obsolete since 1.19.7).
    `keepalive_timeout ${d(EDGE_KEEPALIVE_SEC)};`,
    'keepalive_requests 10000;',
    'large_client_header_buffers 4 16k;',
    '',
    '# The client address. The GLB appends "<client>, <load balancer IP>" to X-Forwarded-For and connects',
    '# from the Google Front End ranges; the load balancer IP is not in those ranges, so the realip module',
    '# would stop at it. From the GLB, the client is the entry before the last; from anywhere else, the peer.',
    ...block('geo $remote_addr $from_glb', ['default 0;', ...GLB_SOURCE_RANGES.map((r) => `${r} 1;`)]),
    ...block('map "$from_glb $http_x_forwarded_for" $edge_client_addr', [
      '"~^1 (?:.*,)?\\s*(?<client>[^,\\s]+)\\s*,\\s*[^,\\s]+\\s*$" $client;',
      'default $remote_addr;',
    ]),
    ...block('map "$from_glb $http_x_forwarded_proto" $edge_forwarded_proto', ['"1 https" https;', 'default $scheme;']),
    ...block('map $http_upgrade $connection_upgrade', ["default upgrade;", "'' close;"]),
    '',
    '# Tracing: nginx records no span of its own; the W3C traceparent passes through unchanged (all request',
    '# headers are forwarded), and each access line names its trace in Cloud Logging\'s trace field, so the',
    '# line sits under the trace in Cloud Trace and the gateway\'s line for the same request shares it.',
    ...block('map $http_traceparent $edge_trace', [
      `"~^[0-9a-f]{2}-(?<edge_trace_id>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$" "projects/${env.gcp.projectId}/traces/$edge_trace_id";`,
      'default "";',
    ]),
    ...block('map $status $edge_severity', ['~^5 ERROR;', '~^4 WARNING;', 'default INFO;']),
    '',
    `log_format edge_json escape=json '{"time":"$time_iso8601","env":"${env.name}","request_id":"$request_id",'`,
    `  '"client":"$edge_client_addr","host":"$host","method":"$request_method","uri":"$request_uri",'`,
    `  '"protocol":"$server_protocol","status":$status,"bytes_sent":$bytes_sent,"request_time":$request_time,'`,
    `  '"route":"$edge_route","upstream":"$upstream_addr","upstream_status":"$upstream_status",'`,
    `  '"upstream_connect_time":"$upstream_connect_time","upstream_header_time":"$upstream_header_time",'`,
    `  '"upstream_response_time":"$upstream_response_time",'`,
    // Cloud Logging's structured fields: the agent parses severity, the trace link and httpRequest.
    `  '"severity":"$edge_severity","logging.googleapis.com/trace":"$edge_trace",'`,
    `  '"httpRequest":{"requestMethod":"$request_method","requestUrl":"$edge_forwarded_proto://$host$uri","status":$status,'`,
    `  '"responseSize":"$bytes_sent","latency":"\${request_time}s","remoteIp":"$edge_client_addr","protocol":"$server_protocol",'`,
    `  '"userAgent":"$http_user_agent"},"user_agent":"$http_user_agent"}';`,
    `access_log ${o.accessLog ?? '/dev/stdout'} edge_json;`,
    '',
    ...upstream('kong_http', o.kongHttp ?? `${edge.serviceDns(kong.name)}:${kong.ports.http}`, 64),
    ...upstream('kong_grpc', o.kongGrpc ?? `${edge.serviceDns(kong.name)}:${kong.ports.grpc}`, 32),
    ...upstream('gateway_http', o.gatewayHttp ?? `${edge.serviceDns(gateway.name)}:${gateway.ports.http}`, 64),
    ...upstream('gateway_grpc', o.gatewayGrpc ?? `${edge.serviceDns(gateway.name)}:${gateway.ports.grpc}`, 32),
    '',
    ...servers,
  ];
  return [
    `# nginx.conf for environment "${env.name}" — generated from the platform catalog by constructs/edge/nginx-conf.ts.`,
    '# Do not edit: change environments/ and run `npm start`.',
    'worker_processes auto;',
    `pid ${o.pidFile ?? '/tmp/nginx.pid'};`,
    `error_log ${o.errorLog ?? '/dev/stderr'} notice;`,
    '# On SIGQUIT (the image\'s stop signal) open requests and streams get this long to finish.',
    `worker_shutdown_timeout ${d(nginx.drainSec)};`,
    '',
    ...block('events', ['worker_connections 16384;']),
    '',
    ...block('http', http),
    '',
  ].join('\n');
}
