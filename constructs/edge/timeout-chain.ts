/**
 * The timeout chain: for every route each hop outside times out later than the hop inside
 * (GLB ≥ Nginx ≥ Kong/gateway ≥ service), so a client gets a clean 504 from the innermost
 * proxy that gives up, never a connection cut by an outer hop (DESIGN.md §5).
 */
import type { Service } from '../../environments/schema.ts';
import { GLB_MAX_TIMEOUT_SEC, HOP_MARGIN_SEC } from '../../environments/timeout-defaults.ts';

export const HOPS = ['service', 'proxy', 'nginx', 'glb'] as const;
export type Hop = (typeof HOPS)[number];

export interface HopTimeouts {
  /** Whole request (HTTP/unary) or, for streams, the longest a stream may live. */
  readonly totalSec: number;
  /** Longest silence this hop tolerates on an open stream. */
  readonly idleSec: number;
  /**
   * Longest wait for the first response byte (HTTP: the whole request; gRPC: a unary call's
   * deadline; WebSocket/SSE: the handshake) — what a proxy's header/read timeout must cover.
   */
  readonly firstByteSec: number;
}

export type TimeoutChain = Readonly<Record<Hop, HopTimeouts>>;

/**
 * Derives every hop's timeouts from the service's own. The GLB's `timeoutSec` is a
 * WebSocket's whole lifetime (not idle), so it is derived from maxStreamSec for streams.
 */
export function timeoutChain(svc: Pick<Service, 'protocol' | 'timeouts'>): TimeoutChain {
  const { requestSec, idleSec, maxStreamSec } = svc.timeouts;
  const total = svc.protocol === 'http' ? requestSec : maxStreamSec;
  const at = (hopIndex: number): HopTimeouts => ({
    totalSec: total + HOP_MARGIN_SEC * hopIndex,
    idleSec: idleSec + HOP_MARGIN_SEC * hopIndex,
    firstByteSec: requestSec + HOP_MARGIN_SEC * hopIndex,
  });
  const chain = { service: at(0), proxy: at(1), nginx: at(2), glb: at(3) };
  if (chain.glb.totalSec > GLB_MAX_TIMEOUT_SEC) {
    throw new Error(`timeout chain exceeds the GLB ceiling of ${GLB_MAX_TIMEOUT_SEC} s (${chain.glb.totalSec} s)`);
  }
  return chain;
}
