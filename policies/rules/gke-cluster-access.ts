/** GKE clusters: who can reach the nodes and the control plane, and how they authenticate. */
import { block, get, type Rule } from '../engine.ts';
import { eachResource } from '../rule-scopes.ts';

const CLUSTER = ['google_container_cluster'];

export const privateNodes: Rule = {
  id: 'GKE001',
  severity: 'error',
  description: 'GKE nodes are private (no public IP addresses)',
  rationale:
    'Nodes with public IPs are reachable from the internet on every port a pod or the kubelet opens; private nodes reach out through Cloud NAT and are reached only through load balancers.',
  remediation: 'set private_cluster_config.enable_private_nodes = true; egress goes through Cloud NAT',
  equivalents: { checkov: ['CKV_GCP_25', 'CKV_GCP_64'], trivy: ['AVD-GCP-0059'] },
  catalogKeys: ['controlPlaneCidr', 'network'],
  check: eachResource(CLUSTER, (r) =>
    get(block(r.values.private_cluster_config), 'enable_private_nodes') === true
      ? undefined
      : {
          message: 'nodes have public IP addresses (private_cluster_config.enable_private_nodes is not true)',
          remediation: 'set private_cluster_config.enable_private_nodes = true; egress goes through Cloud NAT',
        },
  ),
};

export const controlPlaneAccess: Rule = {
  id: 'GKE002',
  severity: 'error',
  description: 'The GKE control plane has a private endpoint or a list of authorized networks',
  rationale:
    'A public endpoint without authorized networks accepts connections from any address: only authentication stands between the internet and the Kubernetes API.',
  remediation: 'set private_cluster_config.enable_private_endpoint = true, or list the networks allowed in master_authorized_networks_config',
  equivalents: { checkov: ['CKV_GCP_20'], trivy: ['AVD-GCP-0061'] },
  catalogKeys: ['privateEndpoint', 'authorizedNetworks', 'gke'],
  check: eachResource(CLUSTER, (r) => {
    const privateEndpoint = get(block(r.values.private_cluster_config), 'enable_private_endpoint') === true;
    const authorized = block(r.values.master_authorized_networks_config) !== undefined;
    return privateEndpoint || authorized
      ? undefined
      : {
          message: 'the control plane endpoint is public and accepts connections from any address',
          remediation: 'set gke.privateEndpoint: true in the environment, or list network.authorizedNetworks',
        };
  }),
};

export const noWorldOpenControlPlane: Rule = {
  id: 'GKE003',
  severity: 'error',
  description: 'No authorized network of the GKE control plane covers every address (0.0.0.0/0)',
  rationale:
    'An authorized network of 0.0.0.0/0 turns the allow-list off while looking like one: the Kubernetes API is open to the internet.',
  remediation: 'list only the networks that administer the cluster (VPN, CI runners), or make the endpoint private',
  equivalents: { checkov: ['CKV_GCP_18'], trivy: ['AVD-GCP-0053'] },
  catalogKeys: ['authorizedNetworks', 'network'],
  check: eachResource(
    CLUSTER,
    (r) =>
      worldOpenNetworks(r.values).map((b) => ({
        message: `authorized network "${b.name}" is ${b.cidr}: the control plane is open to the world`,
        remediation: "replace it in network.authorizedNetworks with the administering networks' ranges",
      })),
    (r) => {
      const [open] = worldOpenNetworks(r.values);
      return open ? { name: open.name, keys: ['authorizedNetworks'] } : undefined;
    },
  ),
};

/** Authorized networks with a prefix length of 0 (`0.0.0.0/0`, `::/0`): every address. */
function worldOpenNetworks(cluster: Readonly<Record<string, unknown>>): { name: string; cidr: string }[] {
  const blocks = get(block(cluster.master_authorized_networks_config), 'cidr_blocks');
  return (Array.isArray(blocks) ? blocks : [])
    .map((b) => ({ name: String(get(b, 'display_name') ?? ''), cidr: String(get(b, 'cidr_block')) }))
    .filter((b) => /\/0$/.test(b.cidr));
}

export const noLegacyAbac: Rule = {
  id: 'GKE010',
  severity: 'error',
  description: 'Legacy ABAC is off on GKE clusters (RBAC only)',
  rationale: 'Legacy ABAC grants broad, static permissions outside RBAC, so Roles and RoleBindings no longer describe who can do what.',
  remediation: 'set enable_legacy_abac = false (or leave it unset)',
  equivalents: { checkov: ['CKV_GCP_7'], trivy: ['AVD-GCP-0062'] },
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r) =>
    r.values.enable_legacy_abac === true
      ? { message: 'legacy ABAC authorization is on', remediation: 'set enable_legacy_abac = false' }
      : undefined,
  ),
};

export const noClientCertificates: Rule = {
  id: 'GKE011',
  severity: 'error',
  description: 'GKE clusters issue no client certificates',
  rationale:
    'A client certificate is a long-lived credential that cannot be revoked short of rotating the cluster CA; users and CI should authenticate with short-lived Google credentials.',
  remediation: 'set master_auth.client_certificate_config.issue_client_certificate = false (or leave master_auth unset)',
  equivalents: { checkov: ['CKV_GCP_13'], trivy: ['AVD-GCP-0064'] },
  catalogKeys: ['gke'],
  check: eachResource(CLUSTER, (r) =>
    get(block(get(block(r.values.master_auth), 'client_certificate_config')), 'issue_client_certificate') === true
      ? {
          message: 'the cluster issues a client certificate (master_auth.client_certificate_config.issue_client_certificate)',
          remediation: 'set issue_client_certificate = false; authenticate with gcloud credentials',
        }
      : undefined,
  ),
};

export const GKE_CLUSTER_ACCESS_RULES: readonly Rule[] = [privateNodes, controlPlaneAccess, noWorldOpenControlPlane, noLegacyAbac, noClientCertificates];
