/**
 * kong.yml: Kong's DB-less declarative configuration (`_format_version: "3.0"`), rendered from
 * the routes that go `via: kong`. One Kong service per upstream, timeouts in milliseconds from
 * the chain's `proxy` hop, routes matched on host + path on segment boundaries (`strip_path:
 * false`), gRPC routes on the h2c listener, no response buffering where a stream passes.
 *
 * Authentication (README "Authentication at the edge"):
 * - jwt: OSS Kong's `jwt` plugin verifies against keys stored on consumers and cannot fetch a
 *   JWKS, so Kong does not check these tokens: Istio's RequestAuthentication (jwksUri, keys
 *   rotated automatically) validates them at the workload, and an AuthorizationPolicy there
 *   requires a valid request principal (constructs/mesh/). Kong forwards `Authorization` as is.
 * - key-auth: the `key-auth` plugin here; the keys are Kong consumers that live in the Secret
 *   `kong-consumers` and are merged into this file at pod start — never in this ConfigMap.
 * Rate limits use policy `local` (DB-less offers local or redis): they are per Kong replica.
 *
 * Tracing: the global `opentelemetry` plugin (when the catalog's tracing is on) sends Kong's
 * request span over OTLP/HTTP to the platform's collector, keeps W3C `traceparent` (extracts it,
 * injects its own span), and samples new traces at the catalog's ratio; a sampled parent is followed.
 */
import { stringify } from 'yaml';
import type { Environment } from '../../environments/schema.ts';
import type { EdgePlan } from './edge-plan.ts';
import type { RoutePlan } from './route-plan.ts';
import { API_KEY_HEADER } from './gateway-routes.ts';
import { millis, type EdgeRenderOptions } from './render-options.ts';
import { planTelemetry } from '../observability/telemetry-plan.ts';

const CONNECT_SEC = 5;

interface KongPlugin {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

interface KongRoute {
  readonly name: string;
  readonly protocols: readonly string[];
  readonly hosts: readonly string[];
  readonly paths: readonly string[];
  readonly strip_path: boolean;
  readonly preserve_host: boolean;
  readonly request_buffering?: boolean;
  readonly response_buffering?: boolean;
  readonly plugins?: readonly KongPlugin[];
}

interface KongService {
  readonly name: string;
  readonly protocol: 'http' | 'grpc';
  readonly host: string;
  readonly port: number;
  readonly connect_timeout: number;
  readonly read_timeout: number;
  readonly write_timeout: number;
  readonly retries: number;
  readonly routes: readonly KongRoute[];
}

export interface KongConfig {
  readonly _format_version: '3.0';
  readonly services: readonly KongService[];
  readonly plugins: readonly KongPlugin[];
}

/** Matches the prefix on segment boundaries (`/v1/orders`, `/v1/orders/…`, not `/v1/ordersx`). */
function segmentPath(pathPrefix: string): string {
  const base = pathPrefix.replace(/\/+$/, '');
  if (base === '') return '/';
  return `~${base.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&')}(/|$)`;
}

function routePlugins(route: RoutePlan, env: Environment): KongPlugin[] {
  const plugins: KongPlugin[] = [];
  const grpc = route.protocol === 'grpc';
  if (route.auth.type === 'key-auth') {
    plugins.push({ name: 'key-auth', config: { key_names: [API_KEY_HEADER], hide_credentials: true, key_in_query: false } });
  }
  if (route.rateLimit) {
    plugins.push({
      name: 'rate-limiting',
      config: {
        minute: route.rateLimit.requestsPerMinute,
        policy: 'local',
        limit_by: route.auth.type === 'key-auth' ? 'consumer' : 'ip',
        fault_tolerant: true,
        hide_client_headers: false,
      },
    });
  }
  if (!grpc && env.edge.corsOrigins.length > 0) {
    plugins.push({
      name: 'cors',
      config: {
        origins: [...env.edge.corsOrigins],
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        headers: ['Authorization', 'Content-Type', API_KEY_HEADER, 'X-Request-ID', 'traceparent'],
        exposed_headers: ['X-Request-ID', 'Retry-After', 'RateLimit-Remaining', 'RateLimit-Reset'],
        credentials: false,
        max_age: 3600,
        preflight_continue: false,
      },
    });
  }
  if (!grpc && route.maxBodyBytes > 0) {
    plugins.push({
      name: 'request-size-limiting',
      config: { allowed_payload_size: route.maxBodyBytes, size_unit: 'bytes', require_content_length: false },
    });
  }
  return plugins;
}

/** The `opentelemetry` plugin (Kong 3.9.3 kong/plugins/opentelemetry/schema.lua), or nothing when tracing is off. */
function tracingPlugins(env: Environment): KongPlugin[] {
  const { tracing, collector } = planTelemetry(env);
  if (!tracing.enabled) return [];
  return [
    {
      name: 'opentelemetry',
      config: {
        traces_endpoint: collector.tracesUrl,
        resource_attributes: { 'service.name': 'kong', 'deployment.environment.name': env.name, 'cloud.account.id': env.gcp.projectId },
        sampling_rate: tracing.sampleRatio,
        propagation: { extract: ['w3c'], inject: ['w3c'], default_format: 'w3c' },
        // An unreachable collector costs a request nothing: spans are queued and sent off the request path.
        connect_timeout: 1000,
        send_timeout: 5000,
        read_timeout: 5000,
      },
    },
  ];
}

export function kongConfig(env: Environment, routes: readonly RoutePlan[], options: EdgeRenderOptions = {}): KongConfig {
  const scale = options.timeScale ?? 1;
  const services = routes
    .filter((r) => r.via === 'kong' && r.upstream)
    .map((r): KongService => {
      const upstream = new URL(r.upstream?.url ?? '');
      const grpc = r.protocol === 'grpc';
      const stream = r.protocol !== 'http';
      const hop = r.timeouts.proxy;
      // REST: the whole request; a stream: the longest silence (or the wait for its first byte).
      const readSec = stream ? Math.max(hop.idleSec, hop.firstByteSec) : hop.totalSec;
      const plugins = routePlugins(r, env);
      return {
        name: r.name,
        protocol: grpc ? 'grpc' : 'http',
        host: upstream.hostname,
        port: Number(upstream.port),
        connect_timeout: millis(CONNECT_SEC, scale),
        read_timeout: millis(readSec, scale),
        write_timeout: millis(readSec, scale),
        // No retries at this hop: a retried POST is a duplicate order; the mesh retries what is safe.
        retries: 0,
        routes: [
          {
            name: r.name,
            protocols: grpc ? ['grpc'] : ['http', 'https'],
            hosts: [r.host],
            paths: [segmentPath(r.pathPrefix)],
            strip_path: false,
            preserve_host: true,
            ...(grpc ? {} : { request_buffering: true, response_buffering: !stream }),
            ...(plugins.length > 0 ? { plugins } : {}),
          },
        ],
      };
    });
  return {
    _format_version: '3.0',
    services,
    plugins: [
      // nginx sets X-Request-ID; Kong keeps it (generates one only when absent) and echoes it.
      { name: 'correlation-id', config: { header_name: 'X-Request-ID', generator: 'uuid#counter', echo_downstream: true } },
      {
        name: 'prometheus',
        config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, upstream_health_metrics: false, per_consumer: false },
      },
      ...tracingPlugins(env),
    ],
  };
}

export function renderKongConfig(env: Environment, routes: readonly RoutePlan[], edge: EdgePlan, options: EdgeRenderOptions = {}): string {
  const header = [
    `# kong.yml for environment "${env.name}" — generated from the platform catalog by constructs/edge/kong-config.ts.`,
    '# Do not edit: change environments/ and run `npm start`.',
    `# Consumers (key-auth credentials) are not here: they come from the Secret "${edge.kong.consumersSecret}" at pod start.`,
  ];
  return `${header.join('\n')}\n${stringify(kongConfig(env, routes, options), { lineWidth: 0 })}`;
}
