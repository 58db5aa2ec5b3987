// k8s-<env>: the pinned control planes and exactly the objects of dist/<env>/, addressed by
// kind/namespace/name, reached with short-lived credentials only.
import { describe, expect, it } from 'vitest';
import { Testing } from 'cdk8s';
import { buildCharts, chartObjects } from '../../charts/platform-charts.ts';
import { buildInfraApp } from '../../infra/app.ts';
import { manifestId, type ManifestObject } from '../../infra/k8s-stack.ts';
import { derivePlan, type PlatformPlan } from '../../constructs/platform-plan.ts';
import { parseEnvironments } from '../../environments/load.ts';
import catalog from '../../environments/index.ts';
import type { EnvironmentInput } from '../../environments/schema.ts';
import { planOf } from '../plan-fixtures.ts';

type Json = Record<string, any>; // synthesized Terraform JSON, read into on purpose

function synthK8s(plan: PlatformPlan): { tf: Json; objects: ManifestObject[]; json: string } {
  const objects = chartObjects(buildCharts(plan, Testing.app().outdir).app);
  const { stacks } = buildInfraApp([plan], () => objects);
  const stack = stacks[0]?.k8s;
  if (!stack) throw new Error('no k8s stack');
  const json = JSON.stringify(stack.toTerraform());
  return { tf: JSON.parse(json) as Json, objects, json };
}

describe('k8s-<env> stack', () => {
  for (const envName of ['dev', 'staging', 'prod'] as const) {
    it(`${envName}: applies exactly the objects of dist/${envName}/, one manifest per kind/namespace/name`, () => {
      const { tf, objects } = synthK8s(planOf(envName));
      const manifests = tf.resource.kubernetes_manifest as Record<string, { manifest: ManifestObject; depends_on?: string[] }>;
      expect(Object.keys(manifests).sort()).toEqual(objects.map((o) => `manifest-${manifestId(o)}`).sort());
      expect(new Set(objects.map(manifestId)).size).toBe(objects.length);
      for (const o of objects) expect(manifests[`manifest-${manifestId(o)}`]?.manifest).toEqual(JSON.parse(JSON.stringify(o)));
    });
  }

  it('keeps every other address when a service is added', () => {
    const base = synthK8s(planOf('prod'));
    const raw = structuredClone(catalog.prod) as EnvironmentInput;
    raw.services = [...(raw.services ?? []), { name: 'search', namespace: 'commerce', kind: 'internal-api', protocol: 'grpc', image: { name: 'search', tag: '1.0.0' }, port: 9090, callers: ['orders-api'] }];
    const [env] = parseEnvironments({ prod: raw });
    const grown = synthK8s(derivePlan(env!));
    const before = Object.keys(base.tf.resource.kubernetes_manifest);
    const after = Object.keys(grown.tf.resource.kubernetes_manifest);
    expect(after).toEqual(expect.arrayContaining(before));
    const added = after.filter((a) => !before.includes(a));
    expect(added).toEqual(expect.arrayContaining(['manifest-deployment-commerce-search', 'manifest-service-commerce-search', 'manifest-serviceaccount-commerce-search', 'manifest-horizontalpodautoscaler-commerce-search']));
    expect(added.every((a) => a.includes('search'))).toBe(true);
  });

  it('installs the control planes from pinned charts, before the objects that need them', () => {
    const { tf } = synthK8s(planOf('prod'));
    const releases = tf.resource.helm_release as Record<string, Json>;
    expect(Object.keys(releases).sort()).toEqual(['helm-cert-manager', 'helm-istio-base', 'helm-istiod']);
    for (const r of Object.values(releases)) {
      expect(r.version).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(r.repository).toMatch(/^https:\/\//);
      expect(r.atomic).toBe(true);
    }
    expect(releases['helm-istiod']?.depends_on).toEqual(['helm_release.helm-istio-base']);
    expect(JSON.parse(releases['helm-istiod']?.values[0])).toMatchObject({ meshConfig: { trustDomain: 'cluster.local' }, global: { hub: 'docker.io/istio', tag: '1.29.6' } });
    expect(JSON.parse(releases['helm-cert-manager']?.values[0])).toMatchObject({ crds: { enabled: true } });
    const manifests = tf.resource.kubernetes_manifest as Record<string, { depends_on?: string[] }>;
    expect(manifests['manifest-deployment-commerce-orders-api']?.depends_on).toEqual([
      'kubernetes_manifest.manifest-namespace-cluster-commerce',
      'helm_release.helm-istio-base',
      'helm_release.helm-istiod',
      'helm_release.helm-cert-manager',
    ]);
    expect(manifests['manifest-namespace-cluster-commerce']?.depends_on).toBeUndefined();
    // Every image the objects run is pinned (a tag other than latest, or a digest).
    for (const image of JSON.stringify(tf).match(/"image":"[^"]+"/g) ?? []) expect(image).toMatch(/[:@][\w.-]+"$/);
  });

  it('reaches the cluster with a short-lived token and the CA read from the cluster: no credential or kubeconfig in the JSON', () => {
    const { tf, json } = synthK8s(planOf('dev'));
    const connection = {
      host: 'https://${data.google_container_cluster.cluster.endpoint}',
      token: '${data.google_client_config.client-config.access_token}',
      cluster_ca_certificate: '${base64decode(data.google_container_cluster.cluster.master_auth[0].cluster_ca_certificate)}',
    };
    expect(tf.provider.kubernetes).toEqual([connection]);
    expect(tf.provider.helm).toEqual([{ kubernetes: connection }]);
    expect(tf.data.google_container_cluster.cluster).toMatchObject({ name: 'platform-dev', location: 'europe-west4-a', project: 'acme-platform-dev' });
    expect(json).not.toMatch(/config_path|kubeconfig|client_key|client_certificate"|password|BEGIN [A-Z ]*PRIVATE KEY/i);
    expect(tf.terraform.backend).toEqual({ local: { path: '../../../terraform.k8s-dev.tfstate' } });
    expect(synthK8s(planOf('prod')).tf.terraform.backend).toEqual({ gcs: { bucket: 'acme-platform-tfstate-prod', prefix: 'k8s/prod' } });
  });
});
