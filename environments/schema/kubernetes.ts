/**
 * The catalog's `kubernetes` section: the label prefix every platform label and annotation
 * carries, and per-namespace settings — who may call into a namespace, and its quota when the
 * derived one does not fit. Also the one mesh fact quotas and their checks need: what Istio's
 * injected sidecar requests per pod.
 */
import { z } from 'zod';
import { cpuQuantity, dnsLabel, memoryQuantity } from './primitives.ts';

export const DEFAULT_LABEL_PREFIX = 'platform.acme.example';

/**
 * Requests of the sidecar Istio injects into every pod of a mesh namespace (istiod's default
 * `global.proxy.resources.requests`): a ResourceQuota counts them like the app's own.
 */
export const MESH_SIDECAR_REQUESTS = { cpu: '100m', memory: '128Mi' } as const;

/** A DNS subdomain that Kubernetes does not reserve (kubernetes.io, k8s.io are its own). */
const labelPrefix = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, 'must be a DNS subdomain like platform.example.com')
  .refine((p) => !/(^|\.)(kubernetes\.io|k8s\.io)$/.test(p), 'kubernetes.io and k8s.io are reserved for Kubernetes itself');

const QuotaSchema = z.object({
  /** requests.cpu for the whole namespace, sidecars included. */
  cpu: cpuQuantity.optional(),
  /** requests.memory for the whole namespace, sidecars included. */
  memory: memoryQuantity.optional(),
  pods: z.number().int().positive().optional(),
  /** requests.nvidia.com/gpu; namespaces without GPU workloads get 0. */
  gpus: z.number().int().nonnegative().optional(),
});
export type QuotaInput = z.infer<typeof QuotaSchema>;

const NamespaceSchema = z.object({
  /**
   * Namespaces whose services may be callers of this namespace's services (the namespace's own
   * services always may; the edge proxies reach routed services regardless). Absent: any.
   */
  callersFrom: z.array(dnsLabel).optional(),
  /** Overrides of the quota derived from the namespace's workloads (max replicas + rollout surge). */
  quota: QuotaSchema.optional(),
});
export type NamespaceSettings = z.infer<typeof NamespaceSchema>;

export const KubernetesSchema = z
  .object({
    /** Prefix of the platform's own labels and annotations (`<prefix>/environment`, `<prefix>/track`). */
    labelPrefix: labelPrefix.default(DEFAULT_LABEL_PREFIX),
    namespaces: z.record(dnsLabel, NamespaceSchema).default({}),
  })
  .prefault({});

/** `<prefix>/<name>`: a platform label or annotation key. */
export function platformKey(prefix: string, name: string): string {
  return `${prefix}/${name}`;
}

/** "250m" → 250, "2" → 2000, "1.5" → 1500. */
export function cpuMillis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

const MEBIBYTES: Readonly<Record<string, number>> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

/** "512Mi" → 512, "16Gi" → 16384. */
export function memoryMebibytes(quantity: string): number {
  return Number(quantity.slice(0, -2)) * (MEBIBYTES[quantity.slice(-2)] ?? Number.NaN);
}

/**
 * How a canary is sized: its share of the stable replica bounds (rounded up), never below
 * one replica — nor below two in production, where every autoscaler keeps two.
 */
export function canaryReplicas(
  stable: { readonly min: number; readonly max: number },
  weight: number,
  production: boolean,
): { min: number; max: number } {
  const floor = production ? 2 : 1;
  const min = Math.max(floor, Math.ceil((stable.min * weight) / 100));
  return { min, max: Math.max(min, Math.ceil((stable.max * weight) / 100)) };
}
