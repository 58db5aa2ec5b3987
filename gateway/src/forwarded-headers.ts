// Request headers as they leave the gateway: hop-by-hop fields removed, X-Forwarded-*
// appended, traceparent and x-request-id set, Host left to the upstream client.
import type { IncomingHttpHeaders } from 'node:http';
import { connectionTokens, isAlwaysHopByHop } from './hop-by-hop.ts';
import type { ServerSpan } from './tracing.ts';

/**
 * Fields the gateway sets itself (or that the upstream client sets) and so never copies.
 * `expect: 100-continue` was already answered to the client by the HTTP server.
 */
const REPLACED = new Set(['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'traceparent', 'x-request-id', 'content-length', 'expect']);

export interface ForwardingFacts {
  /** The client as far as trusted proxies tell (rate-limit key, logs). */
  clientIp: string;
  /** The address this connection came from: what our hop appends to X-Forwarded-For. */
  peer: string;
  requestId: string;
  /** The traceparent sent upstream (with tracing on: the gateway's client span, set by the proxy). */
  traceparent: string;
  /** The caller's traceparent when it was valid: the trace this request continues. */
  incomingTraceparent: string | undefined;
  /** The gateway's server span for this request, when tracing is on. */
  span: ServerSpan | undefined;
  /** Whether an incoming X-Forwarded-Proto is trusted (a proxy we trust is in front). */
  trustForwardedProto: boolean;
}

export function forwardedRequestHeaders(
  headers: IncomingHttpHeaders,
  facts: ForwardingFacts,
  skip?: ReadonlySet<string>,
): Record<string, string | string[]> {
  const named = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || isAlwaysHopByHop(name) || REPLACED.has(name)) continue;
    if (named !== undefined && named.has(name)) continue;
    if (skip !== undefined && skip.has(name)) continue;
    out[name] = value;
  }
  const xff = headers['x-forwarded-for'];
  // Each proxy appends the address it received the connection from (not its guess at the client).
  out['x-forwarded-for'] = typeof xff === 'string' && xff !== '' ? `${xff}, ${facts.peer}` : facts.peer;
  const proto = headers['x-forwarded-proto'];
  out['x-forwarded-proto'] = facts.trustForwardedProto && typeof proto === 'string' ? proto : 'http';
  const host = headers.host;
  if (host !== undefined) out['x-forwarded-host'] = host;
  // A new trace was started (the incoming traceparent was absent or invalid): the incoming
  // tracestate belongs to no trace we continue, so it is dropped (W3C Trace Context §3.3).
  if (facts.incomingTraceparent === undefined) delete out.tracestate;
  out.traceparent = facts.traceparent;
  out['x-request-id'] = facts.requestId;
  return out;
}

/**
 * The client address: the socket peer, or with `trustedHops` = n > 0 the n-th address from the
 * right of X-Forwarded-For (the one our n trusted proxies saw), falling back to the peer.
 */
export function clientAddress(remote: string | undefined, xff: string | string[] | undefined, trustedHops: number): string {
  const peer = remote ?? 'unknown';
  if (trustedHops === 0 || typeof xff !== 'string') return peer;
  const parts = xff.split(',');
  const candidate = parts[parts.length - trustedHops];
  return candidate === undefined ? peer : candidate.trim() || peer;
}
