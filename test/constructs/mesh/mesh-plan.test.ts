// The mesh plan: authorization from callers and the fronting proxy, mTLS exceptions only for
// callers outside the mesh, sidecar scopes from who calls what, traffic rules where they add something.
import { describe, expect, it } from 'vitest';
import catalog from '../../../environments/index.ts';
import { parseEnvironments } from '../../../environments/load.ts';
import { derivePlan, type PlatformPlan } from '../../../constructs/platform-plan.ts';
import { planMesh } from '../../../constructs/mesh/mesh-plan.ts';
import { VPC_CLIENT_RANGES } from '../../../constructs/k8s/network-plan.ts';
import { prodWithInternalEntries } from '../k8s/internal-entries.ts';

function planOf(name: 'staging' | 'prod'): PlatformPlan {
  const [env] = parseEnvironments(catalog, [name]);
  if (!env) throw new Error(name);
  return derivePlan(env);
}

describe('planMesh', () => {
  const mesh = planMesh(planOf('prod'));
  const policy = (name: string) => mesh.authorizationPolicies.find((p) => p.name === name);

  it('admits exactly the callers and the fronting proxy of each service', () => {
    expect(policy('inventory')?.rules).toEqual([{ principals: ['cluster.local/ns/commerce/sa/orders-api', 'cluster.local/ns/events/sa/event-enricher'], ports: [9090] }]);
    expect(policy('chat')?.rules).toEqual([{ principals: ['cluster.local/ns/edge/sa/edge-gateway'], ports: [8080] }]);
    // key-auth via Kong is checked by Kong itself: Kong's identity is enough.
    expect(policy('market-feed')?.rules).toEqual([{ principals: ['cluster.local/ns/edge/sa/edge-gateway'], ports: [8080] }]);
    expect(policy('orders-api')?.rules).toEqual([{ principals: ['cluster.local/ns/edge/sa/kong'], requestPrincipals: ['https://auth.acme.example//*'], ports: [8080] }]);
    expect(policy('event-enricher')?.rules).toEqual([]);
    expect(policy('kong')?.rules).toEqual([{ principals: ['cluster.local/ns/edge/sa/nginx'], ports: [8000, 9080] }]);
    expect(mesh.requestAuthentications.map((r) => r.name)).toEqual(['orders-api']);
  });

  it('scopes each namespace\'s sidecars to the hosts its workloads call, and the collector they send spans to', () => {
    const collector = 'telemetry/otel-collector.telemetry.svc.cluster.local';
    expect(mesh.sidecars.find((s) => s.namespace === 'events')?.hosts).toEqual(['istio-system/*', 'commerce/inventory.commerce.svc.cluster.local', collector]);
    expect(mesh.sidecars.find((s) => s.namespace === 'ml')?.hosts).toEqual(['istio-system/*', collector]);
    for (const s of mesh.sidecars) expect(s.hosts, s.namespace).toContain(collector);
  });

  it('adds DestinationRules only for services that receive mesh traffic, VirtualServices only for canaries', () => {
    expect(mesh.destinationRules.map((d) => d.name).sort()).toEqual(['chat', 'inventory', 'llm-inference', 'market-feed', 'orders-api']);
    expect(mesh.virtualServices).toEqual([]);
    expect(planMesh(planOf('staging')).virtualServices).toEqual([
      { name: 'chat', namespace: 'realtime', host: 'chat.realtime.svc.cluster.local', port: 8080, canaryWeight: 20 },
    ]);
  });

  it('keeps mTLS STRICT, with plaintext ports only for callers outside the mesh', () => {
    expect(mesh.peerAuthentications.map((p) => [p.namespace, p.name, p.mode, p.permissivePorts])).toEqual([
      ['istio-system', 'default', 'STRICT', []],
      ['edge', 'nginx', 'STRICT', [8080, 8443]],
    ]);
    const internal = planMesh(prodWithInternalEntries());
    expect(internal.peerAuthentications.slice(2).map((p) => [p.name, p.permissivePorts])).toEqual([
      ['inventory', [9090]],
      ['ledger', [8080]],
    ]);
    const inventory = internal.authorizationPolicies.find((p) => p.name === 'inventory');
    expect(inventory?.rules.at(-1)).toEqual({ ipBlocks: VPC_CLIENT_RANGES, ports: [9090] });
  });
});
