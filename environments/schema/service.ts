/** One catalog service (`services[]`) and its per-environment `overrides`. */
import { z } from 'zod';
import { ACCELERATOR_TYPES } from '../gpu-catalog.ts';
import {
  AuthSchema,
  PROTOCOLS,
  RateLimitSchema,
  SERVICE_KINDS,
  cpuQuantity,
  dnsLabel,
  hostname,
  memoryQuantity,
  pathPrefix,
  imageDigest,
  imageTag,
  oneOfTagOrDigest,
  seconds,
} from './primitives.ts';
import { ServiceSloSchema } from './slo.ts';

const ImageSchema = z
  .object({
    /** Image name inside the environment's Artifact Registry repository. */
    name: z.string().regex(/^[a-z0-9]+([-._/][a-z0-9]+)*$/, 'must be an image name like orders-api'),
    tag: imageTag.optional(),
    digest: imageDigest.optional(),
  })
  .refine(...oneOfTagOrDigest);

/** Requests of a service that sets none; namespaces' LimitRanges give containers without requests the same. */
export const DEFAULT_SERVICE_RESOURCES = { cpu: '250m', memory: '256Mi' } as const;

export const EXPOSURES = ['public', 'internal'] as const;
export type Exposure = (typeof EXPOSURES)[number];

export const ServiceInputSchema = z.object({
  name: dnsLabel,
  namespace: dnsLabel,
  kind: z.enum(SERVICE_KINDS),
  protocol: z.enum(PROTOCOLS),
  image: ImageSchema,
  port: z.number().int().min(1024, 'must be ≥ 1024 (containers run as non-root)').max(65_535).default(8080),
  /**
   * Where callers outside the cluster reach the service. `public`: through the GLB and the edge
   * chain (routed services are public by default). `internal`: an internal load balancer in the
   * VPC only — an internal Application Load Balancer (Ingress class gce-internal) for HTTP,
   * WebSocket and SSE, an internal passthrough load balancer for gRPC — never the public GLB.
   */
  exposure: z.enum(EXPOSURES).optional(),
  route: z
    .object({
      /** Default: the environment's first edge domain. */
      host: hostname.optional(),
      pathPrefix,
      /** Which proxy behind Nginx serves the route; default by protocol (http/grpc → kong). */
      via: z.enum(['kong', 'gateway']).optional(),
      /** Request body limit at every hop (default: 8 MiB for http, unlimited for gRPC streams, 64 KiB otherwise). */
      maxBodyBytes: z.number().int().nonnegative().max(1024 * 1024 * 1024).optional(),
    })
    .optional(),
  auth: AuthSchema.optional(),
  rateLimit: RateLimitSchema.optional(),
  timeouts: z.object({ requestSec: seconds.optional(), idleSec: seconds.optional(), maxStreamSec: seconds.optional() }).prefault({}),
  resources: z
    .object({
      cpu: cpuQuantity.default(DEFAULT_SERVICE_RESOURCES.cpu),
      memory: memoryQuantity.default(DEFAULT_SERVICE_RESOURCES.memory),
      cpuLimit: cpuQuantity.optional(),
      memoryLimit: memoryQuantity.optional(),
    })
    .prefault({}),
  autoscaling: z
    .object({
      /** HPAs cannot scale to zero; a pool can (GPU pools start at 0 nodes). */
      minReplicas: z.number().int().min(1).default(2),
      maxReplicas: z.number().int().min(1).default(10),
      cpuPercent: z.number().int().min(1).max(100).default(70),
      /** event-consumer: undelivered messages per replica (External metric on the subscription). */
      backlogPerReplica: z.number().int().positive().optional(),
      /** inference: GPU duty cycle % per replica. */
      gpuDutyCycle: z.number().int().min(1).max(100).optional(),
    })
    .prefault({}),
  gpu: z.object({ accelerator: z.enum(ACCELERATOR_TYPES), count: z.number().int().min(1).default(1) }).optional(),
  /** Services allowed to call this one (drives AuthorizationPolicy and NetworkPolicy). */
  callers: z.array(z.string()).default([]),
  /** Topics this service publishes to. */
  publishes: z.array(z.string()).default([]),
  /** Subscriptions (by name) this service pulls from. */
  subscribes: z.array(z.string()).default([]),
  /** Objectives; defaults by kind and tier (environments/slo-defaults.ts), so most services write none. */
  slo: ServiceSloSchema.optional(),
});
export type ServiceInput = z.input<typeof ServiceInputSchema>;

const OverrideImageSchema = z.object({ tag: imageTag.optional(), digest: imageDigest.optional() }).refine(...oneOfTagOrDigest);

export const ServiceOverrideSchema = z.object({
  image: OverrideImageSchema.optional(),
  autoscaling: z.object({ minReplicas: z.number().int().min(1).optional(), maxReplicas: z.number().int().min(1).optional() }).optional(),
  resources: z.object({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).optional(),
  /**
   * A canary release: a second Deployment (`<name>-canary`) running this image (same image name,
   * another tag or digest), receiving `weight` percent of the service's in-mesh traffic.
   */
  canary: z
    .object({
      image: OverrideImageSchema,
      weight: z.number().int('must be a whole percentage').min(0, 'must be 0–100 (percent of requests)').max(100, 'must be 0–100 (percent of requests)'),
    })
    .optional(),
});
export type ServiceOverride = z.input<typeof ServiceOverrideSchema>;
