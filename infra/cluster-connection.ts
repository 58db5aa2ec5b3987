/**
 * How the cluster stacks (`control-planes-<env>`, `k8s-<env>`) reach their cluster: through
 * GKE's DNS-based control-plane endpoint (constructs/gcp/gke-cluster.ts enables it), with a
 * short-lived Google access token of the deploying identity (`google_client_config`). The DNS
 * endpoint admits a caller by IAM alone (`container.clusters.connect` plus RBAC), from
 * anywhere, so a GitHub-hosted runner reaches prod's private control plane without an
 * authorized network. It is served by Google's front end with a publicly signed certificate —
 * the cluster's own CA signs only the IP endpoints — so no CA is pinned here (the system trust
 * store verifies it, as `kubectl` does after `gcloud container clusters get-credentials
 * --dns-endpoint`). No kubeconfig, no static token, nothing secret in the synthesized JSON.
 */
import type { Construct } from 'constructs';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config/index.js';
import { DataGoogleContainerCluster } from '@cdktf/provider-google/lib/data-google-container-cluster/index.js';
import type { PlatformPlan } from '../constructs/platform-plan.ts';

export interface ClusterConnection {
  readonly host: string;
  readonly token: string;
}

/** Adds the two data sources (ids `client-config`, `cluster`) and returns the provider settings. */
export function clusterConnection(scope: Construct, plan: PlatformPlan): ClusterConnection {
  const { env, nodes } = plan;
  const clientConfig = new DataGoogleClientConfig(scope, 'client-config');
  const cluster = new DataGoogleContainerCluster(scope, 'cluster', { name: nodes.clusterName, location: nodes.location, project: env.gcp.projectId });
  return {
    host: `https://${cluster.controlPlaneEndpointsConfig.get(0).dnsEndpointConfig.get(0).endpoint}`,
    // An OAuth access token of the deploying identity: valid for about an hour, never stored.
    token: clientConfig.accessToken,
  };
}
