// What the gateway records per request or stream: the server span's name and attributes after the
// OpenTelemetry HTTP and RPC semantic conventions, its end, and the Cloud Logging access line.
// Attribute builders are only called for spans the sampler keeps.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type http2 from 'node:http2';
import type { CompiledRoute } from './compiled-routes.ts';
import type { ForwardingFacts } from './forwarded-headers.ts';
import { accessLevel, accessLogFields, type Logger } from './logger.ts';
import { traceIdOf, isSampled } from './trace-context.ts';
import type { ClientSpan, ServerSpan, SpanAttributes } from './tracing.ts';

/** Where access lines go and which project their trace field names. */
export interface AccessLog {
  readonly logger: Logger;
  /** The Google Cloud project whose Cloud Trace the trace field points into. */
  readonly project: string | undefined;
}

function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** `GET /api/orders`: method and the matched route's path prefix (its `http.route`), or the method alone. */
export function httpSpanName(method: string | undefined, route: CompiledRoute | undefined): string {
  return route === undefined ? (method ?? 'HTTP') : `${method ?? 'HTTP'} ${route.prefix}`;
}

export function httpServerAttributes(req: IncomingMessage, route: CompiledRoute | undefined, facts: ForwardingFacts): SpanAttributes {
  const attributes: SpanAttributes = {
    'http.request.method': req.method ?? 'GET',
    'url.path': pathOnly(req.url ?? '/'),
    'url.scheme': 'http',
    'network.protocol.version': req.httpVersion,
    'client.address': facts.clientIp,
    'network.peer.address': facts.peer,
  };
  const host = req.headers.host;
  if (host !== undefined) attributes['server.address'] = host.replace(/:\d+$/, '');
  const agent = req.headers['user-agent'];
  if (agent !== undefined) attributes['user_agent.original'] = agent;
  if (route !== undefined) {
    attributes['http.route'] = route.prefix;
    attributes['gateway.route'] = route.name;
  }
  return attributes;
}

/** The upstream call's client span; its traceparent replaces the one forwarded. */
export function startHttpClientSpan(facts: ForwardingFacts, route: CompiledRoute, method: string, path: string): ClientSpan | undefined {
  const span = facts.span?.startClient(method, 'client', () => {
    const url = new URL(route.origin as string);
    return {
      'http.request.method': method,
      'server.address': url.hostname,
      'server.port': Number(url.port || 80),
      'url.full': `${route.origin as string}${pathOnly(path)}`,
      'gateway.route': route.name,
    };
  });
  if (span !== undefined) facts.traceparent = span.traceparent;
  return span;
}

/** Ends an upstream client span with the status it got (5xx or no answer: failed). */
export function endHttpClientSpan(span: ClientSpan | undefined, status: number, failure?: string): void {
  if (span === undefined) return;
  if (status > 0) span.setAttributes({ 'http.response.status_code': status });
  span.end(failure ?? (status >= 500 ? String(status) : undefined));
}

function requestUrl(headers: IncomingHttpHeaders, path: string, facts: ForwardingFacts): string {
  const proto = facts.trustForwardedProto && typeof headers['x-forwarded-proto'] === 'string' ? headers['x-forwarded-proto'] : 'http';
  return `${proto}://${headers.host ?? headers[':authority'] ?? ''}${pathOnly(path)}`;
}

function traceOf(facts: ForwardingFacts): { traceId: string; spanId: string | undefined; sampled: boolean } {
  const span = facts.span;
  if (span !== undefined) return { traceId: span.traceId, spanId: span.spanId, sampled: span.sampled };
  return { traceId: traceIdOf(facts.traceparent), spanId: undefined, sampled: isSampled(facts.traceparent) };
}

/** Ends the server span and writes the access line for one HTTP/1.1 exchange (or WebSocket handshake). */
export function finishHttp(
  log: AccessLog,
  req: IncomingMessage,
  facts: ForwardingFacts,
  route: CompiledRoute | undefined,
  status: number,
  aborted: boolean,
  latencyMs: number,
): void {
  // A client that leaves early (the usual end of an SSE stream) is not a server error: the span
  // says so in an attribute, the access line is INFO once a response began, WARNING before.
  const span = facts.span;
  if (span !== undefined) {
    if (status > 0) span.setAttributes({ 'http.response.status_code': status });
    if (aborted) span.setAttributes({ 'gateway.client_aborted': true });
    span.end(status >= 500 ? String(status) : undefined);
  }
  const level = aborted ? (status > 0 && status < 400 ? 'info' : 'warn') : accessLevel(status);
  if (!log.logger.enabled(level)) return;
  const trace = traceOf(facts);
  const fields = accessLogFields(
    {
      method: req.method ?? 'GET',
      url: requestUrl(req.headers, req.url ?? '/', facts),
      status,
      latencyMs,
      remoteIp: facts.clientIp,
      userAgent: req.headers['user-agent'],
      protocol: `HTTP/${req.httpVersion}`,
      route: route?.name ?? 'unmatched',
      requestId: facts.requestId,
      ...trace,
    },
    log.project,
  );
  if (aborted) fields.aborted = true;
  log.logger[level]('request', fields);
}

/** `package.Service/Method` from `/package.Service/Method`. */
export function grpcSpanName(path: string | undefined): string {
  return (path ?? '/').slice(1) || 'grpc';
}

export function grpcServerAttributes(headers: http2.IncomingHttpHeaders, route: CompiledRoute | undefined, facts: ForwardingFacts): SpanAttributes {
  const full = grpcSpanName(headers[':path']);
  const slash = full.lastIndexOf('/');
  const attributes: SpanAttributes = {
    'rpc.system': 'grpc',
    'rpc.service': slash > 0 ? full.slice(0, slash) : full,
    'rpc.method': slash > 0 ? full.slice(slash + 1) : '',
    'network.protocol.name': 'http',
    'network.protocol.version': '2',
    'client.address': facts.clientIp,
    'network.peer.address': facts.peer,
  };
  const authority = headers[':authority'] ?? headers.host;
  if (authority !== undefined) attributes['server.address'] = authority.replace(/:\d+$/, '');
  if (route !== undefined) attributes['gateway.route'] = route.name;
  return attributes;
}

/** The grpc-status the client got: from the trailers, or a trailers-only header block. */
function grpcStatusOf(stream: http2.ServerHttp2Stream): number | undefined {
  const sent = stream.sentTrailers?.['grpc-status'] ?? stream.sentHeaders?.['grpc-status'];
  return sent === undefined ? undefined : Number(sent);
}

/** gRPC codes a server span marks as failed (OpenTelemetry RPC conventions, server side). */
const GRPC_SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

/** Ends the server span and writes the access line for one gRPC stream, when it closes. */
export function finishGrpc(log: AccessLog, stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, facts: ForwardingFacts, route: CompiledRoute | undefined, latencyMs: number): void {
  const code = grpcStatusOf(stream);
  const span = facts.span;
  if (span !== undefined) {
    if (code !== undefined) span.setAttributes({ 'rpc.grpc.status_code': code });
    else span.setAttributes({ 'gateway.client_aborted': true }); // closed with no status sent: cancelled or reset
    span.end(code !== undefined && GRPC_SERVER_ERRORS.has(code) ? String(code) : undefined);
  }
  const status = code === undefined ? 0 : 200;
  const level = code !== undefined && GRPC_SERVER_ERRORS.has(code) ? 'error' : code === 0 ? 'info' : 'warn';
  if (!log.logger.enabled(level)) return;
  const fields = accessLogFields(
    {
      method: headers[':method'] ?? 'POST',
      url: requestUrl(headers as IncomingHttpHeaders, headers[':path'] ?? '/', facts),
      status,
      latencyMs,
      remoteIp: facts.clientIp,
      userAgent: headers['user-agent'],
      protocol: 'HTTP/2',
      route: route?.name ?? 'unmatched',
      requestId: facts.requestId,
      ...traceOf(facts),
    },
    log.project,
  );
  fields.grpcStatus = code ?? 'aborted';
  log.logger[level]('request', fields);
}
