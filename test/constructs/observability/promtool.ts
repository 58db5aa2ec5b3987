/**
 * `promtool check rules` on PromQL expressions: each is wrapped as a recording rule (promtool
 * parses every `expr`), so any query we emit — dashboard widgets included — is checked by the
 * real Prometheus parser. promtool is Debian's `prometheus` package: absent on a user's machine
 * (tests report themselves skipped), required when CI=true.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
export const havePromtool = existsSync(PROMTOOL);
if (!havePromtool && process.env.CI === 'true') {
  throw new Error(`promtool is required under CI=true: ${PROMTOOL} not found (Debian package prometheus, or set PROMTOOL)`);
}
export const PROMTOOL_SKIP = havePromtool ? '' : ` (skipped: ${PROMTOOL} not found; install Debian's prometheus or set PROMTOOL)`;

/** Runs `promtool check rules` on the expressions as recording rules `check:expr_<i>`; returns promtool's exit status and output. */
export function checkExpressions(exprs: readonly string[]): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'promtool-'));
  try {
    const file = path.join(dir, 'rules.yml');
    const rules = exprs.map((expr, i) => ({ record: `check:expr_${i}`, expr }));
    writeFileSync(file, stringify({ groups: [{ name: 'expressions', rules }] }));
    const run = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8', timeout: 20_000 });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
