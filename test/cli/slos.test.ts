// `npm run slos`: every SLO of an environment with its source, query, thresholds, burn windows
// and channels — as a table, stable JSON, or README's Operations table (kept in step here).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLOS_BEGIN, SLOS_END, slosBlock, slosJson, type SloReportEntry } from '../../cli/commands/slos.ts';
import { planOf } from '../plan-fixtures.ts';
import { ROOT, runCli, type CliRun } from '../cli-process.ts';

const cli = (...args: string[]): Promise<CliRun> => runCli(['slos', ...args], { timeoutMs: 60_000 });

describe('README Operations table', () => {
  it('is what `npm run slos -- --env prod --format markdown` generates from the catalog today', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(SLOS_BEGIN);
    const end = readme.indexOf(SLOS_END, start);
    expect(start, 'README.md has no slos block').toBeGreaterThanOrEqual(0);
    expect(readme.slice(start, end + SLOS_END.length), "README.md's Operations table is out of date: run `npm run slos -- --write README.md`").toBe(slosBlock(planOf('prod')));
    // Where the issue places it: after "Isolation and the mesh", with the lead's alerting placeholder.
    const ops = readme.indexOf('\n## Operations\n');
    expect(ops).toBeGreaterThan(readme.indexOf('\n## Isolation and the mesh\n'));
    expect(start).toBeGreaterThan(ops);
    expect(readme.slice(ops, start)).toContain('**Where alerts go.**');
  });

  it('escapes the pipes of PromQL regexes so each row keeps its columns', () => {
    const rows = slosBlock(planOf('prod')).split('\n').filter((l) => l.startsWith('| **'));
    expect(rows.length).toBe(planOf('prod').observability.slos.length);
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|').length, row).toBe(10);
  });
});

describe('npm run slos', () => {
  it('--format json lists every SLO with its source, query, threshold, burn windows and channel', async () => {
    const run = await cli('--env', 'prod', '--format', 'json');
    expect(run.code, run.stderr).toBe(0);
    const entries = JSON.parse(run.stdout) as SloReportEntry[];
    expect(entries).toEqual(JSON.parse(JSON.stringify(slosJson(planOf('prod')))));
    const orders = entries.find((e) => e.name === 'orders-api-latency');
    expect(orders).toMatchObject({
      route: 'orders-api',
      source: 'kong',
      objective: 99,
      errorBudget: 0.01,
      threshold: { value: 250, unit: 'ms', metric: 'kong_request_latency_ms', le: '250' },
      runbookUrl: 'https://github.com/acme/platform/blob/main/docs/runbooks/prod/OrdersApiLatencyBudgetBurn.md',
    });
    expect(orders?.query).toContain('kong_request_latency_ms_bucket{route="orders-api",le="250"}[$window]');
    expect(orders?.alerts.map((a) => [a.severity, a.channel?.type, a.windows.map((w) => `${w.factor}@${w.long}/${w.short}`).join(' ')])).toEqual([
      ['page', 'pagerduty', '14.4@1h/5m 6@6h/30m'],
      ['ticket', 'slack', '3@1d/2h 1@3d/6h'],
    ]);
    const freshness = entries.find((e) => e.sli === 'freshness');
    expect(freshness).toMatchObject({ source: 'pubsub', mode: 'time-slice', maxAgeSec: 300, threshold: null, rules: { kind: 'GlobalRules' } });
    // Every key present, in a stable order.
    for (const e of entries) expect(Object.keys(e)).toEqual(Object.keys(entries[0] ?? {}));
  });

  it('development pages nobody: its SLOs alert by ticket only', async () => {
    const entries = slosJson(planOf('dev'));
    expect(entries.every((e) => e.alerts.map((a) => a.severity).join() === 'ticket')).toBe(true);
  });

  it('the table shows every SLO with where it alerts, the burn windows and the queries', async () => {
    const run = await cli('--env', 'staging');
    expect(run.code, run.stderr).toBe(0);
    const plan = planOf('staging');
    expect(run.stdout).toContain(`staging: ${plan.observability.slos.length} service level objectives`);
    expect(run.stdout).toMatch(/orders-api-latency +orders-api +latency +kong +99 % +≤ 250 ms +Slack #platform-staging-pages +Slack #platform-tickets/);
    expect(run.stdout).toContain('Burn windows: page when 14.4× over 1h and 5m, or 6× over 6h and 30m; open a ticket when 3× over 1d and 2h, or 1× over 3d and 6h');
    for (const slo of plan.observability.slos) expect(run.stdout).toContain(`  ${slo.name}: ${slo.errorRatio ?? slo.badNow}`);
  });

  it('refuses bad flags naming the flag, exit 1, nothing printed on stdout', async () => {
    const cases: [string[], string][] = [
      [[], '--env: is required: name one environment'],
      [['--env', 'prod', '--env', 'dev'], '--env: name exactly one environment'],
      [['--env', 'qa'], '--env: no environment "qa" in environments/index.ts (it has dev, staging, prod)'],
      [['--env', 'prod', '--format', 'yaml'], '--format: must be one of table, json, markdown'],
      [['--write', 'README.md', '--write-runbooks'], '--write-runbooks: write the README block and the runbooks in two runs'],
    ];
    for (const [args, message] of cases) {
      const run = await cli(...args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toContain(`error: ${message}`);
      expect(run.stdout).toBe('');
    }
  });

  it('--write replaces only the marked block, and fails naming a file without markers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slos-'));
    try {
      const doc = join(dir, 'doc.md');
      await writeFile(doc, `# ops\n\n${SLOS_BEGIN}\nstale\n${SLOS_END}\n\nafter\n`);
      const run = await cli('--write', doc);
      expect(run.code, run.stderr).toBe(0);
      expect(await readFile(doc, 'utf8')).toBe(`# ops\n\n${slosBlock(planOf('prod'))}\n\nafter\n`);
      const plain = join(dir, 'plain.md');
      await writeFile(plain, '# nothing here\n');
      const bad = await cli('--write', plain);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`${plain}: no slos block`);
      expect(await readFile(plain, 'utf8')).toBe('# nothing here\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
