// The gateway: HTTP/1.1 + WebSocket listener, h2c listener for gRPC, admin listener
// (/healthz, /readyz, /metrics), a hot-reloaded route table, and drain on demand.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { compileRoutes, type CompiledRoute, type CompiledTable } from './compiled-routes.ts';
import { ingestEvent } from './events-ingest.ts';
import { clientAddress, type ForwardingFacts } from './forwarded-headers.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import { GrpcStatus, grpcError, proxyGrpc } from './grpc-proxy.ts';
import { sendError } from './error-response.ts';
import { proxyHttp } from './http-proxy.ts';
import { errorFields, type Logger } from './logger.ts';
import { PubSubPublisher } from './pubsub-publisher.ts';
import { admit, type Admission } from './request-admission.ts';
import { JwksCache } from './route-authenticator.ts';
import { DEFAULT_DURATION_BUCKETS_SECONDS, type GatewayRoutes } from './route-table.ts';
import { RouteTableWatcher } from './route-table-watcher.ts';
import { requestIdFor, traceparentFor, validTraceparent } from './trace-context.ts';
import type { Tracing } from './tracing.ts';
import { finishGrpc, finishHttp, grpcServerAttributes, grpcSpanName, httpServerAttributes, httpSpanName, type AccessLog } from './tracing-hooks.ts';
import { UpstreamPools } from './upstream-pools.ts';
import { rejectUpgrade, tunnelWebSocket, type WebSocketTunnel } from './websocket-tunnel.ts';

export interface GatewayOptions {
  routesFile: string;
  host: string;
  httpPort: number;
  grpcPort: number;
  adminPort: number;
  /** After SIGTERM: keep accepting this long (readiness already 503) while endpoints update. */
  drainDelayMs: number;
  /** Then: in-flight requests and streams get this long before everything is destroyed. */
  drainTimeoutMs: number;
  /** Proxies in front whose X-Forwarded-For entries are trusted (0: use the socket peer). */
  trustedHops: number;
  reloadDebounceMs: number;
  upstreamConnections: number;
  keepAliveTimeoutMs: number;
  publishTimeoutMs: number;
  pubsubProjectId: string | undefined;
  jwksCooldownMs: number;
  logger: Logger;
  /** Spans per request (undefined: tracing off, no cost). */
  tracing?: Tracing | undefined;
  /** The Google Cloud project access lines' trace field points into (undefined: field left out). */
  logProject?: string | undefined;
  /** Flushing spans on drain gets what is left of drainTimeoutMs, and at least this long. */
  traceFlushMinMs?: number;
}

export interface Gateway {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly adminPort: number;
  readonly metrics: GatewayMetrics;
  /** Readiness 503, stop accepting, finish in-flight work up to the deadline, release everything. */
  drain(): Promise<void>;
}

function listen(server: http.Server | http2.Http2Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger, tracing } = options;
  const accessLog: AccessLog = { logger, project: options.logProject };
  const metrics = new GatewayMetrics();
  const jwks = new JwksCache({ cooldownMs: options.jwksCooldownMs, cacheMaxAgeMs: 10 * 60_000, timeoutMs: 5_000 });
  const pools = new UpstreamPools({ connections: options.upstreamConnections, keepAliveTimeoutMs: options.keepAliveTimeoutMs });
  const publisher = new PubSubPublisher({ timeoutMs: options.publishTimeoutMs, projectId: options.pubsubProjectId });
  const tunnels = new Set<WebSocketTunnel>();
  const unmatchedHttp = metrics.forRoute('unmatched', 'http');
  const unmatchedGrpc = metrics.forRoute('unmatched', 'grpc');
  let table: CompiledTable | undefined;
  /** Readiness is 503 and keep-alive ends; new work is still accepted during the drain delay. */
  let draining = false;
  /** After the drain delay: no new upgrades or h2c sessions; open WebSockets get 1001. */
  let closing = false;

  const onUpstreamFailure = (route: CompiledRoute, reason: string, err: unknown): void => {
    route.metrics.upstreamError(reason);
    logger.warn('upstream failure', { route: route.name, reason, ...errorFields(err) });
  };
  const tunnelDeps = {
    onUpstreamFailure,
    opened: (tunnel: WebSocketTunnel) => {
      tunnels.add(tunnel);
      metrics.connectionOpened('websocket');
      // An upgrade that was waiting on its upstream when drain closed the others.
      if (closing) tunnel.close(1001, 'gateway shutting down');
    },
    closed: (tunnel: WebSocketTunnel) => {
      if (tunnels.delete(tunnel)) metrics.connectionClosed('websocket');
    },
  };

  const apply = async (routes: GatewayRoutes): Promise<void> => {
    metrics.useDurationBuckets(routes.metrics?.durationBucketsSeconds ?? DEFAULT_DURATION_BUCKETS_SECONDS);
    const next = await compileRoutes(routes, { metrics, jwks, ...(table ? { previous: table } : {}) });
    table = next;
    pools.retainHttp(next.poolKeys);
    metrics.routeTableReload('applied');
    logger.info('route table applied', { file: options.routesFile, routes: next.routes.map((r) => r.name) });
  };
  const watcher = new RouteTableWatcher({
    file: options.routesFile,
    debounceMs: options.reloadDebounceMs,
    apply,
    onRejected: (err) => {
      metrics.routeTableReload('rejected');
      logger.error('route table rejected; previous table keeps serving', { file: options.routesFile, error: err.message });
    },
  });
  await watcher.start();

  const factsFor = (headers: http.IncomingHttpHeaders, remote: string | undefined): ForwardingFacts => {
    const incoming = validTraceparent(headers.traceparent);
    return {
      clientIp: clientAddress(remote, headers['x-forwarded-for'], options.trustedHops),
      peer: remote ?? 'unknown',
      requestId: requestIdFor(headers['x-request-id']),
      traceparent: incoming ?? traceparentFor(undefined),
      incomingTraceparent: incoming,
      span: undefined,
      trustForwardedProto: options.trustedHops > 0,
    };
  };

  // ---- HTTP/1.1 + WebSocket listener ----
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    if (draining) res.shouldKeepAlive = false;
    const facts = factsFor(req.headers, req.socket.remoteAddress);
    const route = table?.http1.match(req.headers.host, req.url ?? '/');
    if (tracing !== undefined) facts.span = tracing.startServer(httpSpanName(req.method, route), facts.incomingTraceparent, () => httpServerAttributes(req, route, facts));
    res.once('close', () => finishHttp(accessLog, req, facts, route, res.headersSent ? res.statusCode : 0, !res.writableFinished, performance.now() - started));
    if (route === undefined) {
      sendError(res, 404, 'no route', facts.requestId);
      unmatchedHttp.observe(404, (performance.now() - started) / 1000);
      return;
    }
    if (route.kind === 'websocket') {
      sendError(res, 426, 'websocket upgrade required', facts.requestId, { upgrade: 'websocket' });
      route.metrics.observe(426, (performance.now() - started) / 1000);
      return;
    }
    const proceed = (admission: Admission): void => {
      if (!admission.ok) {
        sendError(res, admission.status, admission.error, facts.requestId, admission.headers, req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
        route.metrics.observe(admission.status, (performance.now() - started) / 1000);
        return;
      }
      if (route.kind === 'events') {
        void ingestEvent(req, res, route, facts, publisher, onUpstreamFailure, started);
      } else {
        proxyHttp(req, res, route, facts, { pools, onUpstreamFailure }, started);
      }
    };
    const admission = admit(route, (name) => req.headers[name], facts.clientIp);
    if (admission instanceof Promise) admission.then(proceed, () => sendError(res, 500, 'internal error', facts.requestId));
    else proceed(admission);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const started = performance.now();
    socket.on('error', () => socket.destroy()); // an unhandled socket error must not crash the process
    // Upgrade sockets are half-open capable: a client that leaves mid-auth may only send a FIN.
    const leftEarly = (): void => {
      socket.destroy();
    };
    socket.once('end', leftEarly);
    if (closing) {
      rejectUpgrade(socket, 503, 'draining', { 'retry-after': '1' });
      return;
    }
    const facts = factsFor(req.headers, req.socket.remoteAddress);
    const route = table?.http1.match(req.headers.host, req.url ?? '/');
    if (tracing !== undefined) facts.span = tracing.startServer(httpSpanName(req.method, route), facts.incomingTraceparent, () => httpServerAttributes(req, route, facts));
    // The handshake's outcome (101 or a refusal) ends the server span and writes the access line;
    // the session after a 101 is the tunnel's, measured by its metrics.
    let handshakeDone = false;
    const handshake = (status: number): void => {
      if (handshakeDone) return;
      handshakeDone = true;
      finishHttp(accessLog, req, facts, route, status, status === 0, performance.now() - started);
    };
    socket.once('close', () => handshake(0));
    if (route === undefined || route.kind !== 'websocket' || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      handshake(404);
      rejectUpgrade(socket, 404, 'no websocket route', { 'x-request-id': facts.requestId });
      unmatchedHttp.observe(404, (performance.now() - started) / 1000);
      return;
    }
    const proceed = (admission: Admission): void => {
      if (!admission.ok) {
        handshake(admission.status);
        rejectUpgrade(socket, admission.status, admission.error, { ...admission.headers, 'x-request-id': facts.requestId });
        route.metrics.observe(admission.status, (performance.now() - started) / 1000);
        return;
      }
      if (socket.destroyed) {
        route.metrics.observe('aborted', (performance.now() - started) / 1000);
        return;
      }
      socket.removeListener('end', leftEarly); // from here the tunnel handles a half-close
      tunnelWebSocket(req, socket, head, route, facts, tunnelDeps, started, handshake);
    };
    const admission = admit(route, (name) => req.headers[name], facts.clientIp);
    if (admission instanceof Promise)
      admission.then(proceed, () => {
        handshake(503);
        rejectUpgrade(socket, 503, 'internal error');
      });
    else proceed(admission);
  };

  // requestTimeout 0: it bounds receiving the whole request, body included, and would cut long
  // uploads in progress; stalled bodies are cut per route by the body idle timer (http-proxy.ts).
  // headersTimeout (checked every 5 s) bounds the header phase, which Node leaves unbounded when
  // requestTimeout is 0.
  const httpServer = http.createServer(
    { keepAliveTimeout: options.keepAliveTimeoutMs, requestTimeout: 0, headersTimeout: 30_000, connectionsCheckingInterval: 5_000 },
    onRequest,
  );
  httpServer.on('upgrade', onUpgrade);
  httpServer.on('connection', (socket) => {
    metrics.connectionOpened('http');
    socket.once('close', () => metrics.connectionClosed('http'));
  });
  httpServer.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    socket.destroy();
  });

  // ---- h2c listener (gRPC) ----
  const sessions = new Set<http2.ServerHttp2Session>();
  const h2Server = http2.createServer();
  h2Server.on('session', (session) => {
    sessions.add(session);
    metrics.connectionOpened('h2c');
    session.once('close', () => {
      sessions.delete(session);
      metrics.connectionClosed('h2c');
    });
    session.on('error', () => undefined); // the session's streams observe the failure
    if (closing) session.close();
  });
  h2Server.on('stream', (stream, headers, flags) => {
    const started = performance.now();
    const facts = factsFor(headers as http.IncomingHttpHeaders, stream.session?.socket?.remoteAddress);
    // HTTP/2 proxies (nginx's grpc_pass) may send `host` instead of `:authority` (RFC 9113 §8.3.1).
    const route = table?.h2c.match(headers[':authority'] ?? headers.host, headers[':path'] ?? '/');
    if (tracing !== undefined) facts.span = tracing.startServer(grpcSpanName(headers[':path']), facts.incomingTraceparent, () => grpcServerAttributes(headers, route, facts));
    stream.once('close', () => finishGrpc(accessLog, stream, headers, facts, route, performance.now() - started));
    if (route === undefined) {
      grpcError(stream, GrpcStatus.UNIMPLEMENTED, 'no route', facts.requestId);
      unmatchedGrpc.observe(GrpcStatus.UNIMPLEMENTED, (performance.now() - started) / 1000);
      return;
    }
    const proceed = (admission: Admission): void => {
      if (!admission.ok) {
        const status = admission.status === 429 ? GrpcStatus.RESOURCE_EXHAUSTED : admission.status === 503 ? GrpcStatus.UNAVAILABLE : GrpcStatus.UNAUTHENTICATED;
        grpcError(stream, status, admission.error, facts.requestId, admission.headers);
        route.metrics.observe(status, (performance.now() - started) / 1000);
        return;
      }
      proxyGrpc(stream, headers, flags, route, facts, { pools, onUpstreamFailure }, started);
    };
    const admission = admit(route, (name) => headers[name], facts.clientIp);
    if (admission instanceof Promise) admission.then(proceed, () => grpcError(stream, GrpcStatus.INTERNAL, 'internal error', facts.requestId));
    else proceed(admission);
  });

  // ---- admin listener ----
  const adminServer = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = table !== undefined && !draining;
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'draining\n');
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: unknown) => {
          logger.error('metrics failed', errorFields(err));
          res.writeHead(500).end();
        },
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });

  const [httpPort, grpcPort, adminPort] = await Promise.all([
    listen(httpServer, options.httpPort, options.host),
    listen(h2Server, options.grpcPort, options.host),
    listen(adminServer, options.adminPort, options.host),
  ]);
  logger.info('gateway listening', { host: options.host, httpPort, grpcPort, adminPort });

  let drained: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    draining = true;
    logger.info('draining', { drainDelayMs: options.drainDelayMs, drainTimeoutMs: options.drainTimeoutMs, websockets: tunnels.size });
    if (options.drainDelayMs > 0) await sleep(options.drainDelayMs);
    closing = true;
    const closingStarted = performance.now();
    const httpClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    const h2Closed = new Promise<void>((resolve) => h2Server.close(() => resolve()));
    for (const session of sessions) session.close(); // GOAWAY; open streams run to completion
    for (const tunnel of tunnels) tunnel.close(1001, 'gateway shutting down');
    httpServer.closeIdleConnections();
    const idleSweep = setInterval(() => httpServer.closeIdleConnections(), 50);
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.all([httpClosed, h2Closed]).then(() => false),
      new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(true), options.drainTimeoutMs);
      }),
    ]);
    clearTimeout(deadline);
    clearInterval(idleSweep);
    if (timedOut) {
      logger.warn('drain deadline reached; closing remaining connections', { websockets: tunnels.size, h2Sessions: sessions.size });
      httpServer.closeAllConnections();
      for (const session of sessions) session.destroy();
      for (const tunnel of tunnels) tunnel.destroy();
    }
    watcher.close();
    await Promise.all([publisher.close(), pools.close(), new Promise<void>((resolve) => adminServer.close(() => resolve()))]);
    adminServer.closeAllConnections();
    // Spans still queued are exported within what is left of the drain budget (at least
    // traceFlushMinMs: the pod's grace period holds a margin beyond the drain timeout).
    let tracesFlushed: boolean | undefined;
    if (tracing !== undefined) {
      const left = closingStarted + options.drainTimeoutMs - performance.now();
      tracesFlushed = await tracing.shutdown(Math.max(options.traceFlushMinMs ?? 1_000, left));
      if (!tracesFlushed) logger.warn('trace flush ran out of time; queued spans dropped');
    }
    logger.info('drained', { timedOut, ...(tracesFlushed !== undefined ? { tracesFlushed } : {}) });
  };

  return {
    httpPort,
    grpcPort,
    adminPort,
    metrics,
    drain: () => (drained ??= drain()),
  };
}
