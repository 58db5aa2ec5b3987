// RFC 9457 problem details for an event that breaks its topic's contract: 400, nothing published.
import type { ServerResponse } from 'node:http';
import type { ContractViolation } from './event-validator.ts';

export const CONTRACT_PROBLEM_TYPE = 'https://api-platform.invalid/problems/event-contract';

export function sendContractProblem(res: ServerResponse, violation: ContractViolation, topic: string, requestId: string): void {
  const detail = `${violation.path}: ${violation.message}`;
  const body = JSON.stringify({
    type: CONTRACT_PROBLEM_TYPE,
    title: "the event does not match its topic's contract",
    status: 400,
    detail,
    errors: [{ path: violation.path, message: violation.message }],
    topic,
    requestId,
  });
  res.writeHead(400, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId });
  res.end(body);
}

/**
 * Pub/Sub refused the message as such (INVALID_ARGUMENT): the topic's schema changed out of
 * band, or a contract only Pub/Sub checks (protobuf). Retrying cannot succeed, so 400 too.
 */
export function sendPubSubRejection(res: ServerResponse, reason: string, topic: string, requestId: string): void {
  const body = JSON.stringify({
    type: CONTRACT_PROBLEM_TYPE,
    title: "Pub/Sub refused the event: it does not match the topic's schema",
    status: 400,
    detail: reason,
    topic,
    requestId,
  });
  res.writeHead(400, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId });
  res.end(body);
}
