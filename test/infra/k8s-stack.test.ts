// control-planes-<env>: exactly the pinned Helm releases; k8s-<env>: exactly the objects of
// dist/<env>/, addressed by kind/namespace/name. Both reach the cluster through its DNS
// endpoint with short-lived credentials only.
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

function synthK8s(plan: PlatformPlan): { tf: Json; objects: ManifestObject[]; json: string; controlPlanes: Json; controlPlanesJson: string } {
  const objects = chartObjects(buildCharts(plan, Testing.app().outdir).app);
  const { stacks } = buildInfraApp([plan], () => objects);
  const stack = stacks[0]?.k8s;
  if (!stack || !stacks[0]) throw new Error('no k8s stack');
  const json = JSON.stringify(stack.toTerraform());
  const controlPlanesJson = JSON.stringify(stacks[0].controlPlanes.toTerraform());
  return { tf: JSON.parse(json) as Json, objects, json, controlPlanes: JSON.parse(controlPlanesJson) as Json, controlPlanesJson };
}

describe('k8s-<env> stack', () => {
  for (const envName of ['dev', 'staging', 'prod'] as const) {
    it(`${envName}: applies exactly the objects of dist/${envName}/, one manifest per kind/namespace/name`, () => {
      const { tf, objects } = synthK8s(planOf(envName));
      expect(Object.keys(tf.resource)).toEqual(['kubernetes_manifest']);
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

  it('control-planes-<env> installs exactly the pinned charts (same addresses as before the split); k8s-<env> none', () => {
    const { tf, controlPlanes } = synthK8s(planOf('prod'));
    expect(tf.resource.helm_release).toBeUndefined();
    expect(tf.provider.helm).toBeUndefined();
    expect(Object.keys(controlPlanes.resource)).toEqual(['helm_release']);
    const releases = controlPlanes.resource.helm_release as Record<string, Json>;
    expect(Object.keys(releases).sort()).toEqual(planOf('prod').addons.helm.map((r) => `helm-${r.name}`).sort());
    expect(Object.keys(releases).sort()).toEqual(['helm-cert-manager', 'helm-istio-base', 'helm-istiod']);
    for (const r of Object.values(releases)) {
      expect(r.version).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(r.repository).toMatch(/^https:\/\//);
      expect(r.atomic).toBe(true);
    }
    expect(releases['helm-istiod']?.depends_on).toEqual(['helm_release.helm-istio-base']);
    expect(JSON.parse(releases['helm-istiod']?.values[0])).toMatchObject({ meshConfig: { trustDomain: 'cluster.local' }, global: { hub: 'docker.io/istio', tag: '1.29.6' } });
    expect(JSON.parse(releases['helm-cert-manager']?.values[0])).toMatchObject({ crds: { enabled: true } });
    // The objects wait for their namespace; the control planes come first by stack order.
    const manifests = tf.resource.kubernetes_manifest as Record<string, { depends_on?: string[] }>;
    expect(manifests['manifest-deployment-commerce-orders-api']?.depends_on).toEqual(['kubernetes_manifest.manifest-namespace-cluster-commerce']);
    expect(manifests['manifest-namespace-cluster-commerce']?.depends_on).toBeUndefined();
    // Every image the objects run is pinned (a tag other than latest, or a digest).
    for (const image of JSON.stringify(tf).match(/"image":"[^"]+"/g) ?? []) expect(image).toMatch(/[:@][\w.-]+"$/);
  });

  it('reaches the cluster through its DNS endpoint with a short-lived token: no credential, kubeconfig or pinned CA in the JSON', () => {
    const { tf, json, controlPlanes, controlPlanesJson } = synthK8s(planOf('dev'));
    // The DNS endpoint is served with a publicly signed certificate: pinning the cluster CA would fail the handshake.
    const connection = {
      host: 'https://${data.google_container_cluster.cluster.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint}',
      token: '${data.google_client_config.client-config.access_token}',
    };
    expect(tf.provider.kubernetes).toEqual([connection]);
    expect(controlPlanes.provider.helm).toEqual([{ kubernetes: connection }]);
    for (const stack of [tf, controlPlanes]) {
      expect(stack.data.google_container_cluster.cluster).toMatchObject({ name: 'platform-dev', location: 'europe-west4-a', project: 'acme-platform-dev' });
    }
    for (const text of [json, controlPlanesJson]) expect(text).not.toMatch(/config_path|kubeconfig|client_key|client_certificate"|cluster_ca_certificate|password|BEGIN [A-Z ]*PRIVATE KEY/i);
    expect(tf.terraform.backend).toEqual({ local: { path: '../../../terraform.k8s-dev.tfstate' } });
    expect(controlPlanes.terraform.backend).toEqual({ local: { path: '../../../terraform.control-planes-dev.tfstate' } });
    const prod = synthK8s(planOf('prod'));
    expect(prod.tf.terraform.backend).toEqual({ gcs: { bucket: 'acme-platform-tfstate-prod', prefix: 'k8s/prod' } });
    expect(prod.controlPlanes.terraform.backend).toEqual({ gcs: { bucket: 'acme-platform-tfstate-prod', prefix: 'control-planes/prod' } });
  });
});
