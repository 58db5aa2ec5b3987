// HTTP/1.1 and SSE proxying over undici keep-alive pools. SSE responses are flushed chunk
// by chunk: no buffering, no compression, `X-Accel-Buffering: no` for any nginx downstream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { BodyTooLargeError, ByteLimit, type BodyIdleTimeoutError } from './body-limit.ts';
import type { CompiledRoute } from './compiled-routes.ts';
import { forwardedRequestHeaders, type ForwardingFacts } from './forwarded-headers.ts';
import { endToEndResponseHeaders } from './hop-by-hop.ts';
import type { UpstreamPools } from './upstream-pools.ts';
import { sendError } from './error-response.ts';
import type { ClientSpan } from './tracing.ts';
import { endHttpClientSpan, startHttpClientSpan } from './tracing-hooks.ts';

export interface HttpProxyDeps {
  pools: UpstreamPools;
  onUpstreamFailure: (route: CompiledRoute, reason: string, err: unknown) => void;
}

function upstreamFailure(err: unknown): { status: number; reason: string } {
  const code = (err as { code?: unknown }).code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { status: 504, reason: 'connect-timeout' };
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { status: 504, reason: 'headers-timeout' };
    case 'UND_ERR_BODY_TIMEOUT':
      return { status: 504, reason: 'idle-timeout' };
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
      return { status: 502, reason: 'connect' };
    default:
      return { status: 502, reason: 'reset' };
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/**
 * One proxied exchange as an undici dispatch handler: no promise, no async-resource binding,
 * response chunks written straight to the client with backpressure (pause/resume).
 */
class ProxyExchange implements Dispatcher.DispatchHandler {
  private status = 0;
  private controller: Dispatcher.DispatchController | undefined;
  private clientGone = false;
  /** The gateway already answered (or cut) the client itself: later upstream callbacks are moot. */
  private settled = false;
  /** The request body stream (ByteLimit), when there is one. */
  body: ByteLimit | null = null;
  /** The upstream call's span, when tracing is on. */
  span: ClientSpan | undefined;
  private spanEnded = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly route: CompiledRoute,
    private readonly requestId: string,
    private readonly hasRequestBody: boolean,
    private readonly deps: HttpProxyDeps,
    private readonly started: number,
  ) {
    // Client gone before the response finished (possibly while still queued for a pool
    // connection): abort upstream, so no pool connection stays paused on a dead client.
    res.once('close', () => {
      if (res.writableFinished) return;
      this.clientGone = true;
      this.abort();
    });
  }

  private endSpan(status: number, failure?: string): void {
    if (this.span === undefined || this.spanEnded) return;
    this.spanEnded = true;
    endHttpClientSpan(this.span, status, failure);
  }

  private abort(reason: Error = new Error('client closed')): void {
    const controller = this.controller;
    if (controller !== undefined && !controller.aborted) controller.abort(reason);
  }

  /**
   * The client stopped sending its body for idleMs: free the upstream connection (abort the
   * dispatch; a still-queued one is dropped when it reaches a connection, since its body is
   * destroyed) and answer 408 with `connection: close`, or cut the client if a response began.
   */
  bodyIdle(err: BodyIdleTimeoutError): void {
    if (this.settled || this.clientGone) return;
    this.settled = true;
    const { res, route } = this;
    const elapsed = (performance.now() - this.started) / 1000;
    if (!res.headersSent && !res.destroyed) {
      sendError(res, 408, 'request body idle timeout', this.requestId, undefined, true);
      route.metrics.observe(408, elapsed);
    } else if (!res.writableFinished) {
      res.destroy();
      route.metrics.observe('aborted', elapsed);
    }
    this.abort(err);
    this.body?.destroy(err);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) this.abort();
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200 || this.clientGone || this.settled) return; // 1xx informational: not forwarded
    this.status = statusCode;
    const out = endToEndResponseHeaders(headers);
    out['x-request-id'] = this.requestId;
    const res = this.res;
    if (this.route.kind === 'sse') {
      out['x-accel-buffering'] = 'no';
      if (out['cache-control'] === undefined) out['cache-control'] = 'no-cache';
      res.writeHead(statusCode, out);
      res.flushHeaders();
    } else {
      res.writeHead(statusCode, out);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.clientGone || this.settled) return;
    this.body?.touch(); // response bytes flowing: the exchange is not idle while the upload continues
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.endSpan(this.status);
    if (this.settled) return;
    if (this.clientGone) {
      this.route.metrics.observe('aborted', (performance.now() - this.started) / 1000);
      return;
    }
    this.res.end();
    this.route.metrics.observe(this.status, (performance.now() - this.started) / 1000);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.endSpan(this.status, upstreamFailure(err).reason);
    if (this.settled) return;
    const { req, res, route, requestId } = this;
    const elapsed = (performance.now() - this.started) / 1000;
    if (err instanceof BodyTooLargeError || (err as { cause?: unknown }).cause instanceof BodyTooLargeError) {
      sendError(res, 413, 'request body too large', requestId, undefined, true);
      route.metrics.observe(413, elapsed);
      return;
    }
    if (res.headersSent) {
      // Mid-response failure (upstream reset, idle timeout, client gone): cut, never fake an end.
      if (!res.writableFinished) {
        if (!res.destroyed) this.deps.onUpstreamFailure(route, upstreamFailure(err).reason, err);
        res.destroy();
        route.metrics.observe('aborted', elapsed);
      }
      return;
    }
    if (req.destroyed || res.destroyed) {
      route.metrics.observe('aborted', elapsed);
      return;
    }
    const failure = upstreamFailure(err);
    this.deps.onUpstreamFailure(route, failure.reason, err);
    sendError(res, failure.status, failure.status === 504 ? 'upstream timeout' : 'upstream unavailable', requestId, undefined, this.hasRequestBody && !req.readableEnded);
    route.metrics.observe(failure.status, elapsed);
  }
}

export function proxyHttp(req: IncomingMessage, res: ServerResponse, route: CompiledRoute, facts: ForwardingFacts, deps: HttpProxyDeps, started: number): void {
  const config = route.config;
  const limit = config.maxBodyBytes;
  const withBody = hasBody(req);
  if (withBody && Number(req.headers['content-length']) > limit) {
    sendError(res, 413, 'request body too large', facts.requestId, undefined, true);
    route.metrics.observe(413, (performance.now() - started) / 1000);
    return;
  }
  const exchange = new ProxyExchange(req, res, route, facts.requestId, withBody, deps, started);
  let body: ByteLimit | null = null;
  if (withBody) {
    // Body idle guard: the server runs with requestTimeout 0 (gateway.ts; it would bound the
    // whole upload and cut long legitimate ones) and undici's headersTimeout only starts once
    // the body is fully sent, so without this a client that sends a chunk and goes quiet holds
    // an upstream pool connection forever. No body bytes for the route's idleMs → 408.
    body = req.pipe(new ByteLimit(limit, { idleMs: config.timeouts.idleMs, onIdle: (err) => exchange.bodyIdle(err) }));
    exchange.body = body;
    // pipe() does not forward errors: a client abort must fail the upstream request too.
    req.once('aborted', () => body?.destroy(new Error('client aborted')));
  }
  exchange.span = startHttpClientSpan(facts, route, req.method ?? 'GET', req.url ?? '/');
  const pool = deps.pools.httpPool(route.origin as string, config.timeouts.connectMs);
  pool.dispatch(
    {
      origin: route.origin as string,
      path: req.url ?? '/',
      method: req.method as Dispatcher.HttpMethod,
      headers: forwardedRequestHeaders(req.headers, facts),
      body,
      headersTimeout: config.timeouts.headersMs,
      bodyTimeout: config.timeouts.idleMs,
    },
    exchange,
  );
}
