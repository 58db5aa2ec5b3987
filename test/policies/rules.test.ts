import { describe, expect, it } from 'vitest';
import { App, Testing as TfTesting } from 'cdktf';
import { Testing as K8sTesting } from 'cdk8s';
import { PlatformStack } from '../../infra/platform-stack.ts';
import { buildChartsApp } from '../../charts/platform-charts.ts';
import { evaluate, type EnvironmentArtifacts, type KubernetesObject } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { planOf } from '../plan-fixtures.ts';

/** The real synthesized output of prod, as the policies see it. */
function prodArtifacts(): EnvironmentArtifacts {
  const plan = planOf('prod');
  const tf = JSON.parse(TfTesting.synth(new PlatformStack(new App({ stackTraces: false }), { plan }))) as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
  };
  const resources = Object.entries(tf.resource).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, values]) => ({ type, name, address: `${type}.${name}`, values })),
  );
  const kubernetes = buildChartsApp(plan, K8sTesting.app().outdir).charts.flatMap((c) =>
    (K8sTesting.synth(c) as KubernetesObject[]).map((object) => ({ file: `dist/prod/${c.node.id}.yaml`, object })),
  );
  return { env: 'prod', terraform: { file: 'cdktf.out/stacks/platform-prod/cdk.tf.json', resources }, kubernetes, edge: {} };
}

type Json = Record<string, any>; // eslint-style escape: tests poke into untyped synthesized JSON on purpose

function mutateResource(a: EnvironmentArtifacts, type: string, name: string, change: (values: Json) => void): EnvironmentArtifacts {
  const copy = structuredClone(a);
  const r = copy.terraform.resources.find((x) => x.type === type && x.values.name === name);
  if (!r) throw new Error(`${type} ${name} missing`);
  change(r.values as Json);
  return copy;
}

function mutateObject(a: EnvironmentArtifacts, kind: string, name: string, change: (o: Json) => void): EnvironmentArtifacts {
  const copy = structuredClone(a);
  const o = copy.kubernetes.find((x) => x.object.kind === kind && x.object.metadata.name === name);
  if (!o) throw new Error(`${kind} ${name} missing`);
  change(o.object as Json);
  return copy;
}

const findingsOf = (a: EnvironmentArtifacts) => evaluate(RULES, [a]).map((f) => `${f.ruleId} ${f.target.address}: ${f.message}`);

describe('policies over synthesized output', () => {
  const good = prodArtifacts();

  it('pass on what the constructs synthesize for prod', () => {
    expect(findingsOf(good)).toEqual([]);
  });

  it('GKE001 flags a cluster with public nodes or without Workload Identity', () => {
    const bad = mutateResource(good, 'google_container_cluster', 'platform-prod', (v) => {
      v.private_cluster_config.enable_private_nodes = false;
      delete v.workload_identity_config;
    });
    const found = findingsOf(bad);
    expect(found).toContainEqual(expect.stringMatching(/^GKE001 google_container_cluster\.gke_cluster_\w+: nodes have public IP addresses/));
    expect(found).toContainEqual(expect.stringMatching(/^GKE001 .*: Workload Identity is off/));
  });

  it('GKE002 flags a GPU pool without the GPU taint', () => {
    const bad = mutateResource(good, 'google_container_node_pool', 'l4', (v) => {
      v.node_config.taint = [];
    });
    expect(findingsOf(bad)).toEqual([expect.stringMatching(/^GKE002 google_container_node_pool\.gke_pool-l4_pool_\w+: GPU pool without/)]);
  });

  it('K8S001 flags a container that may escalate privileges or write its root filesystem', () => {
    const bad = mutateObject(good, 'Deployment', 'chat', (o) => {
      const sc = o.spec.template.spec.containers[0].securityContext;
      sc.allowPrivilegeEscalation = true;
      sc.readOnlyRootFilesystem = false;
    });
    expect(findingsOf(bad)).toEqual([
      'K8S001 Deployment/realtime/chat#chat: root filesystem is writable',
      'K8S001 Deployment/realtime/chat#chat: privilege escalation is allowed',
    ]);
  });

  it('K8S002 flags a non-GPU pod that tolerates the GPU taint', () => {
    const bad = mutateObject(good, 'Deployment', 'orders-api', (o) => {
      o.spec.template.spec.tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
    });
    expect(findingsOf(bad)).toEqual([
      'K8S002 Deployment/commerce/orders-api: tolerates the GPU taint without requesting a GPU: it would occupy GPU nodes',
    ]);
  });

  it('K8S002 flags a GPU pod whose toleration does not match the GPU taint', () => {
    const bad = mutateObject(good, 'Deployment', 'llm-inference', (o) => {
      o.spec.template.spec.tolerations = [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'other', effect: 'NoSchedule' }];
    });
    expect(findingsOf(bad)).toEqual([
      'K8S002 Deployment/ml/llm-inference: requests a GPU but does not tolerate the GPU taint: it will never schedule',
    ]);
  });

  it('K8S001 and K8S002 also judge pods inside CronJobs', () => {
    const cron = structuredClone(good);
    const dep = cron.kubernetes.find((k) => k.object.kind === 'Deployment' && k.object.metadata.name === 'orders-api');
    const template = structuredClone((dep?.object as Json).spec.template);
    template.spec.tolerations = [{ operator: 'Exists' }];
    template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    (cron.kubernetes as EnvironmentArtifacts['kubernetes'][number][]).push({
      file: 'dist/prod/extra.yaml',
      object: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'commerce' }, spec: { schedule: '@daily', jobTemplate: { spec: { template } } } },
    });
    expect(findingsOf(cron)).toEqual([
      'K8S001 CronJob/commerce/report#orders-api: root filesystem is writable',
      'K8S002 CronJob/commerce/report: tolerates the GPU taint without requesting a GPU: it would occupy GPU nodes',
    ]);
  });

  it('K8S003 flags an HPA whose target does not exist', () => {
    const bad = mutateObject(good, 'HorizontalPodAutoscaler', 'inventory', (o) => {
      o.spec.scaleTargetRef.name = 'inventroy';
    });
    expect(findingsOf(bad)).toEqual([
      'K8S003 HorizontalPodAutoscaler/commerce/inventory: scales Deployment/commerce/inventroy, which is not in the synthesized output',
    ]);
  });

  it('gives every rule an id, a severity and a description, with unique ids', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) expect(r.description.length).toBeGreaterThan(20);
  });
});
