/** Policy results as text (terminal) or JSON (machines). SARIF/JUnit/Markdown come with CI work. */
import type { Finding, Rule, Severity } from './engine.ts';

export const FORMATS = ['table', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function renderFindings(findings: readonly Finding[], rules: readonly Rule[], format: Format): string {
  if (format === 'json') {
    return JSON.stringify({ rules: rules.map(({ id, severity, description }) => ({ id, severity, description })), findings }, null, 2);
  }
  if (findings.length === 0) return `policies: ${rules.length} rules, no findings`;
  const lines = findings.map(
    (f) => `${f.severity.toUpperCase()} ${f.ruleId} ${f.target.env} ${f.target.address}\n    ${f.message}\n    fix: ${f.remediation}\n    in: ${f.target.file}`,
  );
  const c = countBySeverity(findings);
  return `${lines.join('\n')}\npolicies: ${rules.length} rules, ${c.error} errors, ${c.warning} warnings, ${c.info} notes`;
}
