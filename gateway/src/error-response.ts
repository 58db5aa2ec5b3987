// The gateway's own HTTP error answers: small JSON, request id, never a stack trace.
import type { ServerResponse } from 'node:http';

/** A small JSON error answer; `connection: close` when the request body was not consumed. */
export function sendError(res: ServerResponse, status: number, error: string, requestId: string, headers?: Record<string, string>, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `{"error":${JSON.stringify(error)},"requestId":${JSON.stringify(requestId)}}`;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}
