/**
 * `control-planes-<env>`: the pinned control planes of one environment's cluster — Istio
 * (`base`, which installs its CRDs, then `istiod`) and cert-manager (with its CRDs) — as Helm
 * releases. A stack of its own because `kubernetes_manifest` (in `k8s-<env>`, applied after
 * this) needs the CRDs to exist when it *plans* (hashicorp/terraform-provider-kubernetes#1367):
 * with both in one stack a fresh cluster cannot be planned at all.
 *
 * Construct ids are public API (Terraform addresses): the releases keep the ids they had in
 * `k8s-<env>` (`helm_release.helm-<name>`), so moving an existing state is a `terraform state mv`
 * between the two states with the same address (README, Deploying an environment).
 */
import { Construct } from 'constructs';
import { GcsBackend, LocalBackend, TerraformResource, TerraformStack } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider/index.js';
import { Release } from '@cdktf/provider-helm/lib/release/index.js';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { clusterConnection } from './cluster-connection.ts';
import { stackName } from './stack-order.ts';

export function controlPlanesStackName(envName: string): string {
  return stackName('control-planes', envName);
}

export interface ControlPlanesStackProps {
  readonly plan: PlatformPlan;
}

export class ControlPlanesStack extends TerraformStack {
  readonly releases: ReadonlyMap<string, Release>;

  constructor(scope: Construct, props: ControlPlanesStackProps) {
    const { env, addons } = props.plan;
    const name = controlPlanesStackName(env.name);
    super(scope, name);

    new GoogleProvider(this, 'google', { project: env.gcp.projectId, region: env.gcp.region });
    if (env.gcp.stateBucket) {
      new GcsBackend(this, { bucket: env.gcp.stateBucket, prefix: `control-planes/${env.name}` });
    } else {
      new LocalBackend(this, { path: `../../../terraform.${name}.tfstate` });
    }
    new HelmProvider(this, 'helm', { kubernetes: clusterConnection(this, props.plan) });

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
          dependsOn: r.after.map((after) => releases.get(after)).filter((x): x is Release => x !== undefined),
        }),
      );
    }
    this.releases = releases;
  }

  /** Terraform resources in this stack (data sources excluded), without synthesizing it. */
  resourceCount(): number {
    return this.node.findAll().filter((node) => node instanceof TerraformResource).length;
  }
}
