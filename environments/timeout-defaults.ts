/**
 * Per-protocol timeout defaults and the bounds the edge chain imposes on them.
 * The chain itself (GLB ≥ Nginx ≥ Kong/gateway ≥ service) is derived in
 * constructs/edge/timeout-chain.ts; these are the numbers both sides agree on.
 */
import type { Protocol } from './schema.ts';

export interface Timeouts {
  /** Whole request/response (HTTP), unary deadline (gRPC), or handshake (WebSocket/SSE). */
  readonly requestSec: number;
  /** Longest silence on an open stream before a hop may cut it. */
  readonly idleSec: number;
  /** Longest life of one stream (WebSocket, SSE, gRPC stream); for plain HTTP = requestSec. */
  readonly maxStreamSec: number;
}

export const TIMEOUT_DEFAULTS: Readonly<Record<Protocol, Timeouts>> = {
  http: { requestSec: 30, idleSec: 30, maxStreamSec: 30 },
  grpc: { requestSec: 30, idleSec: 300, maxStreamSec: 3600 },
  websocket: { requestSec: 10, idleSec: 300, maxStreamSec: 3600 },
  sse: { requestSec: 10, idleSec: 120, maxStreamSec: 3600 },
};

/** The GLB backend service's `timeoutSec` ceiling (it is a WebSocket's whole lifetime). */
export const GLB_MAX_TIMEOUT_SEC = 86_400;
/** Each hop outside waits this much longer than the hop inside it. */
export const HOP_MARGIN_SEC = 5;
/** Hops outside the service: gateway/Kong, Nginx, GLB. */
export const HOPS_OUTSIDE_SERVICE = 3;
/** Longest stream a service may declare so that the GLB still sits inside its ceiling. */
export const MAX_SERVICE_STREAM_SEC = GLB_MAX_TIMEOUT_SEC - HOP_MARGIN_SEC * HOPS_OUTSIDE_SERVICE;
