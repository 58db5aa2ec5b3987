// The stacks of an environment, named once (infra/stack-order.ts): the cdktf app builds exactly
// those, wired with exactly those dependencies, and the cluster's DNS endpoint they reach it by.
import { describe, expect, it } from 'vitest';
import { buildInfraApp, stacksByKind } from '../../infra/app.ts';
import { environmentStacks, STACK_DEPENDENCIES, STACK_KINDS } from '../../infra/stack-order.ts';
import { parseEnvironments } from '../../environments/load.ts';
import catalog from '../../environments/index.ts';
import { planOf } from '../plan-fixtures.ts';

type Json = Record<string, any>; // synthesized Terraform JSON, read into on purpose

describe('stack order', () => {
  const envs = parseEnvironments(catalog).map((e) => e.name);

  it('lists every stack after the stacks it depends on', () => {
    for (const [i, kind] of STACK_KINDS.entries()) {
      for (const dep of STACK_DEPENDENCIES[kind]) expect(STACK_KINDS.indexOf(dep), `${kind} after ${dep}`).toBeLessThan(i);
    }
    expect(environmentStacks('prod')).toEqual([
      { kind: 'platform', name: 'platform-prod', dependsOn: [] },
      { kind: 'control-planes', name: 'control-planes-prod', dependsOn: ['platform-prod'] },
      { kind: 'k8s', name: 'k8s-prod', dependsOn: ['control-planes-prod'] },
    ]);
  });

  it.each(envs)('%s: the app builds exactly the named stacks, with exactly the named dependencies', (env) => {
    const { app, stacks } = buildInfraApp([planOf(env as 'dev')], () => []);
    const built = stacksByKind(stacks[0]!);
    const named = environmentStacks(env);
    expect(app.node.children.map((c) => c.node.id)).toEqual(named.map((s) => s.name));
    for (const s of named) {
      expect(built[s.kind].node.id).toBe(s.name);
      expect(built[s.kind].dependencies.map((d) => d.node.id), s.name).toEqual(s.dependsOn);
    }
  });
});

describe('GKE DNS-based control-plane endpoint', () => {
  const cluster = (env: 'dev' | 'staging' | 'prod'): Json => {
    const { stacks } = buildInfraApp([planOf(env)], () => []);
    const tf = JSON.parse(JSON.stringify(stacks[0]!.platform.toTerraform())) as Json;
    return Object.values(tf.resource.google_container_cluster as Record<string, Json>)[0]!;
  };

  it.each(['dev', 'staging', 'prod'] as const)('%s: admits IAM-authenticated callers from anywhere through the DNS endpoint', (env) => {
    expect(cluster(env).control_plane_endpoints_config).toEqual({ dns_endpoint_config: { allow_external_traffic: true } });
  });

  it('keeps the IP endpoints as closed as the catalog says: prod private, authorized networks never world-open', () => {
    const prod = cluster('prod');
    expect(prod.private_cluster_config.enable_private_endpoint).toBe(true);
    for (const env of ['dev', 'staging', 'prod'] as const) {
      const blocks = cluster(env).master_authorized_networks_config.cidr_blocks as Json[];
      for (const b of blocks) expect(b.cidr_block, env).not.toMatch(/\/0$/);
    }
  });
});
