/**
 * The catalog: one zod schema for every environment (DESIGN.md §4).
 *
 * Parsing an environment file yields an `Environment`: typed, defaults filled (timeouts by
 * protocol, route `via` by protocol, per-environment overrides applied) and cross-checked
 * (CIDRs, names, routes, references, GPU fit, the timeout chain). Every check reports the
 * path of the field it guards, so the loader can print `prod.services[2].route.path: …`.
 */
import { z } from 'zod';
import { ACCELERATOR_TYPES, ACCELERATORS, machineFitProblem } from './gpu-catalog.ts';
import { cidrsOverlap, parseCidr, type Cidr } from './cidr.ts';
import { MAX_SERVICE_STREAM_SEC, TIMEOUT_DEFAULTS } from './timeout-defaults.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A lowercase DNS label: Kubernetes names, GCP resource names, Pub/Sub ids all accept it. */
const dnsLabel = z
  .string()
  .max(40, 'must be at most 40 characters (it prefixes generated GCP and Kubernetes names)')
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label: a-z, 0-9 and "-", starting with a letter');

const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const hostname = z
  .string()
  .regex(/^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, 'must be a lowercase DNS name like api.example.com');

const seconds = z.number().int('must be a whole number of seconds').positive('must be positive');

const cpuQuantity = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, 'must be a CPU quantity like "250m" or "2"');
const memoryQuantity = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity like "512Mi" or "4Gi"');

export const PROTOCOLS = ['http', 'grpc', 'websocket', 'sse'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const SERVICE_KINDS = ['public-api', 'internal-api', 'streaming', 'inference', 'event-consumer'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const TIERS = ['development', 'staging', 'production'] as const;

// ---------------------------------------------------------------------------------------------
// gcp, network

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((t) => parseCidr(t) as Cidr);

/** `inner` lies entirely inside `outer`. */
function within(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrsOverlap(inner, outer);
}

const GcpSchema = z
  .object({
    projectId: z
      .string()
      .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, 'must be a GCP project id: 6–30 chars, lowercase letters, digits, "-"'),
    region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'must be a GCP region like europe-west4'),
    zones: z.array(z.string()).min(1, 'needs at least one zone'),
    /** GCS bucket for Terraform state; absent → local backend (no credentials needed to synth). */
    stateBucket: z.string().regex(/^[a-z0-9][-_.a-z0-9]{1,61}[a-z0-9]$/, 'must be a GCS bucket name').optional(),
    /** Artifact Registry repository (Docker) that holds the environment's images. */
    artifactRegistry: dnsLabel.default('platform'),
    labels: z
      .record(
        z.string().regex(/^[a-z][-_a-z0-9]{0,62}$/, 'label keys are lowercase, start with a letter, ≤ 63 chars'),
        z.string().regex(/^[-_a-z0-9]{0,63}$/, 'label values are lowercase letters, digits, "-" and "_", ≤ 63 chars'),
      )
      .default({}),
  })
  .superRefine((gcp, ctx) => {
    gcp.zones.forEach((zone, i) => {
      if (!new RegExp(`^${gcp.region}-[a-z]$`).test(zone)) {
        ctx.addIssue({ code: 'custom', path: ['zones', i], message: `"${zone}" is not a zone of region ${gcp.region}` });
      }
    });
  });

const NetworkSchema = z
  .object({
    vpcName: dnsLabel,
    nodeCidr: cidr,
    podCidr: cidr,
    serviceCidr: cidr,
    /** GKE control plane range for private clusters: must be a /28. */
    controlPlaneCidr: cidr,
    authorizedNetworks: z.array(z.object({ name: z.string().min(1), cidr })).default([]),
  })
  .superRefine((net, ctx) => {
    const ranges = (['nodeCidr', 'podCidr', 'serviceCidr', 'controlPlaneCidr'] as const).flatMap((field) => {
      const parsed = parseCidr(net[field]);
      return typeof parsed === 'string' ? [] : [{ field, parsed }];
    });
    ranges.forEach((a, i) => {
      for (const b of ranges.slice(i + 1)) {
        if (cidrsOverlap(a.parsed, b.parsed)) {
          ctx.addIssue({
            code: 'custom',
            path: [b.field],
            message: `${b.parsed.text} overlaps ${a.field} ${a.parsed.text}`,
          });
        }
      }
    });
    const cp = ranges.find((r) => r.field === 'controlPlaneCidr');
    if (cp && cp.parsed.prefix !== 28) {
      ctx.addIssue({ code: 'custom', path: ['controlPlaneCidr'], message: 'must be a /28 (GKE private control plane range)' });
    }
  });

// ---------------------------------------------------------------------------------------------
// gke

const CpuPoolSchema = z
  .object({
    name: dnsLabel,
    machineType: z.string().regex(/^[a-z0-9]+-[a-z0-9-]+$/, 'must be a machine type like e2-standard-4'),
    minNodes: z.number().int().min(0),
    maxNodes: z.number().int().min(1),
    spot: z.boolean().default(false),
    diskSizeGb: z.number().int().min(20).default(100),
    diskType: z.enum(['pd-standard', 'pd-balanced', 'pd-ssd']).default('pd-balanced'),
  })
  .superRefine((pool, ctx) => {
    if (pool.minNodes > pool.maxNodes) {
      ctx.addIssue({ code: 'custom', path: ['minNodes'], message: `is above maxNodes (${pool.maxNodes})` });
    }
  });

const GpuSharingSchema = z.discriminatedUnion('strategy', [
  z.object({ strategy: z.literal('time-sharing'), maxSharedClientsPerGpu: z.number().int().min(2).max(48) }),
  z.object({ strategy: z.literal('mig'), partitionSize: z.string() }),
]);

const GpuPoolSchema = z
  .object({
    name: dnsLabel,
    accelerator: z.enum(ACCELERATOR_TYPES),
    count: z.number().int().min(1).default(1),
    machineType: z.string(),
    driverVersion: z.enum(['DEFAULT', 'LATEST', 'INSTALLATION_DISABLED']).default('LATEST'),
    sharing: GpuSharingSchema.optional(),
    spot: z.boolean().default(false),
    minNodes: z.number().int().min(0).default(0),
    maxNodes: z.number().int().min(1),
    /** Zones that offer this accelerator; default: the environment's zones. */
    zones: z.array(z.string()).min(1).optional(),
  })
  .superRefine((pool, ctx) => {
    const fit = machineFitProblem(pool.accelerator, pool.machineType, pool.count);
    if (fit) ctx.addIssue({ code: 'custom', path: ['machineType'], message: fit });
    if (pool.minNodes > pool.maxNodes) {
      ctx.addIssue({ code: 'custom', path: ['minNodes'], message: `is above maxNodes (${pool.maxNodes})` });
    }
    if (pool.sharing?.strategy === 'mig') {
      const sizes = ACCELERATORS[pool.accelerator].migPartitions;
      if (!sizes) {
        ctx.addIssue({ code: 'custom', path: ['sharing', 'strategy'], message: `${pool.accelerator} does not support MIG` });
      } else if (!sizes.includes(pool.sharing.partitionSize)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sharing', 'partitionSize'],
          message: `"${pool.sharing.partitionSize}" is not a MIG partition of ${pool.accelerator}; use one of ${sizes.join(', ')}`,
        });
      }
    }
  });

const utcTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'must be an RFC 3339 UTC time like 2026-01-03T02:00:00Z');

/** The recurrences we can check against GKE's availability rule: daily, or weekly on given days. */
const RECURRENCE = /^FREQ=(DAILY|WEEKLY;BYDAY=((MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*))$/;

/**
 * GKE requires ≥ 48 h of maintenance availability in any 32-day window, counting only
 * contiguous windows of ≥ 4 h; a cluster with less is rejected at creation.
 */
const MaintenanceWindowSchema = z
  .object({
    /** Start of the first window, UTC. */
    start: utcTime,
    end: utcTime,
    recurrence: z.string().regex(RECURRENCE, 'must be FREQ=DAILY or FREQ=WEEKLY;BYDAY=<days> (e.g. SA,SU)'),
  })
  .superRefine((w, ctx) => {
    const hours = (Date.parse(w.end) - Date.parse(w.start)) / 3_600_000;
    if (!(hours >= 4)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'windows must last at least 4 h (GKE ignores shorter ones)' });
      return;
    }
    const m = RECURRENCE.exec(w.recurrence);
    if (!m) return;
    // In any 32 days each weekday occurs at least 4 times.
    const perWindow = Math.min(hours, 24);
    const occurrences = m[1] === 'DAILY' ? 32 : 4 * new Set((m[2] ?? '').split(',')).size;
    if (perWindow * occurrences < 48) {
      ctx.addIssue({
        code: 'custom',
        path: ['recurrence'],
        message: `allows ${perWindow * occurrences} h per 32 days; GKE requires at least 48 h (longer windows or more days)`,
      });
    }
  });

const GkeSchema = z.object({
  clusterName: dnsLabel,
  /** zonal: control plane and nodes in the first zone; regional: replicated across the region. */
  locationType: z.enum(['zonal', 'regional']),
  releaseChannel: z.enum(['RAPID', 'REGULAR', 'STABLE']).default('REGULAR'),
  maintenanceWindow: MaintenanceWindowSchema,
  privateEndpoint: z.boolean().default(false),
  deletionProtection: z.boolean().default(true),
  cpuPools: z.array(CpuPoolSchema).min(1, 'needs at least one CPU pool (system pods and non-GPU workloads)'),
  gpuPools: z.array(GpuPoolSchema).default([]),
});

// ---------------------------------------------------------------------------------------------
// edge, mesh

export const OWASP_RULE_SETS = [
  'sqli-v33-stable', 'xss-v33-stable', 'lfi-v33-stable', 'rfi-v33-stable', 'rce-v33-stable',
  'methodenforcement-v33-stable', 'scannerdetection-v33-stable', 'protocolattack-v33-stable',
  'sessionfixation-v33-stable',
] as const;

/** Interval values Cloud Armor accepts for rate-based rules. */
const RATE_INTERVALS = [10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600] as const;

const EdgeSchema = z.object({
  domains: z.array(hostname).min(1, 'needs at least one domain (the managed certificate covers them)'),
  armor: z.object({
    owasp: z.array(z.object({ ruleSet: z.enum(OWASP_RULE_SETS), sensitivity: z.number().int().min(1).max(4) })).default([]),
    rateBan: z.object({
      thresholdCount: z.number().int().positive(),
      intervalSec: z.number().refine((n) => (RATE_INTERVALS as readonly number[]).includes(n), {
        message: `must be one of ${RATE_INTERVALS.join(', ')}`,
      }),
      banDurationSec: seconds,
    }),
    denyCountries: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like "KP"')).default([]),
    denyIpRanges: z.array(cidr).default([]),
    allowIpRanges: z.array(cidr).default([]),
    adaptiveProtection: z.boolean().default(false),
    /** Log what the WAF would block instead of blocking it. */
    preview: z.boolean().default(false),
  }),
  sslPolicy: z
    .object({
      minTlsVersion: z.enum(['TLS_1_0', 'TLS_1_1', 'TLS_1_2']).default('TLS_1_2'),
      profile: z.enum(['COMPATIBLE', 'MODERN', 'RESTRICTED']).default('MODERN'),
    })
    .prefault({}),
});

const MeshSchema = z
  .object({
    mtls: z.enum(['STRICT', 'PERMISSIVE']).default('STRICT'),
    trustDomain: z.string().default('cluster.local'),
  })
  .prefault({});

// ---------------------------------------------------------------------------------------------
// topics

const AuthSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('jwt'),
    issuer: z.string().url('must be the issuer URL'),
    audiences: z.array(z.string().min(1)).min(1, 'needs at least one audience'),
    jwksUri: z.string().url('must be the JWKS URL'),
  }),
  z.object({ type: z.literal('key-auth') }),
  z.object({
    type: z.literal('none'),
    reason: z.string().min(10, 'say why this route needs no authentication (at least 10 characters)'),
  }),
]);
export type Auth = z.infer<typeof AuthSchema>;

const RateLimitSchema = z.object({
  requestsPerMinute: z.number().int().positive(),
  burst: z.number().int().positive().optional(),
});

const pathPrefix = z
  .string()
  .regex(/^\//, 'must start with "/"')
  .regex(/^[-a-zA-Z0-9_./]*$/, 'may hold only letters, digits, "-", "_", "." and "/"');

/** Pub/Sub ids are 3–255 characters. */
const pubsubId = dnsLabel.refine((v) => v.length >= 3, 'Pub/Sub ids are at least 3 characters');

const SubscriptionSchema = z
  .object({
    name: pubsubId,
    ackDeadlineSec: z.number().int().min(10).max(600).default(30),
    retryBackoff: z
      .object({ minSec: z.number().int().min(0).max(600).default(10), maxSec: z.number().int().min(0).max(600).default(600) })
      .prefault({}),
    /** Dead-letter topic `<topic>-dead-letter` (created, with its own subscription) after this many attempts. */
    deadLetter: z.object({ maxDeliveryAttempts: z.number().int().min(5).max(100).default(5) }).optional(),
    ordering: z.boolean().default(false),
    exactlyOnce: z.boolean().default(false),
    retentionSec: z.number().int().min(600).max(604_800).default(604_800),
  })
  .superRefine((sub, ctx) => {
    if (sub.retryBackoff.minSec > sub.retryBackoff.maxSec) {
      ctx.addIssue({ code: 'custom', path: ['retryBackoff', 'minSec'], message: `is above maxSec (${sub.retryBackoff.maxSec})` });
    }
  });

const TopicSchema = z.object({
  name: pubsubId,
  messageRetentionSec: z.number().int().min(600).max(2_678_400).default(86_400),
  subscriptions: z.array(SubscriptionSchema).default([]),
  /** A public route whose POST bodies the edge gateway publishes to this topic (202 + message id). */
  ingest: z
    .object({
      /** Default: the environment's first edge domain. */
      host: hostname.optional(),
      pathPrefix,
      auth: AuthSchema,
      rateLimit: RateLimitSchema.optional(),
      maxBodyBytes: z.number().int().positive().max(10 * 1024 * 1024, 'Pub/Sub messages are at most 10 MiB').default(1024 * 1024),
    })
    .optional(),
});

// ---------------------------------------------------------------------------------------------
// services

const imageTag = z.string().regex(/^[\w][\w.-]{0,127}$/, 'must be a Docker tag');
const imageDigest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 hex>');
const oneOfTagOrDigest = [
  (img: { tag?: string; digest?: string }) => (img.tag === undefined) !== (img.digest === undefined),
  { message: 'give exactly one of tag or digest' },
] as const;

const ImageSchema = z
  .object({
    /** Image name inside the environment's Artifact Registry repository. */
    name: z.string().regex(/^[a-z0-9]+([-._/][a-z0-9]+)*$/, 'must be an image name like orders-api'),
    tag: imageTag.optional(),
    digest: imageDigest.optional(),
  })
  .refine(...oneOfTagOrDigest);

const ServiceInputSchema = z.object({
  name: dnsLabel,
  namespace: dnsLabel,
  kind: z.enum(SERVICE_KINDS),
  protocol: z.enum(PROTOCOLS),
  image: ImageSchema,
  port: z.number().int().min(1024, 'must be ≥ 1024 (containers run as non-root)').max(65_535).default(8080),
  route: z
    .object({
      /** Default: the environment's first edge domain. */
      host: hostname.optional(),
      pathPrefix,
      /** Which proxy behind Nginx serves the route; default by protocol (http/grpc → kong). */
      via: z.enum(['kong', 'gateway']).optional(),
    })
    .optional(),
  auth: AuthSchema.optional(),
  rateLimit: RateLimitSchema.optional(),
  timeouts: z.object({ requestSec: seconds.optional(), idleSec: seconds.optional(), maxStreamSec: seconds.optional() }).prefault({}),
  resources: z
    .object({
      cpu: cpuQuantity.default('250m'),
      memory: memoryQuantity.default('256Mi'),
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
});
export type ServiceInput = z.input<typeof ServiceInputSchema>;

const ServiceOverrideSchema = z.object({
  image: z.object({ tag: imageTag.optional(), digest: imageDigest.optional() }).refine(...oneOfTagOrDigest).optional(),
  autoscaling: z.object({ minReplicas: z.number().int().min(1).optional(), maxReplicas: z.number().int().min(1).optional() }).optional(),
  resources: z.object({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).optional(),
});
export type ServiceOverride = z.input<typeof ServiceOverrideSchema>;

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
  topics: z.array(TopicSchema).default([]),
  services: z.array(ServiceInputSchema).default([]),
  /** Per-environment values for catalog services, keyed by service name (image, scale, size). */
  overrides: z.record(z.string(), ServiceOverrideSchema).default({}),
});
export type EnvironmentInput = z.input<typeof EnvironmentInputSchema>;

type ParsedInput = z.output<typeof EnvironmentInputSchema>;
type ParsedService = ParsedInput['services'][number];

/** A service with everything derived from protocol and overrides filled in. */
export type Service = Omit<ParsedService, 'timeouts' | 'route'> & {
  readonly timeouts: { readonly requestSec: number; readonly idleSec: number; readonly maxStreamSec: number };
  readonly route?: { readonly host: string; readonly pathPrefix: string; readonly via: 'kong' | 'gateway' };
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
    ...(route
      ? { route: { host: route.host ?? defaultHost, pathPrefix: route.pathPrefix, via: route.via ?? defaultVia(svc.protocol) } }
      : {}),
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The one capability the checks need from zod's refinement context. */
function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

const MEMORY_FACTOR: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
function memoryBytes(q: string): number {
  return Number(q.slice(0, -2)) * (MEMORY_FACTOR[q.slice(-2)] ?? NaN);
}

type Ctx = Pick<z.core.$RefinementCtx<unknown>, 'addIssue'>;
type Path = (string | number)[];

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** Reports each value that occurs more than once, at the path of its second and later uses. */
function checkUnique(ctx: Ctx, entries: { key: string; path: Path }[], what: string): void {
  const seen = new Map<string, Path>();
  for (const { key, path } of entries) {
    const first = seen.get(key);
    if (first) issue(ctx, path, `duplicate ${what} "${key}" (first at ${first.join('.')})`);
    else seen.set(key, path);
  }
}

function checkServiceShape(ctx: Ctx, svc: Service, i: number, env: Environment): void {
  const at = (...rest: Path): Path => ['services', i, ...rest];
  const needsRoute = svc.kind === 'public-api' || svc.kind === 'streaming' || svc.kind === 'inference';
  if (needsRoute && !svc.route) issue(ctx, at('route'), `a ${svc.kind} service needs a route (host and pathPrefix)`);
  if (!needsRoute && svc.route) issue(ctx, at('route'), `a ${svc.kind} service is not exposed at the edge; remove the route`);
  if (svc.route && !svc.auth) issue(ctx, at('auth'), 'a routed service needs auth (jwt, key-auth, or none with a reason)');
  if (svc.kind === 'internal-api' && svc.callers.length === 0) {
    issue(ctx, at('callers'), 'an internal-api with no callers is unreachable; list the services that call it');
  }
  if (svc.kind === 'event-consumer') {
    if (svc.subscribes.length === 0) issue(ctx, at('subscribes'), 'an event-consumer must subscribe to at least one subscription');
    if (svc.autoscaling.backlogPerReplica === undefined) {
      issue(ctx, at('autoscaling', 'backlogPerReplica'), 'an event-consumer scales on backlog: set backlogPerReplica');
    }
  }
  if (svc.kind === 'inference' && !svc.gpu) issue(ctx, at('gpu'), 'an inference service needs a gpu (accelerator and count)');
  if (svc.route?.via === 'kong' && svc.protocol === 'websocket') {
    issue(ctx, at('route', 'via'), 'WebSocket routes go via the gateway (it owns upgrade tunnelling and idle limits)');
  }
  if (svc.autoscaling.minReplicas > svc.autoscaling.maxReplicas) {
    issue(ctx, at('autoscaling', 'minReplicas'), `is above maxReplicas (${svc.autoscaling.maxReplicas})`);
  }
  const t = svc.timeouts;
  if (t.requestSec > t.maxStreamSec) issue(ctx, at('timeouts', 'requestSec'), `is above maxStreamSec (${t.maxStreamSec})`);
  if (t.idleSec > t.maxStreamSec) issue(ctx, at('timeouts', 'idleSec'), `is above maxStreamSec (${t.maxStreamSec})`);
  if (t.maxStreamSec > MAX_SERVICE_STREAM_SEC) {
    issue(
      ctx,
      at('timeouts', 'maxStreamSec'),
      `must be ≤ ${MAX_SERVICE_STREAM_SEC}: each outer hop waits longer and the GLB caps at 86400 s`,
    );
  }
  if (svc.gpu) {
    const pools = env.gke.gpuPools.filter((p) => p.accelerator === svc.gpu?.accelerator);
    if (pools.length === 0) {
      issue(ctx, at('gpu', 'accelerator'), `no GPU pool offers ${svc.gpu.accelerator}; add one to gke.gpuPools`);
    } else if (svc.gpu.count > 1 && !pools.some((p) => p.sharing === undefined && p.count >= (svc.gpu?.count ?? 1))) {
      // A shared GPU (time-sharing or a MIG slice) is exposed as nvidia.com/gpu: 1 per container.
      issue(ctx, at('gpu', 'count'), `needs an unshared ${svc.gpu.accelerator} pool with ≥ ${svc.gpu.count} GPUs per node; shared GPUs serve count 1`);
    }
  }
  const { cpu, cpuLimit, memory, memoryLimit } = svc.resources;
  if (cpuLimit !== undefined && cpuMillis(cpu) > cpuMillis(cpuLimit)) {
    issue(ctx, at('resources', 'cpu'), `request ${cpu} is above the limit ${cpuLimit}`);
  }
  if (memoryLimit !== undefined && memoryBytes(memory) > memoryBytes(memoryLimit)) {
    issue(ctx, at('resources', 'memory'), `request ${memory} is above the limit ${memoryLimit}`);
  }
}

function checkEnvironment(env: Environment, ctx: Ctx, overrides: Record<string, unknown>): void {
  const serviceNames = new Set(env.services.map((s) => s.name));
  const topicNames = new Set(env.topics.map((t) => t.name));
  const subscriptionNames = new Set(env.topics.flatMap((t) => t.subscriptions.map((s) => s.name)));

  checkUnique(ctx, env.services.map((s, i) => ({ key: s.name, path: ['services', i, 'name'] })), 'service name');
  checkUnique(ctx, env.topics.map((t, i) => ({ key: t.name, path: ['topics', i, 'name'] })), 'topic name');
  checkUnique(
    ctx,
    env.topics.flatMap((t, i) => t.subscriptions.map((s, j) => ({ key: s.name, path: ['topics', i, 'subscriptions', j, 'name'] }))),
    'subscription name',
  );
  checkUnique(
    ctx,
    [
      ...env.gke.cpuPools.map((p, i) => ({ key: p.name, path: ['gke', 'cpuPools', i, 'name'] })),
      ...env.gke.gpuPools.map((p, i) => ({ key: p.name, path: ['gke', 'gpuPools', i, 'name'] })),
    ],
    'node pool name',
  );
  // A route is host + path prefix, whichever layer serves it.
  const routes = [
    ...env.services.flatMap((s, i) => (s.route ? [{ route: s.route, path: ['services', i, 'route', 'pathPrefix'] }] : [])),
    ...env.topics.flatMap((t, i) => (t.ingest ? [{ route: t.ingest, path: ['topics', i, 'ingest', 'pathPrefix'] }] : [])),
  ];
  checkUnique(
    ctx,
    routes.map(({ route, path }) => ({ key: `${route.host}${route.pathPrefix.replace(/\/+$/, '') || '/'}`, path })),
    'route',
  );
  const domains = new Set(env.edge.domains);
  for (const { route, path } of routes) {
    if (!domains.has(route.host)) {
      issue(ctx, [...path.slice(0, -1), 'host'], `"${route.host}" is not in edge.domains (${[...domains].join(', ')})`);
    }
  }

  env.services.forEach((svc, i) => {
    checkServiceShape(ctx, svc, i, env);
    svc.callers.forEach((caller, j) => {
      if (!serviceNames.has(caller)) issue(ctx, ['services', i, 'callers', j], `unknown service "${caller}"`);
      if (caller === svc.name) issue(ctx, ['services', i, 'callers', j], 'a service does not list itself as a caller');
    });
    svc.publishes.forEach((topic, j) => {
      if (!topicNames.has(topic)) issue(ctx, ['services', i, 'publishes', j], `unknown topic "${topic}"`);
    });
    svc.subscribes.forEach((sub, j) => {
      if (!subscriptionNames.has(sub)) issue(ctx, ['services', i, 'subscribes', j], `unknown subscription "${sub}"`);
    });
  });

  for (const name of Object.keys(overrides)) {
    if (!serviceNames.has(name)) issue(ctx, ['overrides', name], `unknown service "${name}"`);
  }

  env.gke.gpuPools.forEach((pool, i) => {
    pool.zones?.forEach((zone, j) => {
      if (!env.gcp.zones.includes(zone)) {
        issue(ctx, ['gke', 'gpuPools', i, 'zones', j], `"${zone}" is not one of gcp.zones (${env.gcp.zones.join(', ')})`);
      }
    });
  });

  if (env.gke.privateEndpoint) {
    env.network.authorizedNetworks.forEach((n, i) => {
      const parsed = parseCidr(n.cidr);
      if (typeof parsed !== 'string' && !PRIVATE_RANGES.some((r) => within(parsed, r))) {
        issue(
          ctx,
          ['network', 'authorizedNetworks', i, 'cidr'],
          `${n.cidr} is public; with gke.privateEndpoint the control plane is reachable only from internal ranges (RFC 1918, 100.64.0.0/10)`,
        );
      }
    });
  }

  if (env.tier === 'production') {
    env.topics.forEach((topic, i) => {
      topic.subscriptions.forEach((sub, j) => {
        if (!sub.deadLetter) {
          issue(ctx, ['topics', i, 'subscriptions', j, 'deadLetter'], 'production subscriptions need a dead-letter topic');
        }
      });
    });
    if (env.edge.armor.preview) issue(ctx, ['edge', 'armor', 'preview'], 'production enforces the WAF: preview must be false');
    if (!env.gke.deletionProtection) issue(ctx, ['gke', 'deletionProtection'], 'production clusters keep deletion protection on');
  }
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
  return env;
});
