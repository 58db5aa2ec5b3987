// W3C Trace Context: keep a valid incoming `traceparent`, otherwise start a new trace.
import { randomFillSync } from 'node:crypto';

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

// Random bytes are drawn in blocks to keep the per-request cost to a slice.
const POOL_SIZE = 24 * 256;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

export function isValidTraceparent(value: string): boolean {
  if (value.length !== 55 || !TRACEPARENT.test(value) || value.startsWith('ff')) return false;
  return value.slice(3, 35) !== ZERO_TRACE && value.slice(36, 52) !== ZERO_SPAN;
}

/** The incoming traceparent when it is a valid one, else undefined. */
export function validTraceparent(incoming: string | string[] | undefined): string | undefined {
  return typeof incoming === 'string' && isValidTraceparent(incoming) ? incoming : undefined;
}

/** The traceparent to forward: the incoming one if valid, else a fresh unsampled one. */
export function traceparentFor(incoming: string | string[] | undefined): string {
  return validTraceparent(incoming) ?? `00-${randomHex(16)}-${randomHex(8)}-00`;
}

/** The trace id of a valid traceparent (32 lowercase hex digits). */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

/** The parent (span) id of a valid traceparent (16 lowercase hex digits). */
export function parentIdOf(traceparent: string): string {
  return traceparent.slice(36, 52);
}

/** Whether a valid traceparent carries the sampled flag. */
export function isSampled(traceparent: string): boolean {
  return (Number.parseInt(traceparent.slice(53, 55), 16) & 1) === 1;
}

/** A version-00 traceparent for a span. */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The x-request-id to forward: the incoming one if sane, else a fresh one. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  if (typeof incoming === 'string' && REQUEST_ID.test(incoming)) return incoming;
  return randomHex(16);
}
