// WebSocket tunnelling at the byte level: the upgrade request goes upstream with its
// Sec-WebSocket-* fields (so the upstream's 101 is valid for the client as is); a refusal is
// passed back and nothing stays open; after 101 both sockets are piped with backpressure.
// Teardown destroys both sockets as soon as either closes or fails (no half-open CLOSE_WAIT).
// Frames are not parsed, except for header boundaries upstream→client, so that a drain can
// put a 1001 close frame between two frames.
import http, { type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { CompiledRoute } from './compiled-routes.ts';
import { forwardedRequestHeaders, type ForwardingFacts } from './forwarded-headers.ts';
import { endHttpClientSpan, startHttpClientSpan } from './tracing-hooks.ts';
import { WsFrameCursor, serverCloseFrame } from './ws-frame-cursor.ts';

const CLOSE_GRACE_MS = 1_000;
const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** Answers an upgrade request with a plain HTTP response, then destroys the socket once flushed. */
export function rejectUpgrade(socket: Duplex, status: number, error: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error });
  let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(`${head}\r\n${body}`);
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
}

export interface TunnelDeps {
  onUpstreamFailure: (route: CompiledRoute, reason: string, err: unknown) => void;
  opened: (tunnel: WebSocketTunnel) => void;
  closed: (tunnel: WebSocketTunnel) => void;
}

export class WebSocketTunnel {
  private finished = false;
  private closeRequested: Buffer | undefined;
  private closeSent = false;
  private readonly cursor = new WsFrameCursor();
  /** Client → upstream frames, only to see a close frame: a session that ends without one either way was cut (1006). */
  private readonly clientCursor = new WsFrameCursor();

  constructor(
    private readonly client: Duplex,
    private readonly upstream: Socket,
    private readonly route: CompiledRoute,
    private readonly started: number,
    private readonly deps: TunnelDeps,
  ) {
    const teardown = (): void => this.destroy();
    client.once('close', teardown);
    upstream.once('close', teardown);
    // Sockets are half-open capable: a FIN from one side only emits 'end'. Pass it on, then make
    // sure both sockets are gone shortly after, so no half-closed pair lingers until idleMs.
    const halfClosed = (other: Duplex): void => {
      other.end();
      setTimeout(teardown, CLOSE_GRACE_MS).unref();
    };
    client.once('end', () => halfClosed(upstream));
    upstream.once('end', () => halfClosed(client));
    client.on('error', teardown);
    upstream.on('error', (err) => {
      if (!this.finished) deps.onUpstreamFailure(route, 'reset', err);
      this.destroy();
    });
    // client → upstream: a plain pipe (backpressure included), never ending the other side.
    client.pipe(upstream, { end: false });
    client.on('data', (chunk: Buffer) => {
      if (!this.clientCursor.closeSeen) this.clientCursor.advance(chunk);
    });
    // upstream → client: same backpressure, plus frame boundary tracking.
    upstream.on('data', (chunk: Buffer) => this.forward(chunk));
    // Idle: no bytes either way (every byte crosses the client socket) for idleMs.
    // The upgrade hands us the net.Socket typed as a Duplex.
    (client as Socket).setTimeout(route.config.timeouts.idleMs, () => this.close(1001, 'idle timeout'));
    deps.opened(this);
  }

  private forward(chunk: Buffer): void {
    if (this.closeSent) return; // nothing may follow our close frame
    if (this.closeRequested !== undefined) {
      const boundary = this.cursor.advance(chunk, true);
      if (boundary >= 0) {
        if (boundary > 0) this.client.write(chunk.subarray(0, boundary));
        this.sendClose();
        return;
      }
    } else {
      this.cursor.advance(chunk);
    }
    if (!this.client.write(chunk)) {
      this.upstream.pause();
      this.client.once('drain', () => this.upstream.resume());
    }
  }

  private sendClose(): void {
    if (this.closeSent || this.closeRequested === undefined) return;
    this.closeSent = true;
    this.client.write(this.closeRequested);
    // The client answers with its close frame (it reaches the upstream through the pipe) and
    // closes; if it does not, both sides are destroyed after the grace period.
    setTimeout(() => this.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Sends the client a close frame (1001 on drain) at the next frame boundary. */
  close(code: number, reason: string): void {
    if (this.finished || this.closeRequested !== undefined) return;
    this.closeRequested = serverCloseFrame(code, reason);
    if (this.cursor.atBoundary) this.sendClose();
    else setTimeout(() => this.destroy(), CLOSE_GRACE_MS).unref();
  }

  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
    if (this.finished) return;
    this.finished = true;
    // 101: the session ended with a close handshake (either side's, or ours on drain or idle);
    // aborted: the sockets went away without one — what a client sees as 1006, the stream SLI's error.
    const closedCleanly = this.closeSent || this.cursor.closeSeen || this.clientCursor.closeSeen;
    this.route.metrics.observe(closedCleanly ? 101 : 'aborted', (performance.now() - this.started) / 1000);
    this.deps.closed(this);
  }
}

/** Request fields the upgrade must carry although they are hop-by-hop. */
const UPGRADE_FIELDS = { connection: 'Upgrade', upgrade: 'websocket' } as const;

export function tunnelWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  route: CompiledRoute,
  facts: ForwardingFacts,
  deps: TunnelDeps,
  started: number,
  /** The handshake's outcome: 101, the status the client was refused with, or 0 (client gone). */
  onHandshake: (status: number) => void = () => undefined,
): void {
  if (socket.destroyed) return; // the client left while it was being authenticated
  const config = route.config;
  const clientSpan = startHttpClientSpan(facts, route, 'GET', req.url ?? '/');
  const headers = forwardedRequestHeaders(req.headers, facts);
  Object.assign(headers, UPGRADE_FIELDS);
  const target = new URL(route.origin as string);
  const upReq = http.request({
    host: target.hostname,
    port: target.port === '' ? 80 : Number(target.port),
    method: 'GET',
    path: req.url ?? '/',
    headers,
    agent: false,
  });
  let settled = false;
  const timer = setTimeout(() => {
    fail(504, 'upstream timeout', 'connect-timeout', new Error(`no upgrade within ${config.timeouts.connectMs + config.timeouts.headersMs} ms`));
  }, config.timeouts.connectMs + config.timeouts.headersMs);
  const fail = (status: number, error: string, reason: string, err: unknown): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    deps.onUpstreamFailure(route, reason, err);
    route.metrics.observe(status, (performance.now() - started) / 1000);
    endHttpClientSpan(clientSpan, reason === 'refused-upgrade' ? status : 0, reason === 'refused-upgrade' ? undefined : reason);
    onHandshake(status);
    upReq.destroy();
    rejectUpgrade(socket, status, error, { 'x-request-id': facts.requestId });
  };
  // Client gone before the upstream answered: abandon the upstream attempt.
  const clientGone = (): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    upReq.destroy();
    endHttpClientSpan(clientSpan, 0, 'client-gone');
  };
  socket.once('close', clientGone);
  socket.on('error', clientGone);
  socket.once('end', clientGone);

  upReq.once('response', (res) => {
    // The upstream refused the upgrade: pass its status back, keep nothing open.
    const status = res.statusCode ?? 502;
    res.resume();
    res.socket.destroy();
    fail(status >= 400 && status <= 599 ? status : 502, 'upstream refused the upgrade', 'refused-upgrade', new Error(`upstream answered ${status}`));
  });
  upReq.once('error', (err) => fail(502, 'upstream unavailable', 'connect', err));
  upReq.once('upgrade', (res, upstream, upstreamHead) => {
    if (settled || socket.destroyed) {
      if (!settled) endHttpClientSpan(clientSpan, 101);
      settled = true;
      clearTimeout(timer);
      upstream.destroy();
      return;
    }
    settled = true;
    clearTimeout(timer);
    endHttpClientSpan(clientSpan, 101);
    onHandshake(101);
    socket.removeListener('close', clientGone);
    socket.removeListener('error', clientGone);
    socket.removeListener('end', clientGone);
    upReq.removeAllListeners('error');
    let response = `HTTP/1.1 101 ${res.statusMessage ?? 'Switching Protocols'}\r\n`;
    const raw = res.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) response += `${raw[i] as string}: ${raw[i + 1] as string}\r\n`;
    response += `x-request-id: ${facts.requestId}\r\n\r\n`;
    upstream.setNoDelay(true);
    upstream.setTimeout(0);
    socket.write(response);
    if (head.length > 0) upstream.write(head);
    new WebSocketTunnel(socket, upstream, route, started, deps);
    // Bytes the upstream sent right after its 101 go through the tunnel's frame tracking too.
    if (upstreamHead.length > 0) upstream.emit('data', upstreamHead);
  });
  upReq.end();
}
