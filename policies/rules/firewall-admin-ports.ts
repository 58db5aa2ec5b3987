/** VPC firewall: no rule lets the whole internet reach SSH (22) or RDP (3389). */
import { get, type Rule } from '../engine.ts';
import { eachResource, type Problem } from '../rule-scopes.ts';

/** Port → the protocols it is served on. */
const ADMIN_PORTS: readonly { port: number; name: string; protocols: readonly string[] }[] = [
  { port: 22, name: 'SSH', protocols: ['tcp'] },
  { port: 3389, name: 'RDP', protocols: ['tcp', 'udp'] },
];

/** Whether a firewall `ports` list (`["22"]`, `["20-25"]`, absent = all) includes a port. */
function includesPort(ports: unknown, port: number): boolean {
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some((p) => {
    const [from, to] = String(p).split('-').map(Number);
    return from !== undefined && port >= from && port <= (to ?? from);
  });
}

export const noWorldAdminPorts: Rule = {
  id: 'IAM003',
  severity: 'error',
  description: 'No firewall rule opens SSH (22) or RDP (3389) to 0.0.0.0/0',
  rationale:
    'SSH and RDP open to the internet are scanned and brute-forced within minutes; administrative access belongs behind IAP TCP forwarding or a VPN range.',
  remediation: 'restrict source_ranges to 35.235.240.0/20 (IAP) or the VPN range, or remove the rule',
  equivalents: { checkov: ['CKV_GCP_2', 'CKV_GCP_3'], trivy: ['AVD-GCP-0070', 'AVD-GCP-0071'] },
  catalogKeys: ['network'],
  check: eachResource(['google_compute_firewall'], (r): Problem[] => {
    if ((r.values.direction ?? 'INGRESS') !== 'INGRESS' || r.values.disabled === true) return [];
    const sources = Array.isArray(r.values.source_ranges) ? r.values.source_ranges.map(String) : [];
    const world = sources.filter((s) => /\/0$/.test(s));
    if (world.length === 0) return [];
    const allows = Array.isArray(r.values.allow) ? r.values.allow : r.values.allow === undefined ? [] : [r.values.allow];
    return ADMIN_PORTS.filter(({ port, protocols }) =>
      allows.some((a) => {
        const protocol = String(get(a, 'protocol')).toLowerCase();
        return (protocol === 'all' || protocols.includes(protocol)) && includesPort(get(a, 'ports'), port);
      }),
    ).map(({ port, name }) => ({
      message: `allows ${name} (port ${port}) from ${world.join(', ')}`,
      remediation: `restrict source_ranges for port ${port} to IAP (35.235.240.0/20) or a VPN range`,
    }));
  }),
};
