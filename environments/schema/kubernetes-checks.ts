/**
 * Cross-field checks of the Kubernetes layer: who may call across namespaces, quotas that fit
 * the namespace's workloads, canaries that have traffic to split, and production's replica
 * floor. Each reports the path of the field it guards; what an override set is reported at the
 * override.
 */
import type { z } from 'zod';
import type { Environment, Service } from '../schema.ts';
import { MESH_SIDECAR_REQUESTS, canaryReplicas, cpuMillis, memoryMebibytes, type QuotaInput } from './kubernetes.ts';

type Ctx = Pick<z.core.$RefinementCtx<unknown>, 'addIssue'>;
type Path = (string | number)[];

/** Production keeps at least this many replicas of every service (a drain or a zone loss must not take one down). */
export const PRODUCTION_MIN_REPLICAS = 2;

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** The raw override of a service, as far as these checks read it. */
interface OverrideView {
  readonly autoscaling?: { readonly minReplicas?: number };
  readonly canary?: unknown;
}

function overrideOf(overrides: Record<string, unknown>, name: string): OverrideView | undefined {
  const value = overrides[name];
  return value !== null && typeof value === 'object' ? (value as OverrideView) : undefined;
}

/** Whether requests reach the service through the mesh: an edge route (Kong or the gateway in front) or in-mesh callers. */
export function hasMeshTraffic(svc: Service): boolean {
  return svc.route !== undefined || svc.callers.length > 0;
}

function checkProductionReplicas(ctx: Ctx, env: Environment, overrides: Record<string, unknown>): void {
  if (env.tier !== 'production') return;
  env.services.forEach((svc, i) => {
    const min = svc.autoscaling.minReplicas;
    if (min >= PRODUCTION_MIN_REPLICAS) return;
    const overridden = overrideOf(overrides, svc.name)?.autoscaling?.minReplicas !== undefined;
    issue(
      ctx,
      overridden ? ['overrides', svc.name, 'autoscaling', 'minReplicas'] : ['services', i, 'autoscaling', 'minReplicas'],
      `is ${min}; production runs at least ${PRODUCTION_MIN_REPLICAS} replicas of every service, so a node drain or a zone outage never takes one down`,
    );
  });
  if (env.mesh.mtls !== 'STRICT') issue(ctx, ['mesh', 'mtls'], 'production meshes are STRICT: every in-mesh hop is mutually authenticated');
}

function checkCanaries(ctx: Ctx, env: Environment): void {
  env.services.forEach((svc) => {
    if (!svc.canary) return;
    const at: Path = ['overrides', svc.name, 'canary'];
    if (!hasMeshTraffic(svc)) {
      issue(ctx, at, `"${svc.name}" has no mesh route (no edge route, no callers): no in-mesh request would be split between stable and canary`);
    }
    const same = svc.canary.image.digest ? svc.canary.image.digest === svc.image.digest : svc.canary.image.tag === svc.image.tag;
    if (same) issue(ctx, [...at, 'image'], 'is the stable image; a canary runs another tag or digest');
  });
}

function checkCallers(ctx: Ctx, env: Environment): void {
  const byName = new Map(env.services.map((s) => [s.name, s]));
  env.services.forEach((svc, i) => {
    const allowed = env.kubernetes.namespaces[svc.namespace]?.callersFrom;
    if (allowed === undefined) return;
    svc.callers.forEach((name, j) => {
      const caller = byName.get(name);
      if (!caller || caller.namespace === svc.namespace || allowed.includes(caller.namespace)) return;
      const admitted = allowed.length === 0 ? 'no other namespace' : allowed.join(', ');
      issue(
        ctx,
        ['services', i, 'callers', j],
        `"${name}" runs in namespace ${caller.namespace}, and kubernetes.namespaces.${svc.namespace}.callersFrom admits callers from ${admitted} only: add "${caller.namespace}" there or remove the caller`,
      );
    });
  });
}

interface Need {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly pods: number;
  readonly gpus: number;
  readonly parts: readonly string[];
}

/** What a namespace's workloads request at their minimum replicas, canaries and mesh sidecars included. */
export function minimumRequests(env: Environment, namespace: string): Need {
  const sidecarCpu = cpuMillis(MESH_SIDECAR_REQUESTS.cpu);
  const sidecarMiB = memoryMebibytes(MESH_SIDECAR_REQUESTS.memory);
  const production = env.tier === 'production';
  let need: Need = { cpuMillis: 0, memoryMiB: 0, pods: 0, gpus: 0, parts: [] };
  for (const svc of env.services.filter((s) => s.namespace === namespace)) {
    const stable = { min: svc.autoscaling.minReplicas, max: svc.autoscaling.maxReplicas };
    const pods = stable.min + (svc.canary ? canaryReplicas(stable, svc.canary.weight, production).min : 0);
    const cpu = cpuMillis(svc.resources.cpu) + sidecarCpu;
    const mem = memoryMebibytes(svc.resources.memory) + sidecarMiB;
    need = {
      cpuMillis: need.cpuMillis + pods * cpu,
      memoryMiB: need.memoryMiB + pods * mem,
      pods: need.pods + pods,
      gpus: need.gpus + pods * (svc.gpu?.count ?? 0),
      parts: [...need.parts, `${svc.name} ${pods} × (${cpu}m, ${mem}Mi)`],
    };
  }
  return need;
}

function checkQuota(ctx: Ctx, env: Environment, namespace: string, quota: QuotaInput): void {
  const need = minimumRequests(env, namespace);
  const at = (field: string): Path => ['kubernetes', 'namespaces', namespace, 'quota', field];
  const detail = `at minimum replicas, sidecars included (${need.parts.join('; ')})`;
  if (quota.cpu !== undefined && cpuMillis(quota.cpu) < need.cpuMillis) {
    issue(ctx, at('cpu'), `${quota.cpu} is below the ${need.cpuMillis}m the namespace's workloads request ${detail}`);
  }
  if (quota.memory !== undefined && memoryMebibytes(quota.memory) < need.memoryMiB) {
    issue(ctx, at('memory'), `${quota.memory} is below the ${need.memoryMiB}Mi the namespace's workloads request ${detail}`);
  }
  if (quota.pods !== undefined && quota.pods < need.pods) issue(ctx, at('pods'), `${quota.pods} is below the ${need.pods} pods the namespace runs ${detail}`);
  if (quota.gpus !== undefined && quota.gpus < need.gpus) issue(ctx, at('gpus'), `${quota.gpus} is below the ${need.gpus} GPUs the namespace's workloads request at minimum replicas`);
}

function checkNamespaces(ctx: Ctx, env: Environment): void {
  const inUse = new Set(env.services.map((s) => s.namespace));
  const known = [...inUse].sort().join(', ');
  for (const [namespace, settings] of Object.entries(env.kubernetes.namespaces)) {
    if (!inUse.has(namespace)) {
      issue(ctx, ['kubernetes', 'namespaces', namespace], `no service runs in namespace "${namespace}" (services run in ${known})`);
      continue;
    }
    settings.callersFrom?.forEach((from, k) => {
      if (!inUse.has(from)) issue(ctx, ['kubernetes', 'namespaces', namespace, 'callersFrom', k], `no service runs in namespace "${from}" (services run in ${known})`);
    });
    if (settings.quota) checkQuota(ctx, env, namespace, settings.quota);
  }
}

export function checkKubernetes(env: Environment, ctx: Ctx, overrides: Record<string, unknown>): void {
  checkProductionReplicas(ctx, env, overrides);
  checkCanaries(ctx, env);
  checkCallers(ctx, env);
  checkNamespaces(ctx, env);
}
