/**
 * The Terraform side of the public entry that is not Cloud Armor: the global static IP the
 * Ingress takes (`kubernetes.io/ingress.global-static-ip-name`) and the SSL policy its
 * FrontendConfig names. Both names come from the plan (`plan.edge.entry`), as do the Kubernetes
 * objects that attach them, so the two layers cannot drift apart.
 *
 * The certificate is not here, by choice: a GKE ManagedCertificate (charts/entry-chart.ts) is a
 * Google-managed certificate that GKE provisions, renews and attaches to the Ingress's target
 * proxy itself. Certificate Manager certificates cannot be attached to a GKE Ingress (only to the
 * Gateway API; kubernetes/ingress-gce#1692), and a Terraform `google_compute_managed_ssl_certificate`
 * would need the Ingress to name it through `pre-shared-cert` while GKE still owns the proxy.
 */
import { Construct } from 'constructs';
import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address/index.js';
import { ComputeSslPolicy } from '@cdktf/provider-google/lib/compute-ssl-policy/index.js';

export interface PublicEntryProps {
  /** google_compute_global_address name (EXTERNAL, IPv4). */
  readonly addressName: string;
  readonly sslPolicyName: string;
  /** TLS 1.2 or later. */
  readonly minTlsVersion: 'TLS_1_2';
  /** MODERN or RESTRICTED: both offer only forward-secret ciphers to TLS 1.2 clients. */
  readonly profile: 'MODERN' | 'RESTRICTED';
}

export class PublicEntry extends Construct {
  readonly address: ComputeGlobalAddress;
  readonly sslPolicy: ComputeSslPolicy;

  constructor(scope: Construct, id: string, props: PublicEntryProps) {
    super(scope, id);
    this.address = new ComputeGlobalAddress(this, 'address', {
      name: props.addressName,
      addressType: 'EXTERNAL',
      ipVersion: 'IPV4',
      description: 'The GLB of the public entry (GKE Ingress); point the edge domains here',
    });
    this.sslPolicy = new ComputeSslPolicy(this, 'ssl-policy', {
      name: props.sslPolicyName,
      minTlsVersion: props.minTlsVersion,
      profile: props.profile,
      description: 'TLS terms of the public entry (named by its FrontendConfig)',
    });
  }
}
