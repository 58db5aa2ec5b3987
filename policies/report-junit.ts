/**
 * Policy results as JUnit XML for CI test reporters: one testsuite per environment, one
 * testcase per rule and target (a rule with no finding is one passing testcase), a failure for
 * each open error, skipped for each waived finding, warnings and notes as passing testcases
 * with the finding in system-out.
 */
import type { PolicyRun } from './policy-run.ts';
import type { Result } from './waivers.ts';

/** Text and attribute values: the five entities, and no character XML 1.0 forbids. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Case {
  readonly classname: string;
  readonly name: string;
  readonly body: string;
  readonly outcome: 'passed' | 'failed' | 'skipped';
}

function details(r: Result): string {
  return `${r.message}\nfix: ${r.remediation}\nin: ${r.target.file}`;
}

function caseOf(env: string, r: Result): Case {
  const base = { classname: `policies.${env}.${r.ruleId}`, name: `${r.ruleId} ${r.target.address}` };
  if (r.status === 'waived') {
    const message = `waived until ${r.waiver?.expires ?? '?'}: ${r.waiver?.reason ?? ''}`;
    return { ...base, outcome: 'skipped', body: `<skipped message="${xmlEscape(message)}"/><system-out>${xmlEscape(details(r))}</system-out>` };
  }
  if (r.severity === 'error') {
    return { ...base, outcome: 'failed', body: `<failure message="${xmlEscape(r.message)}" type="${r.ruleId}">${xmlEscape(details(r))}</failure>` };
  }
  return { ...base, outcome: 'passed', body: `<system-out>${xmlEscape(`${r.severity}: ${details(r)}`)}</system-out>` };
}

export function renderJunit(run: PolicyRun): string {
  const suites = run.environments.map((env) => {
    const results = run.results.filter((r) => r.target.env === env);
    const cases: Case[] = run.rules.flatMap((rule) => {
      const own = results.filter((r) => r.ruleId === rule.id);
      return own.length === 0
        ? [{ classname: `policies.${env}.${rule.id}`, name: `${rule.id} ${rule.description}`, body: '', outcome: 'passed' as const }]
        : own.map((r) => caseOf(env, r));
    });
    const count = (o: Case['outcome']): number => cases.filter((c) => c.outcome === o).length;
    const body = cases
      .map(
        (c) =>
          `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="0"${c.body === '' ? '/>' : `>${c.body}</testcase>`}`,
      )
      .join('\n');
    return {
      tests: cases.length,
      failures: count('failed'),
      skipped: count('skipped'),
      xml: `  <testsuite name="${xmlEscape(`policies ${env}`)}" tests="${cases.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="0">\n${body}\n  </testsuite>`,
    };
  });
  const total = (k: 'tests' | 'failures' | 'skipped'): number => suites.reduce((n, s) => n + s[k], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="platform policies" tests="${total('tests')}" failures="${total('failures')}" errors="0" skipped="${total('skipped')}" time="0">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
  ].join('\n');
}
