/**
 * The service catalog shared by every environment. Values only: what differs per environment
 * (image tags, scale, size) lives in that environment's `overrides`; route hosts default to the
 * environment's first edge domain.
 */
import type { EnvironmentInput, ServiceInput } from './schema.ts';

const identity: ServiceInput['auth'] = {
  type: 'jwt',
  issuer: 'https://auth.acme.example/',
  audiences: ['https://api.acme.example'],
  jwksUri: 'https://auth.acme.example/.well-known/jwks.json',
};

export const services: ServiceInput[] = [
  {
    name: 'orders-api',
    namespace: 'commerce',
    kind: 'public-api',
    protocol: 'http',
    image: { name: 'orders-api', tag: '1.8.2' },
    route: { pathPrefix: '/v1/orders' },
    auth: identity,
    rateLimit: { requestsPerMinute: 600, burst: 100 },
    resources: { cpu: '500m', memory: '512Mi' },
    autoscaling: { minReplicas: 2, maxReplicas: 12, cpuPercent: 65 },
    publishes: ['order-events'],
  },
  {
    name: 'inventory',
    namespace: 'commerce',
    kind: 'internal-api',
    protocol: 'grpc',
    image: { name: 'inventory', tag: '3.1.0' },
    port: 9090,
    callers: ['orders-api', 'event-enricher'],
    autoscaling: { minReplicas: 2, maxReplicas: 8 },
  },
  {
    name: 'chat',
    namespace: 'realtime',
    kind: 'streaming',
    protocol: 'websocket',
    image: { name: 'chat', tag: '0.9.4' },
    route: { pathPrefix: '/ws/chat' },
    auth: identity,
    timeouts: { idleSec: 300, maxStreamSec: 7200 },
    resources: { cpu: '250m', memory: '512Mi' },
  },
  {
    name: 'market-feed',
    namespace: 'realtime',
    kind: 'streaming',
    protocol: 'sse',
    image: { name: 'market-feed', tag: '2.0.1' },
    route: { pathPrefix: '/v1/feed/stream' },
    auth: { type: 'key-auth' },
    rateLimit: { requestsPerMinute: 60 },
  },
  {
    name: 'llm-inference',
    namespace: 'ml',
    kind: 'inference',
    protocol: 'grpc',
    image: { name: 'llm-inference', tag: '2026.11.1' },
    port: 8443,
    route: { pathPrefix: '/inference.v1.Generator', via: 'gateway' },
    auth: identity,
    timeouts: { requestSec: 120, idleSec: 60, maxStreamSec: 900 },
    resources: { cpu: '4', memory: '16Gi', memoryLimit: '16Gi' },
    autoscaling: { minReplicas: 1, maxReplicas: 4, gpuDutyCycle: 70 },
    gpu: { accelerator: 'nvidia-l4', count: 1 },
  },
  {
    name: 'event-enricher',
    namespace: 'events',
    kind: 'event-consumer',
    protocol: 'http',
    image: { name: 'event-enricher', tag: '1.2.0' },
    subscribes: ['ingest-enricher', 'order-events-enricher'],
    autoscaling: { minReplicas: 1, maxReplicas: 20, backlogPerReplica: 200 },
  },
];

export const topics: NonNullable<EnvironmentInput['topics']> = [
  {
    name: 'ingest',
    // Public event intake: the edge gateway publishes each POST body and answers 202 + message id.
    ingest: { pathPrefix: '/v1/events', auth: identity, rateLimit: { requestsPerMinute: 1200, burst: 200 } },
    schema: { type: 'avro', file: 'environments/events/ingest.avsc', encoding: 'json' },
    subscriptions: [{ name: 'ingest-enricher', ackDeadlineSec: 60, deadLetter: { maxDeliveryAttempts: 10 } }],
  },
  {
    name: 'order-events',
    schema: { type: 'avro', file: 'environments/events/order-events.avsc', encoding: 'json' },
    subscriptions: [{ name: 'order-events-enricher', ordering: true, deadLetter: {} }],
  },
];

/**
 * Who may call into each namespace besides its own services (the edge proxies reach routed
 * services regardless): every cross-namespace caller above must be admitted here.
 */
export const namespaces: NonNullable<NonNullable<EnvironmentInput['kubernetes']>['namespaces']> = {
  // inventory (commerce) is called by event-enricher (events).
  commerce: { callersFrom: ['events'] },
  events: { callersFrom: [] },
  ml: { callersFrom: [] },
  realtime: { callersFrom: [] },
};
