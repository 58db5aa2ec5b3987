/**
 * Policy results as Markdown for a pull-request comment: the verdict, counts per environment,
 * open findings first, waived ones folded away. Kept under GitHub's 65,536-character comment
 * limit by cutting rows with a visible note.
 */
import type { PolicyRun } from './policy-run.ts';
import { countResults } from './result-counts.ts';
import type { Result } from './waivers.ts';

/** Room left for the rest of the comment (headers, the waived section's frame). */
const BUDGET = 60_000;

/** A table cell: no pipes or newlines to break the row, no raw HTML. */
function cell(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives any content (backticks in the text widen the fence). */
function code(text: string): string {
  const fence = '`'.repeat(Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return `${fence}${fence.length > 1 ? ' ' : ''}${text.replace(/\|/g, '\\|')}${fence.length > 1 ? ' ' : ''}${fence}`;
}

function rows(header: string[], results: readonly Result[], row: (r: Result) => string[], budget: { left: number }): string[] {
  const out = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  let shown = 0;
  for (const r of results) {
    const line = `| ${row(r).join(' | ')} |`;
    if (line.length + 1 > budget.left) break;
    budget.left -= line.length + 1;
    out.push(line);
    shown++;
  }
  if (shown < results.length) out.push('', `_…and ${results.length - shown} more: run \`npm run check\` for the full list._`);
  return out;
}

export function renderMarkdown(run: PolicyRun): string {
  const all = countResults(run.results);
  const open = run.results.filter((r) => r.status === 'open');
  const waived = run.results.filter((r) => r.status === 'waived');
  const policyRules = run.rules.filter((r) => !r.id.startsWith('WAIVER')).length;
  const verdict =
    all.error > 0
      ? `### Policy check failed: ${all.error} error${all.error === 1 ? '' : 's'}`
      : `### Policy check passed${all.warning > 0 ? ` with ${all.warning} warning${all.warning === 1 ? '' : 's'}` : ''}`;
  const budget = { left: BUDGET };
  const lines = [
    verdict,
    '',
    `${policyRules} rules over ${run.environments.length} environment${run.environments.length === 1 ? '' : 's'}; waivers judged on ${run.today}.`,
    '',
    '| environment | errors | warnings | notes | waived |',
    '|---|---:|---:|---:|---:|',
    ...run.environments.map((env) => {
      const c = countResults(run.results.filter((r) => r.target.env === env));
      return `| ${cell(env)} | ${c.error} | ${c.warning} | ${c.info} | ${c.waived} |`;
    }),
  ];
  if (open.length > 0) {
    const ordered = [...open].sort((a, b) => severityRank(a) - severityRank(b));
    lines.push(
      '',
      '#### Findings',
      '',
      ...rows(
        ['severity', 'rule', 'environment', 'target', 'finding', 'fix'],
        ordered,
        (r) => [r.severity, r.ruleId, cell(r.target.env), code(r.target.address), cell(r.message), cell(r.remediation)],
        budget,
      ),
    );
  }
  if (waived.length > 0) {
    lines.push(
      '',
      `<details><summary>${waived.length} waived finding${waived.length === 1 ? '' : 's'}</summary>`,
      '',
      ...rows(
        ['rule', 'environment', 'target', 'finding', 'reason', 'expires'],
        waived,
        (r) => [r.ruleId, cell(r.target.env), code(r.target.address), cell(r.message), cell(r.waiver?.reason ?? ''), r.waiver?.expires ?? ''],
        budget,
      ),
      '',
      '</details>',
    );
  }
  return lines.join('\n');
}

function severityRank(r: Result): number {
  return r.severity === 'error' ? 0 : r.severity === 'warning' ? 1 : 2;
}
