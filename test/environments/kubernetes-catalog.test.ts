/**
 * The catalog's Kubernetes-layer values: the label prefix, namespaces (callers allowed in,
 * quotas), canaries and production's replica floor. Bad values are rejected with the path of
 * the field — through the CLI with exit 1 and nothing written.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import catalog from '../../environments/index.ts';
import prod from '../../environments/prod.ts';
import staging from '../../environments/staging.ts';
import type { EnvironmentInput } from '../../environments/schema.ts';
import { parseEnvironment, parseEnvironments } from '../../environments/load.ts';
import { minimumRequests } from '../../environments/schema/kubernetes-checks.ts';
import { ROOT, runCli } from '../cli-process.ts';

function problemsOf(base: EnvironmentInput, change: (env: EnvironmentInput) => void): string[] {
  const copy = structuredClone(base);
  change(copy);
  const result = parseEnvironment(copy.name, copy);
  if (result.ok) throw new Error('expected the environment to be rejected');
  return result.problems;
}

const namespaces = (env: EnvironmentInput): NonNullable<NonNullable<EnvironmentInput['kubernetes']>['namespaces']> => {
  env.kubernetes = { ...env.kubernetes, namespaces: { ...env.kubernetes?.namespaces } };
  return env.kubernetes.namespaces as NonNullable<NonNullable<EnvironmentInput['kubernetes']>['namespaces']>;
};

describe('the Kubernetes section of the catalog', () => {
  it('defaults the label prefix, resolves canaries from overrides, and keeps prod at two replicas or more', () => {
    const [stagingEnv, prodEnv] = parseEnvironments(catalog, ['staging', 'prod']);
    expect(prodEnv?.kubernetes.labelPrefix).toBe('platform.acme.example');
    expect(stagingEnv?.services.find((s) => s.name === 'chat')?.canary).toEqual({ image: { name: 'chat', tag: '0.10.0', digest: undefined }, weight: 20 });
    expect(prodEnv?.services.every((s) => s.autoscaling.minReplicas >= 2)).toBe(true);
    expect(prodEnv?.kubernetes.namespaces.commerce?.callersFrom).toEqual(['events']);
  });

  it('sums a namespace\'s minimum requests with the mesh sidecar and canaries counted', () => {
    const [stagingEnv] = parseEnvironments(catalog, ['staging']);
    if (!stagingEnv) throw new Error('no staging');
    // realtime: chat 2 (catalog default) + its canary 1 (20 % of 2, at least 1), market-feed 2; each pod + the 100m/128Mi sidecar.
    expect(minimumRequests(stagingEnv, 'realtime')).toMatchObject({ cpuMillis: 5 * 350, memoryMiB: 3 * 640 + 2 * 384, pods: 5, gpus: 0 });
  });
});

describe('bad Kubernetes values are rejected with the path of the field', () => {
  const cases: [string, EnvironmentInput, (env: EnvironmentInput) => void, string][] = [
    ['a canary weight of 120', prod, (e) => void (e.overrides = { ...e.overrides, 'orders-api': { canary: { image: { tag: '1.9.0' }, weight: 120 } } }), 'prod.overrides.orders-api.canary.weight: must be 0–100 (percent of requests)'],
    ['a negative canary weight', prod, (e) => void (e.overrides = { ...e.overrides, 'orders-api': { canary: { image: { tag: '1.9.0' }, weight: -5 } } }), 'prod.overrides.orders-api.canary.weight: must be 0–100'],
    [
      'a canary on a service without a mesh route',
      prod,
      (e) => void (e.overrides = { ...e.overrides, 'event-enricher': { autoscaling: { minReplicas: 2 }, canary: { image: { tag: '1.3.0' }, weight: 10 } } }),
      'prod.overrides.event-enricher.canary: "event-enricher" has no mesh route (no edge route, no callers)',
    ],
    ['a canary of the stable image', staging, (e) => void (e.overrides = { ...e.overrides, chat: { canary: { image: { tag: '0.9.4' }, weight: 20 } } }), 'staging.overrides.chat.canary.image: is the stable image'],
    [
      'a caller from a namespace the callee does not admit',
      prod,
      (e) => void (namespaces(e).commerce = { callersFrom: [] }),
      'prod.services[1].callers[1]: "event-enricher" runs in namespace events, and kubernetes.namespaces.commerce.callersFrom admits callers from no other namespace only',
    ],
    [
      'a quota below the namespace\'s minimum requests',
      prod,
      (e) => void (namespaces(e).commerce = { callersFrom: ['events'], quota: { cpu: '1', memory: '1Gi', pods: 2 } }),
      'prod.kubernetes.namespaces.commerce.quota.cpu: 1 is below the 2500m the namespace\'s workloads request at minimum replicas',
    ],
    ['a GPU quota below the GPU workloads\' minimum', prod, (e) => void (namespaces(e).ml = { callersFrom: [], quota: { gpus: 1 } }), 'prod.kubernetes.namespaces.ml.quota.gpus: 1 is below the 2 GPUs'],
    ['settings for a namespace no service runs in', prod, (e) => void (namespaces(e).billing = { callersFrom: [] }), 'prod.kubernetes.namespaces.billing: no service runs in namespace "billing"'],
    ['callers from an unknown namespace', prod, (e) => void (namespaces(e).ml = { callersFrom: ['analytics'] }), 'prod.kubernetes.namespaces.ml.callersFrom[0]: no service runs in namespace "analytics"'],
    ['one replica in production, by override', prod, (e) => void (e.overrides = { ...e.overrides, chat: { autoscaling: { minReplicas: 1 } } }), 'prod.overrides.chat.autoscaling.minReplicas: is 1; production runs at least 2 replicas'],
    [
      'one replica in production, from the shared catalog',
      prod,
      (e) => {
        const { 'event-enricher': _dropped, ...rest } = e.overrides ?? {};
        e.overrides = rest;
      },
      'prod.services[5].autoscaling.minReplicas: is 1; production runs at least 2 replicas',
    ],
    ['a PERMISSIVE production mesh', prod, (e) => void (e.mesh = { mtls: 'PERMISSIVE' }), 'prod.mesh.mtls: production meshes are STRICT'],
    ['a label prefix Kubernetes reserves', prod, (e) => void (e.kubernetes = { ...e.kubernetes, labelPrefix: 'apps.kubernetes.io' }), 'prod.kubernetes.labelPrefix: kubernetes.io and k8s.io are reserved'],
    ['a label prefix that is no DNS subdomain', prod, (e) => void (e.kubernetes = { ...e.kubernetes, labelPrefix: 'Platform' }), 'prod.kubernetes.labelPrefix: must be a DNS subdomain'],
  ];

  it.each(cases)('%s', (_label, base, change, expected) => {
    const problems = problemsOf(base, change);
    expect(problems.some((p) => p.startsWith(expected)), `expected "${expected}" in:\n${problems.join('\n')}`).toBe(true);
  });

  it('accepts a canary weight of 0 and of 100 (all traffic to one track)', () => {
    for (const weight of [0, 100]) {
      const copy = structuredClone(prod);
      copy.overrides = { ...copy.overrides, 'orders-api': { autoscaling: { minReplicas: 3 }, canary: { image: { tag: '1.9.0' }, weight } } };
      expect(parseEnvironment('prod', copy).ok).toBe(true);
    }
  });

  it('rejects all three through the CLI: path-named messages, exit 1, nothing written', async () => {
    const out = await mkdtemp(join(tmpdir(), 'k8s-catalog-'));
    try {
      const module = join(out, 'broken-catalog.ts');
      await writeFile(
        module,
        `import catalog from '${pathToFileURL(join(ROOT, 'environments/index.ts')).href}';
// A structural problem (prod) and two cross-field ones (dev): each environment reports its own.
const prod = structuredClone(catalog.prod);
prod.overrides = { ...prod.overrides, 'orders-api': { canary: { image: { tag: '1.9.0' }, weight: 120 } } };
const dev = structuredClone(catalog.dev);
dev.kubernetes = { ...dev.kubernetes, namespaces: { ...dev.kubernetes.namespaces, commerce: { callersFrom: [], quota: { memory: '512Mi' } } } };
export default { ...catalog, dev, prod };
`,
      );
      const run = await runCli(['synth', '--out', join(out, 'output'), '--catalog', module], { timeoutMs: 60_000 });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('prod.overrides.orders-api.canary.weight: must be 0–100 (percent of requests)');
      expect(run.stderr).toMatch(/dev\.services\[1\]\.callers\[1\]: "event-enricher" runs in namespace events/);
      expect(run.stderr).toMatch(/dev\.kubernetes\.namespaces\.commerce\.quota\.memory: 512Mi is below the \d+Mi/);
      expect(run.stderr).toContain('the catalog has 3 problems');
      expect(run.stdout).toBe('');
      expect(await readdir(out)).toEqual(['broken-catalog.ts']);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
