// gRPC pass-through on the h2c listener: one multiplexed HTTP/2 session per upstream, both
// directions streamed with backpressure (pipe), trailers forwarded, trailers-only responses
// (a non-OK status with no body) passed through as such. Gateway-made errors are
// trailers-only answers with a grpc-status, as gRPC clients expect.
import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { CompiledRoute } from './compiled-routes.ts';
import { forwardedRequestHeaders, type ForwardingFacts } from './forwarded-headers.ts';
import { connectionTokens, isAlwaysHopByHop } from './hop-by-hop.ts';
import type { UpstreamPools } from './upstream-pools.ts';
import { grpcSpanName } from './tracing-hooks.ts';

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_FLAG_END_STREAM } = http2.constants;

export const GrpcStatus = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** Trailers-only answer: HTTP 200, grpc-status in the only header block. */
export function grpcError(stream: http2.ServerHttp2Stream, status: number, message: string, requestId: string, extra?: Record<string, string>): void {
  if (stream.destroyed || stream.closed) return;
  if (stream.headersSent) {
    stream.close(NGHTTP2_INTERNAL_ERROR);
    return;
  }
  stream.respond(
    { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message), 'x-request-id': requestId, ...extra },
    { endStream: true },
  );
}

/** Response (or trailer) headers minus pseudo-headers other than :status and hop-by-hop fields. */
function endToEnd(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const named = connectionTokens(headers.connection);
  const out: http2.OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* : */ && name !== ':status') continue;
    if (isAlwaysHopByHop(name) || (named !== undefined && named.has(name))) continue;
    out[name] = headers[name];
  }
  return out;
}

const REQUEST_PSEUDO = new Set([':method', ':path', ':authority', ':scheme', ':protocol']);

export interface GrpcProxyDeps {
  pools: UpstreamPools;
  onUpstreamFailure: (route: CompiledRoute, reason: string, err: unknown) => void;
}

export function proxyGrpc(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  flags: number,
  route: CompiledRoute,
  facts: ForwardingFacts,
  deps: GrpcProxyDeps,
  started: number,
): void {
  const config = route.config;
  let code: string | number = 'aborted';
  const done = (): void => route.metrics.observe(code, (performance.now() - started) / 1000);
  stream.once('close', done);

  // The upstream call's span: ends when the upstream stream closes, with the status it sent.
  let upstreamStatus: string | undefined;
  const clientSpan = facts.span?.startClient(grpcSpanName(headers[':path']), 'client', () => ({
    'rpc.system': 'grpc',
    'server.address': new URL(route.origin as string).hostname,
    'server.port': Number(new URL(route.origin as string).port || 80),
    'gateway.route': route.name,
  }));
  if (clientSpan !== undefined) facts.traceparent = clientSpan.traceparent;
  const endClientSpan = (failure?: string): void => {
    if (clientSpan === undefined) return;
    if (upstreamStatus !== undefined) clientSpan.setAttributes({ 'rpc.grpc.status_code': Number(upstreamStatus) });
    clientSpan.end(failure ?? (upstreamStatus === undefined ? 'no-status' : upstreamStatus === '0' ? undefined : upstreamStatus));
  };
  stream.once('close', () => endClientSpan());

  const out = forwardedRequestHeaders(headers as Record<string, string | string[] | undefined>, facts, REQUEST_PSEUDO) as http2.OutgoingHttpHeaders;
  out[':method'] = headers[':method'];
  out[':path'] = headers[':path'];
  out[':authority'] = route.upstreamHost;
  out[':scheme'] = 'http';
  out.te = 'trailers';

  let upstream: http2.ClientHttp2Stream;
  try {
    const session = deps.pools.h2Session(route.origin as string, config.timeouts.connectMs);
    upstream = session.request(out, { endStream: (flags & NGHTTP2_FLAG_END_STREAM) !== 0 });
  } catch (err) {
    deps.onUpstreamFailure(route, 'connect', err);
    code = GrpcStatus.UNAVAILABLE;
    grpcError(stream, GrpcStatus.UNAVAILABLE, 'upstream unavailable', facts.requestId);
    return;
  }

  let responded = false;
  let trailers: http2.OutgoingHttpHeaders | undefined;
  // headersMs counts from the client's half-close, not from the request: client-streaming and
  // bidi servers often send response headers only once the client has finished sending, and a
  // call that is actively streaming must not be cut for it. Until then the idle timer (no bytes
  // either way for idleMs) is what bounds a stalled call. From the half-close to the response
  // headers the call is silent by design (a unary call thinking: its deadline may exceed the
  // stream idle limit), so the headers timer alone bounds that wait; idle resumes with the response.
  let headersTimer: NodeJS.Timeout | undefined;
  const startHeadersTimer = (): void => {
    if (responded || headersTimer !== undefined || stream.headersSent || stream.closed || stream.destroyed) return;
    stream.setTimeout(0);
    headersTimer = setTimeout(() => {
      if (responded) return;
      deps.onUpstreamFailure(route, 'headers-timeout', new Error('no response headers in time'));
      code = GrpcStatus.DEADLINE_EXCEEDED;
      upstream.close(NGHTTP2_CANCEL);
      grpcError(stream, GrpcStatus.DEADLINE_EXCEEDED, 'upstream timeout', facts.requestId);
    }, config.timeouts.headersMs);
  };

  // Idle: no frames either way for idleMs cancels both streams.
  const idle = (): void => {
    deps.onUpstreamFailure(route, 'idle-timeout', new Error('stream idle'));
    upstream.close(NGHTTP2_CANCEL);
    if (!responded) {
      code = GrpcStatus.DEADLINE_EXCEEDED;
      grpcError(stream, GrpcStatus.DEADLINE_EXCEEDED, 'stream idle timeout', facts.requestId);
    } else stream.close(NGHTTP2_CANCEL);
  };
  stream.setTimeout(config.timeouts.idleMs, idle);

  if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) startHeadersTimer();
  else {
    stream.once('end', startHeadersTimer); // the client half-closed (its last DATA frame)
    stream.pipe(upstream);
  }

  upstream.once('response', (responseHeaders, responseFlags) => {
    responded = true;
    if (headersTimer !== undefined) stream.setTimeout(config.timeouts.idleMs, idle);
    clearTimeout(headersTimer);
    if (stream.destroyed || stream.closed) {
      upstream.close(NGHTTP2_CANCEL);
      return;
    }
    const response = endToEnd(responseHeaders);
    response['x-request-id'] = facts.requestId;
    if ((responseFlags & NGHTTP2_FLAG_END_STREAM) !== 0) {
      // Trailers-only: the status lives in this single header block.
      code = String(responseHeaders['grpc-status'] ?? 'none');
      upstreamStatus = responseHeaders['grpc-status'] as string | undefined;
      stream.respond(response, { endStream: true });
      return;
    }
    stream.respond(response, { waitForTrailers: true });
    upstream.pipe(stream);
  });
  upstream.once('trailers', (upstreamTrailers) => {
    trailers = endToEnd(upstreamTrailers);
    code = String(upstreamTrailers['grpc-status'] ?? 'none');
    upstreamStatus = upstreamTrailers['grpc-status'] as string | undefined;
  });
  stream.once('wantTrailers', () => {
    if (trailers === undefined) {
      code = GrpcStatus.INTERNAL;
      stream.sendTrailers({ 'grpc-status': String(GrpcStatus.INTERNAL), 'grpc-message': 'upstream%20sent%20no%20trailers' });
    } else stream.sendTrailers(trailers);
  });
  upstream.once('error', (err) => {
    clearTimeout(headersTimer);
    if (!responded) {
      deps.onUpstreamFailure(route, 'connect', err);
      code = GrpcStatus.UNAVAILABLE;
      grpcError(stream, GrpcStatus.UNAVAILABLE, 'upstream unavailable', facts.requestId);
    } else {
      deps.onUpstreamFailure(route, 'reset', err);
      stream.close(NGHTTP2_INTERNAL_ERROR);
    }
  });
  upstream.once('close', () => {
    clearTimeout(headersTimer);
    if (stream.closed || stream.destroyed) return;
    const rstCode = upstream.rstCode;
    if (!responded) {
      // Upstream closed or reset the stream before any response headers (e.g. RST_STREAM
      // CANCEL, which raises no 'error'): answer now rather than leave the client to its idle
      // timeout. Already answered (timeout, idle, 'error' handler): headers are sent, nothing to do.
      if (stream.headersSent) return;
      const cancelled = rstCode === NGHTTP2_CANCEL;
      deps.onUpstreamFailure(route, 'reset', new Error(`upstream closed the stream before responding (RST_STREAM code ${rstCode ?? 'none'})`));
      code = cancelled ? GrpcStatus.CANCELLED : GrpcStatus.UNAVAILABLE;
      grpcError(stream, code, cancelled ? 'upstream cancelled the call' : 'upstream unavailable', facts.requestId);
      return;
    }
    // Upstream reset after the response began (RST_STREAM without trailers): reset the client too.
    if (trailers === undefined && rstCode !== undefined && rstCode !== 0) stream.close(rstCode);
  });
  // Client cancelled or went away: cancel upstream.
  stream.once('close', () => {
    clearTimeout(headersTimer);
    if (!upstream.closed) upstream.close(NGHTTP2_CANCEL);
  });
  stream.on('error', () => undefined); // surfaced as 'close'; the upstream is cancelled there
}
