/**
 * `k8s-<env>`: every object of `dist/<env>/` as a `kubernetes_manifest`, addressed by
 * kind/namespace/name so adding a service never renumbers the others, applied onto the cluster
 * `platform-<env>` created after `control-planes-<env>` installed the CRDs and webhooks these
 * objects need (infra/stack-order.ts). The provider reaches the cluster through its DNS
 * endpoint with a short-lived Google access token (infra/cluster-connection.ts): no kubeconfig
 * file, no static token, nothing secret in the synthesized JSON. Construct ids are public API
 * (Terraform addresses).
 */
import { Construct } from 'constructs';
import { GcsBackend, LocalBackend, TerraformResource, TerraformStack } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { clusterConnection } from './cluster-connection.ts';
import { stackName } from './stack-order.ts';

export function k8sStackName(envName: string): string {
  return stackName('k8s', envName);
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
  readonly manifests: ReadonlyMap<string, Manifest>;

  constructor(scope: Construct, props: K8sStackProps) {
    const { env } = props.plan;
    super(scope, k8sStackName(env.name));

    new GoogleProvider(this, 'google', { project: env.gcp.projectId, region: env.gcp.region });
    if (env.gcp.stateBucket) {
      new GcsBackend(this, { bucket: env.gcp.stateBucket, prefix: `k8s/${env.name}` });
    } else {
      new LocalBackend(this, { path: `../../../terraform.${k8sStackName(env.name)}.tfstate` });
    }
    new KubernetesProvider(this, 'kubernetes', clusterConnection(this, props.plan));

    // Namespaces first; everything else after its namespace. The control planes (their CRDs,
    // and istiod's injector, which must be up before pods of injected namespaces are created)
    // are already there: control-planes-<env> is applied before this stack.
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
          ...(ns ? { dependsOn: [ns] } : {}),
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
