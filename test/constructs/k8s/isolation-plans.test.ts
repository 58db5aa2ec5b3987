// The namespace quota and network plans: sized and allowed from the catalog — including the
// internal entries (load balancers outside the mesh) a catalog may declare.
import { describe, expect, it } from 'vitest';
import catalog from '../../../environments/index.ts';
import prod from '../../../environments/prod.ts';
import { parseEnvironment, parseEnvironments } from '../../../environments/load.ts';
import { derivePlan, type PlatformPlan } from '../../../constructs/platform-plan.ts';
import { planNamespaceQuotas } from '../../../constructs/k8s/namespace-plan.ts';
import { planNetworkPolicies, VPC_CLIENT_RANGES } from '../../../constructs/k8s/network-plan.ts';
import { planSpread } from '../../../constructs/k8s/topology-spread.ts';
import { prodWithInternalEntries } from './internal-entries.ts';

function planOf(name: 'dev' | 'prod'): PlatformPlan {
  const [env] = parseEnvironments(catalog, [name]);
  if (!env) throw new Error(name);
  return derivePlan(env);
}

describe('planNamespaceQuotas', () => {
  it('caps each namespace at its workloads\' maximum scale plus a rollout\'s surge, sidecars counted', () => {
    const quotas = planNamespaceQuotas(planOf('prod'));
    expect(quotas.map((q) => q.namespace)).toEqual(['commerce', 'edge', 'events', 'ml', 'realtime']);
    // ml: llm-inference, max 8 → 10 pods with the surge; 4 CPU + 100m sidecar, 16Gi + 128Mi, one GPU each.
    expect(quotas.find((q) => q.namespace === 'ml')?.quota).toEqual({ cpu: '41000m', memory: '165120Mi', pods: 10, gpus: 10 });
    // No GPU workload, no GPU.
    expect(quotas.filter((q) => q.quota.gpus > 0).map((q) => q.namespace)).toEqual(['ml']);
    // edge: three proxies, max 20 each → 25 pods each.
    expect(quotas.find((q) => q.namespace === 'edge')?.quota.pods).toBe(75);
  });

  it('takes the catalog\'s figures where it gives them', () => {
    const copy = structuredClone(prod);
    copy.kubernetes = { ...copy.kubernetes, namespaces: { ...copy.kubernetes?.namespaces, realtime: { callersFrom: [], quota: { cpu: '40', pods: 60 } } } };
    const parsed = parseEnvironment('prod', copy);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const realtime = planNamespaceQuotas(derivePlan(parsed.env)).find((q) => q.namespace === 'realtime');
    expect(realtime?.quota).toMatchObject({ cpu: '40', pods: 60, gpus: 0 });
  });
});

describe('planNetworkPolicies', () => {
  it('denies ingress in every namespace that runs pods, then allows what the catalog implies', () => {
    const policies = planNetworkPolicies(planOf('dev'));
    expect(policies.filter((p) => p.name === 'default-deny-ingress').map((p) => p.namespace)).toEqual(['commerce', 'custom-metrics', 'edge', 'events', 'ml', 'monitoring', 'realtime', 'telemetry']);
    expect(policies.find((p) => p.name === 'inventory')?.allows).toEqual([
      {
        ports: [9090],
        from: [
          { kind: 'pods', namespace: 'commerce', labels: { 'app.kubernetes.io/name': 'orders-api' } },
          { kind: 'pods', namespace: 'events', labels: { 'app.kubernetes.io/name': 'event-enricher' } },
        ],
        why: 'callers: orders-api, event-enricher',
      },
    ]);
    // A consumer nobody calls gets no allow: the default deny is all it needs.
    expect(policies.find((p) => p.name === 'event-enricher')).toBeUndefined();
  });

  it('admits an internal entry\'s load balancer: the proxy-only subnet (and health checks) for an ALB, VPC clients for passthrough', () => {
    const plan = prodWithInternalEntries();
    const policies = planNetworkPolicies(plan);
    const ledger = policies.find((p) => p.name === 'ledger');
    expect(ledger?.allows.find((a) => a.why.startsWith('internal-alb'))?.from).toEqual([
      { kind: 'cidr', cidr: '10.37.0.0/23' },
      { kind: 'cidr', cidr: '130.211.0.0/22' },
      { kind: 'cidr', cidr: '35.191.0.0/16' },
    ]);
    const inventory = policies.find((p) => p.name === 'inventory');
    expect(inventory?.allows.find((a) => a.why.startsWith('internal-passthrough'))?.from).toEqual(VPC_CLIENT_RANGES.map((cidr) => ({ kind: 'cidr', cidr })));
  });
});

describe('planSpread', () => {
  it('makes zones a hard rule only where there are several', () => {
    expect(planSpread(3).map((c) => c.whenUnsatisfiable)).toEqual(['DoNotSchedule', 'ScheduleAnyway']);
    expect(planSpread(1).map((c) => c.whenUnsatisfiable)).toEqual(['ScheduleAnyway', 'ScheduleAnyway']);
  });
});
