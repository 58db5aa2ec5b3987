/** Open results by severity, and how many were waived: the numbers every report leads with. */
import type { Severity } from './engine.ts';
import type { Result } from './waivers.ts';

export interface Counts extends Record<Severity, number> {
  readonly waived: number;
}

export function countResults(results: readonly Result[]): Counts {
  const counts = { error: 0, warning: 0, info: 0, waived: 0 };
  for (const r of results) {
    if (r.status === 'waived') counts.waived++;
    else counts[r.severity]++;
  }
  return counts;
}
