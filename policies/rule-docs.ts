/**
 * A rule's documentation, generated from its definition: the equivalents line, the help text
 * of SARIF rules, and the README's policy table (test/policies/readme.test.ts keeps it in step).
 */
import type { Equivalents, Rule } from './engine.ts';

const SCANNERS: readonly { key: keyof Equivalents; name: string }[] = [
  { key: 'checkov', name: 'Checkov' },
  { key: 'trivy', name: 'Trivy' },
  { key: 'kubeScore', name: 'kube-score' },
  { key: 'polaris', name: 'Polaris' },
  { key: 'kyverno', name: 'Kyverno' },
];

/** `[{ scanner: 'Checkov', ids: ['CKV_GCP_64'] }, …]`, scanners with no equivalent left out. */
export function equivalentsList(e: Equivalents): { scanner: string; ids: readonly string[] }[] {
  return SCANNERS.flatMap(({ key, name }) => {
    const ids = e[key] ?? [];
    return ids.length > 0 ? [{ scanner: name, ids }] : [];
  });
}

/** `Checkov CKV_GCP_25, CKV_GCP_64; Trivy AVD-GCP-0059`, or `—` when no scanner has one. */
export function equivalentsText(e: Equivalents): string {
  const list = equivalentsList(e);
  return list.length === 0 ? '—' : list.map(({ scanner, ids }) => `${scanner} ${ids.join(', ')}`).join('; ');
}

export function helpText(rule: Rule): string {
  return [`${rule.description}.`, `Why: ${rule.rationale}`, `Fix: ${rule.remediation}`, `Equivalent checks: ${equivalentsText(rule.equivalents)}`].join('\n');
}

export function helpMarkdown(rule: Rule): string {
  const list = equivalentsList(rule.equivalents);
  return [
    `**${rule.id}** — ${rule.description}.`,
    '',
    `**Why.** ${rule.rationale}`,
    '',
    `**Fix.** ${rule.remediation}`,
    '',
    `**Equivalent checks.** ${list.length === 0 ? 'none in Checkov, Trivy, kube-score, Polaris or Kyverno' : list.map(({ scanner, ids }) => `${scanner}: ${ids.map((i) => `\`${i}\``).join(', ')}`).join('; ')}`,
    '',
    `Waive a finding in the environment: \`waivers: [{ rule: '${rule.id}', target: '<address>', reason: '…', expires: 'YYYY-MM-DD' }]\`.`,
  ].join('\n');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README table, between the `<!-- policy-table` markers. */
export function policyTable(rules: readonly Rule[]): string {
  return [
    '| id | severity | rule | equivalents |',
    '|---|---|---|---|',
    ...rules.map((r) => `| ${r.id} | ${r.severity} | ${cell(r.description)} | ${cell(equivalentsText(r.equivalents))} |`),
  ].join('\n');
}
