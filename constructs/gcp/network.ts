/**
 * VPC, subnet with GKE secondary ranges, Cloud Router + NAT, and health-check firewall; and, when
 * internal Application Load Balancers need it, the region's proxy-only subnet.
 */
import { Construct } from 'constructs';
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network/index.js';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork/index.js';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router/index.js';
import { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat/index.js';
import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall/index.js';

export interface NetworkProps {
  readonly name: string;
  readonly region: string;
  readonly nodeCidr: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** Proxy-only subnet (REGIONAL_MANAGED_PROXY) for internal Application Load Balancers; name and range from the plan. */
  readonly proxyOnlySubnet?: { readonly name: string; readonly cidr: string };
}

/** Google's load balancer and health-check source ranges. */
export const HEALTH_CHECK_RANGES = ['35.191.0.0/16', '130.211.0.0/22'] as const;

export class Network extends Construct {
  readonly vpc: ComputeNetwork;
  readonly subnet: ComputeSubnetwork;
  readonly proxyOnlySubnet?: ComputeSubnetwork;
  /** Secondary range names the GKE cluster allocates pods and services from. */
  readonly podRangeName = 'pods';
  readonly serviceRangeName = 'services';

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ComputeNetwork(this, 'vpc', {
      name: props.name,
      autoCreateSubnetworks: false,
      routingMode: 'REGIONAL',
    });
    this.subnet = new ComputeSubnetwork(this, 'subnet', {
      name: `${props.name}-nodes`,
      network: this.vpc.id,
      region: props.region,
      ipCidrRange: props.nodeCidr,
      privateIpGoogleAccess: true,
      secondaryIpRange: [
        { rangeName: this.podRangeName, ipCidrRange: props.podCidr },
        { rangeName: this.serviceRangeName, ipCidrRange: props.serviceCidr },
      ],
      logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' },
    });
    // Private nodes have no external IPs: NAT gives them egress (image pulls from outside, APIs).
    const router = new ComputeRouter(this, 'router', { name: `${props.name}-router`, network: this.vpc.id, region: props.region });
    new ComputeRouterNat(this, 'nat', {
      name: `${props.name}-nat`,
      router: router.name,
      region: props.region,
      natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
      logConfig: { enable: true, filter: 'ERRORS_ONLY' },
    });
    new ComputeFirewall(this, 'allow-health-checks', {
      name: `${props.name}-allow-health-checks`,
      network: this.vpc.id,
      direction: 'INGRESS',
      sourceRanges: [...HEALTH_CHECK_RANGES],
      allow: [{ protocol: 'tcp' }],
    });
    if (props.proxyOnlySubnet) {
      // The Envoy proxies of internal Application Load Balancers take addresses here (no VMs, no flow logs).
      this.proxyOnlySubnet = new ComputeSubnetwork(this, 'proxy-only-subnet', {
        name: props.proxyOnlySubnet.name,
        network: this.vpc.id,
        region: props.region,
        ipCidrRange: props.proxyOnlySubnet.cidr,
        purpose: 'REGIONAL_MANAGED_PROXY',
        role: 'ACTIVE',
      });
      // …and connect to the pods (NEG endpoints) from there.
      new ComputeFirewall(this, 'allow-proxy-only', {
        name: `${props.name}-allow-proxy-only`,
        network: this.vpc.id,
        direction: 'INGRESS',
        sourceRanges: [props.proxyOnlySubnet.cidr],
        allow: [{ protocol: 'tcp' }],
      });
    }
  }
}
