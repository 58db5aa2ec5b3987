/**
 * The catalog: one zod schema for every environment (DESIGN.md §4).
 *
 * Parsing an environment file yields an `Environment`: typed, defaults filled (timeouts by
 * protocol, route `via` by protocol, per-environment overrides applied) and cross-checked
 * (CIDRs, names, routes, references, GPU fit, the timeout chain). Every check reports the
 * path of the field it guards, so the loader can print `prod.services[2].route.path: …`.
 *
 * This file assembles the environment; each section's schema lives in schema/<section>.ts and
 * the cross-field checks in schema/checks.ts.
 */
import { z } from 'zod';
import { TIMEOUT_DEFAULTS } from './timeout-defaults.ts';
import { TIERS, dnsLabel, type Protocol } from './schema/primitives.ts';
import { GcpSchema, NetworkSchema } from './schema/network.ts';
import { GkeSchema } from './schema/gke.ts';
import { EdgeSchema, MeshSchema } from './schema/edge.ts';
import { TopicSchema } from './schema/topics.ts';
import { ServiceInputSchema, ServiceOverrideSchema, type ServiceOverride } from './schema/service.ts';
import { checkEnvironment } from './schema/checks.ts';
import { KubernetesSchema } from './schema/kubernetes.ts';
import { checkKubernetes } from './schema/kubernetes-checks.ts';
import { WaiverSchema } from './schema/waivers.ts';
import { ObservabilitySchema } from './schema/observability.ts';
import { checkSlos } from './schema/slo-checks.ts';

export { PROTOCOLS, SERVICE_KINDS, TIERS, type Auth, type Protocol, type ServiceKind } from './schema/primitives.ts';
export { OWASP_RULE_SETS } from './schema/edge.ts';
export type { ServiceInput, ServiceOverride } from './schema/service.ts';
export type { Waiver } from './schema/waivers.ts';

// ---------------------------------------------------------------------------------------------
// environment

const EnvironmentInputSchema = z.object({
  name: dnsLabel,
  tier: z.enum(TIERS),
  gcp: GcpSchema,
  network: NetworkSchema,
  gke: GkeSchema,
  edge: EdgeSchema,
  mesh: MeshSchema,
  /** The label prefix and per-namespace settings (callers allowed in, quotas). */
  kubernetes: KubernetesSchema,
  topics: z.array(TopicSchema).default([]),
  services: z.array(ServiceInputSchema).default([]),
  /** Per-environment values for catalog services, keyed by service name (image, scale, size). */
  overrides: z.record(z.string(), ServiceOverrideSchema).default({}),
  /** Policy findings this environment accepts, each with a reason and an expiry date. */
  waivers: z.array(WaiverSchema).default([]),
  /** Operating the platform (schema/observability.ts): where SLO alerts go, traces, kept access logs; defaults by tier when left out. */
  observability: ObservabilitySchema.prefault({}),
});
export type EnvironmentInput = z.input<typeof EnvironmentInputSchema>;

type ParsedInput = z.output<typeof EnvironmentInputSchema>;
type ParsedService = ParsedInput['services'][number];

/** A canary release from an environment's overrides: the image (the service's image name, another tag or digest) and its share of traffic. */
export interface Canary {
  readonly image: { readonly name: string; readonly tag?: string; readonly digest?: string };
  /** Percent of the service's in-mesh requests the canary gets (0–100). */
  readonly weight: number;
}

/** A service with everything derived from protocol and overrides filled in. */
export type Service = Omit<ParsedService, 'timeouts' | 'route'> & {
  readonly canary?: Canary;
  readonly timeouts: { readonly requestSec: number; readonly idleSec: number; readonly maxStreamSec: number };
  readonly route?: {
    readonly host: string;
    readonly pathPrefix: string;
    readonly via: 'kong' | 'gateway';
    /** 0 = unlimited (gRPC streams: message limits are the server's). */
    readonly maxBodyBytes: number;
  };
};
type ParsedTopic = ParsedInput['topics'][number];
export type Topic = Omit<ParsedTopic, 'ingest'> & {
  readonly ingest?: Omit<NonNullable<ParsedTopic['ingest']>, 'host'> & { readonly host: string };
};
export type Environment = Omit<ParsedInput, 'services' | 'overrides' | 'topics'> & {
  readonly services: readonly Service[];
  readonly topics: readonly Topic[];
};
export type Subscription = Topic['subscriptions'][number];
export type CpuPool = Environment['gke']['cpuPools'][number];
export type GpuPool = Environment['gke']['gpuPools'][number];

/** Body limits by protocol: REST payloads, unlimited gRPC streams, handshakes only for WebSocket/SSE. */
const DEFAULT_MAX_BODY_BYTES: Readonly<Record<Protocol, number>> = {
  http: 8 * 1024 * 1024,
  grpc: 0,
  websocket: 64 * 1024,
  sse: 64 * 1024,
};

function defaultVia(protocol: Protocol): 'kong' | 'gateway' {
  return protocol === 'websocket' || protocol === 'sse' ? 'gateway' : 'kong';
}

function resolveService(svc: ParsedService, override: ServiceOverride | undefined, defaultHost: string): Service {
  const defaults = TIMEOUT_DEFAULTS[svc.protocol];
  const requestSec = svc.timeouts.requestSec ?? defaults.requestSec;
  const maxStreamSec = svc.timeouts.maxStreamSec ?? (svc.protocol === 'http' ? requestSec : defaults.maxStreamSec);
  const idleSec = svc.timeouts.idleSec ?? Math.min(defaults.idleSec, maxStreamSec);
  const image = override?.image
    ? { name: svc.image.name, tag: override.image.tag, digest: override.image.digest }
    : svc.image;
  const { route, ...rest } = svc;
  return {
    ...rest,
    image,
    autoscaling: { ...svc.autoscaling, ...stripUndefined(override?.autoscaling) },
    resources: { ...svc.resources, ...stripUndefined(override?.resources) },
    timeouts: { requestSec, idleSec, maxStreamSec },
    ...(override?.canary
      ? { canary: { image: { name: svc.image.name, tag: override.canary.image.tag, digest: override.canary.image.digest }, weight: override.canary.weight } }
      : {}),
    ...(route
      ? {
          route: {
            host: route.host ?? defaultHost,
            pathPrefix: route.pathPrefix,
            via: route.via ?? defaultVia(svc.protocol),
            maxBodyBytes: route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES[svc.protocol],
          },
        }
      : {}),
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const EnvironmentSchema = EnvironmentInputSchema.transform((input, ctx): Environment => {
  const { services, overrides, topics, ...rest } = input;
  const defaultHost = input.edge.domains[0] ?? '';
  const env: Environment = {
    ...rest,
    topics: topics.map(({ ingest, ...topic }) => ({
      ...topic,
      ...(ingest ? { ingest: { ...ingest, host: ingest.host ?? defaultHost } } : {}),
    })),
    services: services.map((s) => resolveService(s, overrides[s.name], defaultHost)),
  };
  checkEnvironment(env, ctx, overrides);
  checkKubernetes(env, ctx, overrides);
  checkSlos(env, ctx);
  return env;
});
