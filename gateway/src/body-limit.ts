// Request body size limit enforced on the bytes actually streamed (a missing or lying
// Content-Length does not get past it); Content-Length is checked up front as a shortcut.
import { performance } from 'node:perf_hooks';
import { Transform, type TransformCallback } from 'node:stream';

export class BodyTooLargeError extends Error {
  readonly code = 'BODY_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** The client sent no request-body bytes for `idleMs` while the gateway was ready for more. */
export class BodyIdleTimeoutError extends Error {
  readonly code = 'BODY_IDLE_TIMEOUT';
  constructor(readonly idleMs: number) {
    super(`no request body bytes for ${idleMs} ms`);
  }
}

export interface BodyIdleGuard {
  idleMs: number;
  /** Called once when the body stalls; the caller aborts the exchange (the stream is left as is). */
  onIdle: (err: BodyIdleTimeoutError) => void;
}

/**
 * Byte limit, plus (optionally) an idle guard on the body: a client that stops sending for
 * `idleMs` must not hold an upstream connection forever. Activity is a chunk arriving or the
 * consumer asking for more; while chunks wait for the consumer (upstream slow, or the request
 * still queued for a pool connection) the client is not the one stalling, so the clock rests.
 * One timer per body, re-armed lazily from a timestamp (no timer churn per chunk); it stops when
 * the body ends or the stream is destroyed.
 */
export class ByteLimit extends Transform {
  private seen = 0;
  private lastActivity = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly idle?: BodyIdleGuard,
  ) {
    super();
    if (idle !== undefined && idle.idleMs > 0) {
      this.lastActivity = performance.now();
      this.armIdle(idle.idleMs);
    }
  }

  /** Marks activity on the exchange (also usable by the owner, e.g. for response bytes). */
  touch(): void {
    if (this.idleTimer !== undefined) this.lastActivity = performance.now();
  }

  private armIdle(ms: number): void {
    this.idleTimer = setTimeout(() => this.checkIdle(), ms);
    this.idleTimer.unref();
  }

  private checkIdle(): void {
    const idle = this.idle as BodyIdleGuard;
    this.idleTimer = undefined;
    if (this.destroyed || this.writableFinished) return;
    if (this.readableLength > 0 || this.writableLength > 0) {
      // Bytes are waiting for the consumer: the stall is not the client's.
      this.lastActivity = performance.now();
      this.armIdle(idle.idleMs);
      return;
    }
    const remaining = this.lastActivity + idle.idleMs - performance.now();
    if (remaining > 0) {
      this.armIdle(Math.ceil(remaining));
      return;
    }
    idle.onIdle(new BodyIdleTimeoutError(idle.idleMs));
  }

  private stopIdle(): void {
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.touch();
    this.seen += chunk.length;
    if (this.seen > this.limit) callback(new BodyTooLargeError(this.limit));
    else callback(null, chunk);
  }

  override _read(size: number): void {
    this.touch();
    super._read(size);
  }

  override _flush(callback: TransformCallback): void {
    this.stopIdle(); // the whole body arrived: headersMs / idleMs of the response take over
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.stopIdle();
    super._destroy(err, callback);
  }
}

/** Collects a whole body up to `limit` bytes; rejects with BodyTooLargeError past it. */
/**
 * Collects a whole body up to `limit` bytes; rejects with BodyTooLargeError past it, and with
 * BodyIdleTimeoutError when no byte arrives for `idleMs` (0: no idle limit).
 */
export function readBodyLimited(stream: NodeJS.ReadableStream & { destroy(): void }, limit: number, idleMs = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let idleTimer: NodeJS.Timeout | undefined;
    const rearm = (): void => {
      if (idleMs <= 0) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        stream.removeAllListeners('data');
        reject(new BodyIdleTimeoutError(idleMs));
      }, idleMs);
      idleTimer.unref();
    };
    rearm();
    stream.once('close', () => clearTimeout(idleTimer));
    stream.on('data', (chunk: Buffer) => {
      rearm();
      size += chunk.length;
      if (size > limit) {
        clearTimeout(idleTimer);
        stream.removeAllListeners('data');
        stream.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => {
      clearTimeout(idleTimer);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    stream.once('error', (err) => {
      clearTimeout(idleTimer);
      reject(err);
    });
  });
}
