/**
 * Policy results in every format: a terminal table, JSON for machines, Markdown for a PR
 * comment, SARIF for code scanning, JUnit for CI test reporters. Waived findings appear in
 * every format, marked as waived.
 */
import type { PolicyRun } from './policy-run.ts';
import { renderMarkdown } from './report-markdown.ts';
import { renderSarif, type SarifContext } from './report-sarif.ts';
import { renderJunit } from './report-junit.ts';
import { countResults } from './result-counts.ts';

export { countResults, type Counts } from './result-counts.ts';

export const FORMATS = ['table', 'json', 'markdown', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

export function summaryLine(run: PolicyRun): string {
  const policyRules = run.rules.filter((r) => !r.id.startsWith('WAIVER')).length;
  if (run.results.length === 0) return `policies: ${policyRules} rules, no findings`;
  const c = countResults(run.results);
  return `policies: ${policyRules} rules, ${c.error} errors, ${c.warning} warnings, ${c.info} notes, ${c.waived} waived`;
}

function renderTable(run: PolicyRun): string {
  const lines = run.results.map((r) => {
    const head = `${r.status === 'waived' ? 'WAIVED' : r.severity.toUpperCase()} ${r.ruleId} ${r.target.env} ${r.target.address}`;
    const tail = r.waiver ? `\n    waived until ${r.waiver.expires}: ${r.waiver.reason}` : `\n    fix: ${r.remediation}`;
    return `${head}\n    ${r.message}${tail}\n    in: ${r.target.file}`;
  });
  return [...lines, summaryLine(run)].join('\n');
}

function renderJson(run: PolicyRun): string {
  return JSON.stringify(
    {
      today: run.today,
      environments: run.environments,
      summary: countResults(run.results),
      rules: run.rules.map(({ id, severity, description, rationale, remediation, equivalents }) => ({
        id,
        severity,
        description,
        rationale,
        remediation,
        equivalents,
      })),
      findings: run.results,
    },
    null,
    2,
  );
}

/** `context` locates results in files (SARIF only; other formats ignore it). */
export function renderReport(run: PolicyRun, format: Format, context?: SarifContext): string {
  switch (format) {
    case 'table':
      return renderTable(run);
    case 'json':
      return renderJson(run);
    case 'markdown':
      return renderMarkdown(run);
    case 'sarif':
      return renderSarif(run, context);
    case 'junit':
      return renderJunit(run);
  }
}
