/**
 * RoutePlan: every public route of an environment — which proxy serves it behind Nginx, what
 * is upstream, how it authenticates, and the timeouts at each hop. Nginx, Kong and gateway
 * renderers all read this one plan, so they cannot disagree. Pure.
 */
import type { Auth, Environment, Protocol } from '../../environments/schema.ts';
import { timeoutChain, type TimeoutChain } from './timeout-chain.ts';

export interface RoutePlan {
  /** Unique per environment; becomes Kong route/service names and gateway route names. */
  readonly name: string;
  readonly host: string;
  readonly pathPrefix: string;
  /** `events` = the gateway publishes the body to a Pub/Sub topic (no upstream service). */
  readonly protocol: Protocol | 'events';
  readonly via: 'kong' | 'gateway';
  readonly upstream?: { readonly service: string; readonly namespace: string; readonly url: string };
  readonly topic?: string;
  /** An events route's contract (the topic's schema): the gateway checks bodies against it. */
  readonly contract?: { readonly type: 'avro' | 'protobuf'; readonly encoding: 'json' | 'binary'; readonly definition: string };
  readonly auth: Auth;
  readonly rateLimit?: { readonly requestsPerMinute: number; readonly burst?: number };
  /** Request body limit at every hop; 0 = unlimited (gRPC streams). */
  readonly maxBodyBytes: number;
  readonly timeouts: TimeoutChain;
}

/** Ingest routes publish and answer 202: a short request, the same chain as plain HTTP. */
const INGEST_TIMEOUTS = { requestSec: 10, idleSec: 10, maxStreamSec: 10 } as const;

export function planRoutes(env: Environment): RoutePlan[] {
  const serviceRoutes = env.services.flatMap((svc): RoutePlan[] => {
    if (!svc.route || !svc.auth) return [];
    return [
      {
        name: svc.name,
        host: svc.route.host,
        pathPrefix: svc.route.pathPrefix,
        protocol: svc.protocol,
        via: svc.route.via,
        upstream: {
          service: svc.name,
          namespace: svc.namespace,
          url: `http://${svc.name}.${svc.namespace}.svc.cluster.local:${svc.port}`,
        },
        auth: svc.auth,
        ...(svc.rateLimit ? { rateLimit: svc.rateLimit } : {}),
        maxBodyBytes: svc.route.maxBodyBytes,
        timeouts: timeoutChain(svc),
      },
    ];
  });
  const ingestRoutes = env.topics.flatMap((topic): RoutePlan[] => {
    if (!topic.ingest) return [];
    return [
      {
        name: `${topic.name}-ingest`,
        host: topic.ingest.host,
        pathPrefix: topic.ingest.pathPrefix,
        protocol: 'events',
        via: 'gateway',
        topic: `projects/${env.gcp.projectId}/topics/${topic.name}`,
        ...(topic.schema ? { contract: { type: topic.schema.type, encoding: topic.schema.encoding, definition: topic.schema.definition } } : {}),
        auth: topic.ingest.auth,
        ...(topic.ingest.rateLimit ? { rateLimit: topic.ingest.rateLimit } : {}),
        maxBodyBytes: topic.ingest.maxBodyBytes,
        timeouts: timeoutChain({ protocol: 'http', timeouts: INGEST_TIMEOUTS }),
      },
    ];
  });
  // Longest prefix first: the order every proxy must match in.
  return [...serviceRoutes, ...ingestRoutes].sort(
    (a, b) => b.pathPrefix.length - a.pathPrefix.length || a.name.localeCompare(b.name),
  );
}
