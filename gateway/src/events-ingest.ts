// `events` routes: the body becomes a Pub/Sub message (attributes: content-type,
// x-request-id, traceparent); 202 + message id only after the publish resolved, else 503.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { BodyIdleTimeoutError, BodyTooLargeError, readBodyLimited } from './body-limit.ts';
import type { CompiledRoute } from './compiled-routes.ts';
import type { ForwardingFacts } from './forwarded-headers.ts';
import { sendError } from './error-response.ts';
import type { PubSubPublisher } from './pubsub-publisher.ts';
import { sendContractProblem, sendPubSubRejection } from './event-problem.ts';

/** gRPC codes on which retrying the same publish cannot succeed (google-gax errors carry `code`). */
const GRPC_INVALID_ARGUMENT = 3;
const PERMANENT = new Set([5 /* NOT_FOUND */, 7 /* PERMISSION_DENIED */, 9 /* FAILED_PRECONDITION */]);

/**
 * Transient failures (timeout, unavailable, …) are 503 + Retry-After: the client should retry.
 * A message Pub/Sub refuses as such is 400; a missing topic or permission is our fault and no
 * retry helps, so 502 without Retry-After (the alert comes from the upstream-error metric).
 */
function publishFailure(err: unknown): { status: number; error: string; headers: Record<string, string> | undefined } {
  const code = (err as { code?: unknown }).code;
  if (code === GRPC_INVALID_ARGUMENT) return { status: 400, error: 'message rejected by Pub/Sub', headers: undefined };
  if (typeof code === 'number' && PERMANENT.has(code)) return { status: 502, error: 'topic unavailable', headers: undefined };
  return { status: 503, error: 'publish failed', headers: { 'retry-after': '5' } };
}

export async function ingestEvent(
  req: IncomingMessage,
  res: ServerResponse,
  route: CompiledRoute,
  facts: ForwardingFacts,
  publisher: PubSubPublisher,
  onFailure: (route: CompiledRoute, reason: string, err: unknown) => void,
  started: number,
): Promise<void> {
  const observe = (code: number): void => route.metrics.observe(code, (performance.now() - started) / 1000);
  if (req.method !== 'POST' && req.method !== 'PUT') {
    sendError(res, 405, 'method not allowed', facts.requestId, { allow: 'POST, PUT' });
    observe(405);
    return;
  }
  const declared = Number(req.headers['content-length']);
  if (declared > route.config.maxBodyBytes) {
    sendError(res, 413, 'request body too large', facts.requestId, undefined, true);
    observe(413);
    return;
  }
  let data: Buffer;
  try {
    data = await readBodyLimited(req, route.config.maxBodyBytes, route.config.timeouts.idleMs);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      sendError(res, 413, 'request body too large', facts.requestId, undefined, true);
      observe(413);
    } else if (err instanceof BodyIdleTimeoutError) {
      // The client stopped sending: nothing was published, so nothing is acknowledged.
      sendError(res, 408, 'request body timeout', facts.requestId, undefined, true);
      observe(408);
    } else {
      res.destroy();
    }
    return;
  }
  // The contract check runs before anything is published: an invalid event gets a 400 naming the field.
  if (route.validator !== undefined) {
    const violation = route.validator(data);
    if (violation !== undefined) {
      sendContractProblem(res, violation, route.config.topic as string, facts.requestId);
      observe(400);
      return;
    }
  }
  // The publish's producer span: its traceparent travels in the message, so consumers join the trace.
  const span = facts.span?.startClient(`send ${route.config.topic as string}`, 'producer', () => ({
    'messaging.system': 'gcp_pubsub',
    'messaging.operation.type': 'send',
    'messaging.destination.name': route.config.topic as string,
    'messaging.message.body.size': data.length,
  }));
  if (span !== undefined) facts.traceparent = span.traceparent;
  const attributes: Record<string, string> = {
    'content-type': req.headers['content-type'] ?? 'application/octet-stream',
    'x-request-id': facts.requestId,
    traceparent: facts.traceparent,
  };
  let messageId: string;
  try {
    messageId = await publisher.publish(route.config.topic as string, data, attributes);
    span?.setAttributes({ 'messaging.message.id': messageId });
    span?.end();
  } catch (err) {
    span?.end('publish');
    onFailure(route, 'publish', err);
    const failure = publishFailure(err);
    if (failure.status === 400 && !res.headersSent) {
      const details = (err as { details?: unknown }).details;
      sendPubSubRejection(res, `INVALID_ARGUMENT: ${typeof details === 'string' && details !== '' ? details : 'message rejected'}`, route.config.topic as string, facts.requestId);
    } else {
      sendError(res, failure.status, failure.error, facts.requestId, failure.headers);
    }
    observe(failure.status);
    return;
  }
  const body = `{"messageId":${JSON.stringify(messageId)}}`;
  res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': facts.requestId });
  res.end(body);
  observe(202);
}
