/** The catalog's `gcp` (project, region, zones, state) and `network` (VPC ranges) sections. */
import { z } from 'zod';
import { cidrsOverlap, parseCidr, type Cidr } from '../cidr.ts';
import { cidr, dnsLabel } from './primitives.ts';

export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((t) => parseCidr(t) as Cidr);

/** `inner` lies entirely inside `outer`. */
export function within(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrsOverlap(inner, outer);
}

export const GcpSchema = z
  .object({
    projectId: z
      .string()
      .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, 'must be a GCP project id: 6–30 chars, lowercase letters, digits, "-"'),
    region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'must be a GCP region like europe-west4'),
    zones: z.array(z.string()).min(1, 'needs at least one zone'),
    /** GCS bucket for Terraform state; absent → local backend (no credentials needed to synth). */
    stateBucket: z.string().regex(/^[a-z0-9][-_.a-z0-9]{1,61}[a-z0-9]$/, 'must be a GCS bucket name').optional(),
    /** Artifact Registry repository (Docker) that holds the environment's images. */
    artifactRegistry: dnsLabel.default('platform'),
    labels: z
      .record(
        z.string().regex(/^[a-z][-_a-z0-9]{0,62}$/, 'label keys are lowercase, start with a letter, ≤ 63 chars'),
        z.string().regex(/^[-_a-z0-9]{0,63}$/, 'label values are lowercase letters, digits, "-" and "_", ≤ 63 chars'),
      )
      .default({}),
  })
  .superRefine((gcp, ctx) => {
    gcp.zones.forEach((zone, i) => {
      if (!new RegExp(`^${gcp.region}-[a-z]$`).test(zone)) {
        ctx.addIssue({ code: 'custom', path: ['zones', i], message: `"${zone}" is not a zone of region ${gcp.region}` });
      }
    });
  });

export const NetworkSchema = z
  .object({
    vpcName: dnsLabel,
    nodeCidr: cidr,
    podCidr: cidr,
    serviceCidr: cidr,
    /** GKE control plane range for private clusters: must be a /28. */
    controlPlaneCidr: cidr,
    authorizedNetworks: z.array(z.object({ name: z.string().min(1), cidr })).default([]),
    /**
     * Proxy-only subnet (purpose REGIONAL_MANAGED_PROXY) for internal Application Load Balancers
     * (`exposure: internal` services over HTTP): the Envoy proxies take their addresses from it.
     * A /26 or larger (Google recommends a /23); needed only when such a service exists.
     */
    proxyOnlyCidr: cidr.optional(),
  })
  .superRefine((net, ctx) => {
    const ranges = (['nodeCidr', 'podCidr', 'serviceCidr', 'controlPlaneCidr', 'proxyOnlyCidr'] as const).flatMap((field) => {
      const text = net[field];
      const parsed = text === undefined ? 'absent' : parseCidr(text);
      return typeof parsed === 'string' ? [] : [{ field, parsed }];
    });
    ranges.forEach((a, i) => {
      for (const b of ranges.slice(i + 1)) {
        if (cidrsOverlap(a.parsed, b.parsed)) {
          ctx.addIssue({
            code: 'custom',
            path: [b.field],
            message: `${b.parsed.text} overlaps ${a.field} ${a.parsed.text}`,
          });
        }
      }
    });
    const cp = ranges.find((r) => r.field === 'controlPlaneCidr');
    if (cp && cp.parsed.prefix !== 28) {
      ctx.addIssue({ code: 'custom', path: ['controlPlaneCidr'], message: 'must be a /28 (GKE private control plane range)' });
    }
    // A control plane open to the internet is one leaked credential away from the cluster.
    net.authorizedNetworks.forEach((n, i) => {
      const parsed = parseCidr(n.cidr);
      if (typeof parsed !== 'string' && parsed.prefix === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['authorizedNetworks', i, 'cidr'],
          message: `${n.cidr} opens the control plane to the whole internet; list the networks that administer the cluster (VPN, CI egress)`,
        });
      }
    });
    const proxyOnly = ranges.find((r) => r.field === 'proxyOnlyCidr');
    if (proxyOnly && proxyOnly.parsed.prefix > 26) {
      ctx.addIssue({ code: 'custom', path: ['proxyOnlyCidr'], message: 'must be a /26 or larger (a proxy-only subnet; Google recommends a /23)' });
    }
  });
