/**
 * `k8s-<env>`: deploys the cluster side of one environment onto the cluster `platform-<env>`
 * created — the pinned control planes (Istio, cert-manager) as Helm releases, then every object
 * of `dist/<env>/` as a `kubernetes_manifest`, addressed by kind/namespace/name so adding a
 * service never renumbers the others. The providers reach the cluster with a short-lived Google
 * access token (`google_client_config`) and the endpoint and CA read from the cluster itself
 * (`data.google_container_cluster`): no kubeconfig file, no static token, nothing secret in the
 * synthesized JSON. Construct ids are public API (Terraform addresses).
 */
import { Construct } from 'constructs';
import { Fn, GcsBackend, LocalBackend, TerraformResource, TerraformStack, type ITerraformDependable } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config/index.js';
import { DataGoogleContainerCluster } from '@cdktf/provider-google/lib/data-google-container-cluster/index.js';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider/index.js';
import { Release } from '@cdktf/provider-helm/lib/release/index.js';
import type { PlatformPlan } from '../constructs/platform-plan.ts';

export function k8sStackName(envName: string): string {
  return `k8s-${envName}`;
}

/** A Kubernetes object as the charts synthesize it. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** `Deployment/commerce/orders-api` → `deployment-commerce-orders-api`: the object's stable construct id. */
export function manifestId(o: ManifestObject): string {
  return `${o.kind}-${o.metadata.namespace ?? 'cluster'}-${o.metadata.name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}

export interface K8sStackProps {
  readonly plan: PlatformPlan;
  /** Every object of `dist/<env>/`, in apply order. */
  readonly manifests: readonly ManifestObject[];
}

export class K8sStack extends TerraformStack {
  readonly releases: ReadonlyMap<string, Release>;
  readonly manifests: ReadonlyMap<string, Manifest>;

  constructor(scope: Construct, props: K8sStackProps) {
    const { env, nodes, addons } = props.plan;
    super(scope, k8sStackName(env.name));

    new GoogleProvider(this, 'google', { project: env.gcp.projectId, region: env.gcp.region });
    if (env.gcp.stateBucket) {
      new GcsBackend(this, { bucket: env.gcp.stateBucket, prefix: `k8s/${env.name}` });
    } else {
      new LocalBackend(this, { path: `../../../terraform.${k8sStackName(env.name)}.tfstate` });
    }

    const clientConfig = new DataGoogleClientConfig(this, 'client-config');
    const cluster = new DataGoogleContainerCluster(this, 'cluster', { name: nodes.clusterName, location: nodes.location, project: env.gcp.projectId });
    const connection = {
      host: `https://${cluster.endpoint}`,
      // An OAuth access token of the deploying identity: valid for about an hour, never stored.
      token: clientConfig.accessToken,
      clusterCaCertificate: Fn.base64decode(cluster.masterAuth.get(0).clusterCaCertificate),
    };
    new KubernetesProvider(this, 'kubernetes', connection);
    new HelmProvider(this, 'helm', { kubernetes: connection });

    const releases = new Map<string, Release>();
    for (const r of addons.helm) {
      releases.set(
        r.name,
        new Release(this, `helm-${r.name}`, {
          name: r.name,
          repository: r.repository,
          chart: r.chart,
          version: r.version,
          namespace: r.namespace,
          createNamespace: true,
          atomic: true,
          wait: true,
          timeout: 600,
          values: [JSON.stringify(r.values)],
          dependsOn: r.after.map((name) => releases.get(name)).filter((x): x is Release => x !== undefined),
        }),
      );
    }
    this.releases = releases;

    // Namespaces first; everything else after its namespace and the control planes (their CRDs,
    // and istiod's injector, which must be up before pods of injected namespaces are created).
    const controlPlanes: ITerraformDependable[] = [...releases.values()];
    const manifests = new Map<string, Manifest>();
    const namespaces = new Map<string, Manifest>();
    for (const o of props.manifests.filter((m) => m.kind === 'Namespace')) {
      const m = new Manifest(this, `manifest-${manifestId(o)}`, { manifest: o as Record<string, unknown> });
      manifests.set(manifestId(o), m);
      namespaces.set(o.metadata.name, m);
    }
    for (const o of props.manifests.filter((m) => m.kind !== 'Namespace')) {
      const ns = o.metadata.namespace ? namespaces.get(o.metadata.namespace) : undefined;
      manifests.set(
        manifestId(o),
        new Manifest(this, `manifest-${manifestId(o)}`, {
          manifest: o as Record<string, unknown>,
          dependsOn: [...(ns ? [ns] : []), ...controlPlanes],
          // Apply the whole object even over fields another manager (an HPA, a webhook) touched last.
          fieldManager: { name: 'platform-k8s-stack', forceConflicts: true },
        }),
      );
    }
    this.manifests = manifests;
  }

  /** Terraform resources in this stack (data sources excluded), without synthesizing it. */
  resourceCount(): number {
    return this.node.findAll().filter((node) => node instanceof TerraformResource).length;
  }
}
