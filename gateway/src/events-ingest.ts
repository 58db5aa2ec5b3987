// `events` routes: the body becomes a Pub/Sub message (attributes: content-type,
// x-request-id, traceparent); 202 + message id only after the publish resolved, else 503.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { BodyTooLargeError, readBodyLimited } from './body-limit.ts';
import type { CompiledRoute } from './compiled-routes.ts';
import type { ForwardingFacts } from './forwarded-headers.ts';
import { sendError } from './error-response.ts';
import type { PubSubPublisher } from './pubsub-publisher.ts';

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
    data = await readBodyLimited(req, route.config.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      sendError(res, 413, 'request body too large', facts.requestId, undefined, true);
      observe(413);
    } else {
      res.destroy();
    }
    return;
  }
  const attributes: Record<string, string> = {
    'content-type': req.headers['content-type'] ?? 'application/octet-stream',
    'x-request-id': facts.requestId,
    traceparent: facts.traceparent,
  };
  let messageId: string;
  try {
    messageId = await publisher.publish(route.config.topic as string, data, attributes);
  } catch (err) {
    onFailure(route, 'publish', err);
    sendError(res, 503, 'publish failed', facts.requestId, { 'retry-after': '5' });
    observe(503);
    return;
  }
  const body = `{"messageId":${JSON.stringify(messageId)}}`;
  res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': facts.requestId });
  res.end(body);
  observe(202);
}
