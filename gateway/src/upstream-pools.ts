// Keep-alive connection pools to upstreams: undici Pools for HTTP/1.1 (pipelining 1) and one
// multiplexed HTTP/2 session per origin for gRPC. Pools outlive route table reloads.
import http2 from 'node:http2';
import { Pool } from 'undici';

export class UpstreamPools {
  private readonly http = new Map<string, Pool>();
  private readonly h2 = new Map<string, http2.ClientHttp2Session>();

  constructor(private readonly options: { connections: number; keepAliveTimeoutMs: number }) {}

  /** Key: origin + connect timeout (undici sets the connect timeout per pool). */
  httpPool(origin: string, connectMs: number): Pool {
    const key = `${origin} ${connectMs}`;
    let pool = this.http.get(key);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: this.options.connections,
        pipelining: 1,
        connectTimeout: connectMs,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        keepAliveMaxTimeout: this.options.keepAliveTimeoutMs,
      });
      this.http.set(key, pool);
    }
    return pool;
  }

  h2Session(origin: string, connectMs: number): http2.ClientHttp2Session {
    const existing = this.h2.get(origin);
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const session = http2.connect(origin);
    this.h2.set(origin, session);
    const forget = (): void => {
      if (this.h2.get(origin) === session) this.h2.delete(origin);
    };
    const timer = setTimeout(() => {
      const err = Object.assign(new Error(`connect timeout after ${connectMs} ms`), { code: 'CONNECT_TIMEOUT' });
      session.destroy(err);
    }, connectMs);
    timer.unref();
    session.once('connect', () => clearTimeout(timer));
    session.once('close', () => {
      clearTimeout(timer);
      forget();
    });
    session.once('goaway', forget);
    session.on('error', forget); // the error reaches the streams too; they answer UNAVAILABLE
    session.unref();
    return session;
  }

  /** Closes pools whose key is not in `keep` (after a reload), letting in-flight requests finish. */
  retainHttp(keep: Set<string>): void {
    for (const [key, pool] of this.http) {
      if (!keep.has(key)) {
        this.http.delete(key);
        pool.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    const pools = [...this.http.values()];
    this.http.clear();
    for (const session of this.h2.values()) session.destroy();
    this.h2.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
