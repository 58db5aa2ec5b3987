/**
 * Cross-field checks over a resolved Environment: uniqueness, references, route collisions,
 * GPU fit, private endpoints, production rules. Each reports the path of the field it guards.
 */
import type { z } from 'zod';
import type { Environment, Service } from '../schema.ts';
import { parseCidr } from '../cidr.ts';
import { GLB_MAX_TIMEOUT_SEC, HOP_MARGIN_SEC, HOPS_OUTSIDE_SERVICE, MAX_SERVICE_STREAM_SEC } from '../timeout-defaults.ts';
import { PRIVATE_RANGES, within } from './network.ts';
import { topicsNeedingContract } from './topics.ts';

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
  const internal = svc.exposure === 'internal';
  const needsRoute = !internal && (svc.kind === 'public-api' || svc.kind === 'streaming' || svc.kind === 'inference');
  if (needsRoute && !svc.route) issue(ctx, at('route'), `a ${svc.kind} service needs a route (host and pathPrefix)`);
  if (internal && svc.route) {
    issue(ctx, at('route'), 'an exposure: internal service is never on the public GLB; remove the route (its internal load balancer needs none)');
  } else if (!needsRoute && svc.route) {
    issue(ctx, at('route'), `a ${svc.kind} service is not exposed at the edge; remove the route`);
  }
  checkExposure(ctx, svc, at, env);
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
  if (svc.protocol === 'http' && t.requestSec > MAX_SERVICE_STREAM_SEC) {
    // Plain HTTP: the GLB hop is the request's own time plus each outer hop's margin.
    const glbSec = t.requestSec + HOP_MARGIN_SEC * HOPS_OUTSIDE_SERVICE;
    issue(ctx, at('timeouts', 'requestSec'), `must be ≤ ${MAX_SERVICE_STREAM_SEC}: the GLB hop would wait ${glbSec} s, above the ${GLB_MAX_TIMEOUT_SEC} s a GLB backend allows`);
  } else if (svc.protocol !== 'http' && t.maxStreamSec > MAX_SERVICE_STREAM_SEC) {
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

/**
 * `exposure`: public needs a route (the GLB reaches it through the edge chain); internal is for
 * VPC callers only, so never on a public-api, and an internal Application Load Balancer (HTTP,
 * WebSocket, SSE) needs the proxy-only subnet of its region.
 */
function checkExposure(ctx: Ctx, svc: Service, at: (...rest: Path) => Path, env: Environment): void {
  if (svc.exposure === 'internal') {
    if (svc.kind === 'public-api') {
      issue(ctx, at('exposure'), 'a public-api is served through the public GLB; use kind internal-api (or streaming, inference) for an internal-only entry');
    } else if (svc.kind === 'event-consumer') {
      issue(ctx, at('exposure'), 'an event-consumer pulls from Pub/Sub and serves no callers; remove exposure');
    } else if (svc.protocol !== 'grpc' && env.network.proxyOnlyCidr === undefined) {
      issue(ctx, at('exposure'), `an internal Application Load Balancer (${svc.protocol}) needs a proxy-only subnet in ${env.gcp.region}: set network.proxyOnlyCidr`);
    }
  }
  if (svc.exposure === 'public' && (svc.kind === 'internal-api' || svc.kind === 'event-consumer')) {
    issue(ctx, at('exposure'), `an ${svc.kind} has no public route; use exposure: internal for VPC callers`);
  }
}

/**
 * Checks that need every environment at once (run after each one parses): lower environments
 * carry at least the OWASP rule sets production enforces — at a lower sensitivity or in preview
 * if need be — so what production would block shows up in their logs first. Returns messages in
 * the loader's `<env>.<path>: <message>` form.
 */
export function checkAcrossEnvironments(envs: readonly Environment[]): string[] {
  const production = envs.filter((e) => e.tier === 'production');
  return envs
    .filter((e) => e.tier !== 'production')
    .flatMap((lower) =>
      production.flatMap((prod) => {
        const carried = new Set(lower.edge.armor.owasp.map((r) => r.ruleSet));
        const missing = prod.edge.armor.owasp.filter((r) => !carried.has(r.ruleSet)).map((r) => r.ruleSet);
        return missing.length === 0
          ? []
          : [
              `${lower.name}.edge.armor.owasp: lacks ${missing.join(', ')}, which ${prod.name} (production) enforces; ` +
                'lower environments carry every rule set production enforces (in preview or at a lower sensitivity if need be)',
            ];
      }),
    );
}

export function checkEnvironment(env: Environment, ctx: Ctx, overrides: Record<string, unknown>): void {
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
    for (const { index, why } of topicsNeedingContract(env.topics, env.services)) {
      issue(ctx, ['topics', index, 'schema'], `production topics used across teams need a contract (${why}): add schema { type, file, encoding }`);
    }
    if (env.edge.armor.preview) issue(ctx, ['edge', 'armor', 'preview'], 'production enforces the WAF: preview must be false');
    if (!env.gke.deletionProtection) issue(ctx, ['gke', 'deletionProtection'], 'production clusters keep deletion protection on');
  }
}
