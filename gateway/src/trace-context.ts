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

/** The traceparent to forward: the incoming one if valid, else a fresh unsampled one. */
export function traceparentFor(incoming: string | string[] | undefined): string {
  if (typeof incoming === 'string' && isValidTraceparent(incoming)) return incoming;
  return `00-${randomHex(16)}-${randomHex(8)}-00`;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The x-request-id to forward: the incoming one if sane, else a fresh one. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  if (typeof incoming === 'string' && REQUEST_ID.test(incoming)) return incoming;
  return randomHex(16);
}
