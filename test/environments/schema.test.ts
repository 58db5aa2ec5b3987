import { describe, expect, it } from 'vitest';
import catalog from '../../environments/index.ts';
import prod from '../../environments/prod.ts';
import type { EnvironmentInput } from '../../environments/schema.ts';
import { CatalogError, parseEnvironment, parseEnvironments } from '../../environments/load.ts';

/** A deep copy of prod with one change applied, so every case starts from a valid environment. */
function prodWith(change: (env: EnvironmentInput) => void): EnvironmentInput {
  const copy = structuredClone(prod);
  change(copy);
  return copy;
}

function problemsOf(raw: EnvironmentInput): string[] {
  const result = parseEnvironment('prod', raw);
  if (result.ok) throw new Error('expected the environment to be rejected');
  return result.problems;
}

describe('the catalog', () => {
  it('accepts dev, staging and prod', () => {
    const envs = parseEnvironments(catalog);
    expect(envs.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
  });

  it('fills defaults that depend on other fields', () => {
    const [dev] = parseEnvironments(catalog, ['dev']);
    const chat = dev?.services.find((s) => s.name === 'chat');
    // WebSocket → via gateway by default; host from the first edge domain; catalog timeouts kept.
    expect(chat?.route).toEqual({ host: 'api.dev.acme.example', pathPrefix: '/ws/chat', via: 'gateway', maxBodyBytes: 65_536 });
    expect(chat?.timeouts).toEqual({ requestSec: 10, idleSec: 300, maxStreamSec: 7200 });
    const orders = dev?.services.find((s) => s.name === 'orders-api');
    expect(orders?.route?.via).toBe('kong');
    expect(orders?.timeouts).toEqual({ requestSec: 30, idleSec: 30, maxStreamSec: 30 });
    // dev's override replaced the scale but kept the CPU target.
    expect(orders?.autoscaling).toMatchObject({ minReplicas: 1, maxReplicas: 2, cpuPercent: 65 });
  });

  it('applies image overrides per environment', () => {
    const [staging] = parseEnvironments(catalog, ['staging']);
    expect(staging?.services.find((s) => s.name === 'orders-api')?.image).toMatchObject({ name: 'orders-api', tag: '1.9.0-rc.1' });
  });
});

describe('bad environments are rejected with the path of the field', () => {
  const cases: [string, (env: EnvironmentInput) => void, string][] = [
    ['a route path without a leading slash', (e) => { e.services![0]!.route!.pathPrefix = 'v1/orders'; }, 'prod.services[0].route.pathPrefix: must start with "/"'],
    ['overlapping CIDRs', (e) => { e.network.serviceCidr = '10.33.0.0/20'; }, 'prod.network.serviceCidr: 10.33.0.0/20 overlaps podCidr 10.32.0.0/14'],
    ['a CIDR with host bits', (e) => { e.network.nodeCidr = '10.30.0.1/20'; }, 'prod.network.nodeCidr: "10.30.0.1/20" has host bits set'],
    ['a control plane open to the world', (e) => { e.gke.privateEndpoint = false; e.network.authorizedNetworks = [{ name: 'corp', cidr: '10.200.0.0/16' }, { name: 'anywhere', cidr: '0.0.0.0/0' }]; }, 'prod.network.authorizedNetworks[1].cidr: 0.0.0.0/0 opens the control plane to the whole internet; list the networks that administer the cluster (VPN, CI egress)'],
    ['a duplicate service name', (e) => { e.services = [...e.services!, { ...e.services![1]!, port: 9091 }]; }, 'prod.services[6].name: duplicate service name "inventory"'],
    ['a route collision', (e) => { e.services![3]!.route!.pathPrefix = '/ws/chat/'; }, 'prod.services[3].route.pathPrefix: duplicate route "api.acme.example/ws/chat"'],
    ['an unknown caller', (e) => { e.services![1]!.callers = ['orders-api', 'billing']; }, 'prod.services[1].callers[1]: unknown service "billing"'],
    ['an unknown topic', (e) => { e.services![0]!.publishes = ['orders']; }, 'prod.services[0].publishes[0]: unknown topic "orders"'],
    ['an unknown subscription', (e) => { e.services![5]!.subscribes = ['nope']; }, 'prod.services[5].subscribes[0]: unknown subscription "nope"'],
    ['a GPU service without a pool of its type', (e) => { e.services![4]!.gpu = { accelerator: 'nvidia-tesla-t4' }; }, 'prod.services[4].gpu.accelerator: no GPU pool offers nvidia-tesla-t4'],
    ['a machine type that cannot carry the GPU', (e) => { e.gke.gpuPools![0]!.machineType = 'n2-standard-8'; }, 'prod.gke.gpuPools[0].machineType: n2-standard-8 does not carry nvidia-l4'],
    ['a MIG size the GPU lacks', (e) => { e.gke.gpuPools![1]!.sharing = { strategy: 'mig', partitionSize: '1g.5gb' }; }, 'prod.gke.gpuPools[1].sharing.partitionSize: "1g.5gb" is not a MIG partition of nvidia-h100-80gb'],
    ['a production subscription without a dead-letter topic', (e) => { e.topics = [{ name: 'audit', subscriptions: [{ name: 'audit-sink' }] }]; e.services = e.services!.map((s) => ({ ...s, publishes: [], subscribes: s.subscribes?.length ? ['audit-sink'] : [] })); }, 'prod.topics[0].subscriptions[0].deadLetter: production subscriptions need a dead-letter topic'],
    ['a stream longer than the GLB allows', (e) => { e.services![2]!.timeouts = { maxStreamSec: 86_400 }; }, 'prod.services[2].timeouts.maxStreamSec: must be ≤ 86385'],
    ['an idle timeout above the stream lifetime', (e) => { e.services![2]!.timeouts = { idleSec: 9000, maxStreamSec: 7200 }; }, 'prod.services[2].timeouts.idleSec: is above maxStreamSec (7200)'],
    ['a route host outside the edge domains', (e) => { e.services![0]!.route!.host = 'api.other.example'; }, 'prod.services[0].route.host: "api.other.example" is not in edge.domains'],
    ['a zone outside the region', (e) => { e.gcp.zones = ['europe-west4-a', 'us-central1-a']; }, 'prod.gcp.zones[1]: "us-central1-a" is not a zone of region europe-west4'],
    ['an override of an unknown service', (e) => { e.overrides = { billing: { autoscaling: { maxReplicas: 3 } } }; }, 'prod.overrides.billing: unknown service "billing"'],
    ['a WAF in preview in production', (e) => { e.edge.armor.preview = true; }, 'prod.edge.armor.preview: production enforces the WAF'],
    ['a maintenance window GKE would reject (< 48 h per 32 days)', (e) => { e.gke.maintenanceWindow = { start: '2026-01-04T01:00:00Z', end: '2026-01-04T05:00:00Z', recurrence: 'FREQ=WEEKLY;BYDAY=SU' }; }, 'prod.gke.maintenanceWindow.recurrence: allows 16 h per 32 days; GKE requires at least 48 h'],
    ['a maintenance window shorter than 4 h', (e) => { e.gke.maintenanceWindow = { start: '2026-01-04T01:00:00Z', end: '2026-01-04T04:00:00Z', recurrence: 'FREQ=DAILY' }; }, 'prod.gke.maintenanceWindow.end: windows must last at least 4 h'],
    ['two GPUs from a time-shared pool', (e) => { e.gke.gpuPools![0]!.sharing = { strategy: 'time-sharing', maxSharedClientsPerGpu: 2 }; e.services![4]!.gpu = { accelerator: 'nvidia-l4', count: 2 }; }, 'prod.services[4].gpu.count: needs an unshared nvidia-l4 pool with ≥ 2 GPUs per node'],
    ['a memory request above its limit', (e) => { e.overrides = { 'llm-inference': { resources: { memory: '32Gi' } } }; }, 'prod.services[4].resources.memory: request 32Gi is above the limit 16Gi'],
    ['a public authorized network with a private endpoint', (e) => { e.network.authorizedNetworks = [{ name: 'office', cidr: '198.51.100.0/24' }]; }, 'prod.network.authorizedNetworks[0].cidr: 198.51.100.0/24 is public'],
    ['an override image with neither tag nor digest', (e) => { e.overrides = { chat: { image: {} } }; }, 'prod.overrides.chat.image: give exactly one of tag or digest'],
    ['an override digest that is not a digest', (e) => { e.overrides = { chat: { image: { digest: 'abc' } } }; }, 'prod.overrides.chat.image.digest: must be sha256:<64 hex>'],
    ['a Pub/Sub id shorter than 3 characters', (e) => { e.topics![1]!.name = 'oe'; }, 'prod.topics[1].name: Pub/Sub ids are at least 3 characters'],
    ['an image with both tag and digest', (e) => { e.services![0]!.image = { name: 'orders-api', tag: '1', digest: `sha256:${'a'.repeat(64)}` }; }, 'prod.services[0].image: give exactly one of tag or digest'],
  ];

  it.each(cases)('%s', (_label, change, expected) => {
    const problems = problemsOf(prodWith(change));
    expect(problems.some((p) => p.startsWith(expected)), `expected "${expected}" in:\n${problems.join('\n')}`).toBe(true);
  });

  it('reports every problem, in every environment, in one pass', () => {
    const broken = {
      ...catalog,
      prod: prodWith((e) => {
        e.services![0]!.route!.pathPrefix = 'nope';
        e.network.podCidr = '10.30.0.0/16';
      }),
      dev: { ...catalog.dev, gcp: { ...catalog.dev.gcp, projectId: 'X' } },
    };
    try {
      parseEnvironments(broken);
      expect.unreachable('the catalog should be rejected');
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      const { problems } = err as CatalogError;
      expect(problems).toContainEqual(expect.stringMatching(/^dev\.gcp\.projectId: must be a GCP project id/));
      expect(problems).toContainEqual(expect.stringMatching(/^prod\.services\[0\]\.route\.pathPrefix: must start with "\/"/));
      expect(problems).toContainEqual(expect.stringMatching(/^prod\.network\.podCidr: 10\.30\.0\.0\/16 overlaps nodeCidr/));
    }
  });

  it('rejects an environment registered under another name', () => {
    const result = parseEnvironment('qa', prod);
    expect(result).toEqual({ ok: false, problems: ['qa.name: is "prod" but the catalog registers it as "qa"'] });
  });
});
