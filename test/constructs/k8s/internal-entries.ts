// A prod plan with internal entries (no environment of the catalog declares one yet).
import prod from '../../../environments/prod.ts';
import { parseEnvironment } from '../../../environments/load.ts';
import { derivePlan, type PlatformPlan } from '../../../constructs/platform-plan.ts';

/** prod with internal entries: inventory over an internal passthrough LB (gRPC), and an HTTP ledger behind an internal ALB. */
export function prodWithInternalEntries(): PlatformPlan {
  const copy = structuredClone(prod);
  copy.services = [
    ...(copy.services ?? []).map((s) => (s.name === 'inventory' ? { ...s, exposure: 'internal' as const } : s)),
    { name: 'ledger', namespace: 'commerce', kind: 'internal-api', protocol: 'http', image: { name: 'ledger', tag: '1.0.0' }, exposure: 'internal', callers: ['orders-api'] },
  ];
  const parsed = parseEnvironment('prod', copy);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return derivePlan(parsed.env);
}
