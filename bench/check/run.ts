/**
 * bench/check: `check` over every environment as a ratio to `synth` (both the CLI as users run
 * it, measured alternately in one run, medians), the policy work alone in-process, and the same
 * for a generated catalog of 500 services in three environments.
 * Target (DESIGN.md §7): check of the default catalog under a second.
 * Usage: npm run bench:check [-- --runs 5 --services 500]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { catalogEnvironments, synthesizedEnvironments } from '../../cli/commands/check.ts';
import { runPolicies } from '../../policies/policy-run.ts';
import { renderReport } from '../../policies/report.ts';
import { policyDate } from '../../policies/waiver-clock.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, services: { type: 'string', default: '500' } } });
const runs = z.coerce.number().int().min(1).max(50).parse(values.runs);
const serviceCount = z.coerce.number().int().min(7).max(5000).parse(values.services);
const work = mkdtempSync(join(tmpdir(), 'bench-check-'));

const progress = (text: string): void => void process.stderr.write(`${text}\n`);

function cli(args: readonly string[]): number {
  const start = performance.now();
  const res = spawnSync(TSX, ['cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - start;
  // check exits 2 when a policy fails: still a complete run.
  if (res.status !== 0 && !(args[0] === 'check' && res.status === 2)) throw new Error(`${args.join(' ')} failed (${res.status}):\n${res.stderr}`);
  return ms;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** The policy work of `check` in this process: catalog, read, evaluate, waivers, render. */
async function inProcessCheck(out: string, catalog: string): Promise<number> {
  const start = performance.now();
  const { environments } = await catalogEnvironments(catalog, await synthesizedEnvironments(out));
  renderReport(await runPolicies(out, environments, policyDate()), 'table');
  return performance.now() - start;
}

/** A catalog module: the real one with generated public APIs added to every environment. */
function generatedCatalog(file: string, total: number): void {
  const real = pathToFileURL(join(ROOT, 'environments/index.ts')).href;
  writeFileSync(
    file,
    `import real from '${real}';
const catalog = structuredClone(real);
const template = catalog.prod.services.find((s) => s.name === 'orders-api');
for (const env of Object.values(catalog)) {
  const extra = ${total} - env.services.length;
  env.services = [
    ...env.services,
    ...Array.from({ length: extra }, (_, i) => ({ ...template, name: \`svc-\${i}\`, route: { pathPrefix: \`/v1/svc-\${i}\` }, publishes: [] })),
  ];
}
export default catalog;
`,
  );
}

async function measure(label: string, out: string, catalog: string, catalogArgs: readonly string[]): Promise<{ synth: number; check: number; inProcess: number }> {
  progress(`${label}: warming up`);
  cli(['synth', '--no-policies', '--out', out, ...catalogArgs]);
  cli(['check', '--out', out, ...catalogArgs]);
  await inProcessCheck(out, catalog);
  const synth: number[] = [];
  const check: number[] = [];
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    synth.push(cli(['synth', '--no-policies', '--out', out, ...catalogArgs]));
    check.push(cli(['check', '--out', out, ...catalogArgs]));
    inProcess.push(await inProcessCheck(out, catalog));
    progress(`${label}: run ${i + 1}/${runs}`);
  }
  return { synth: median(synth), check: median(check), inProcess: median(inProcess) };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

try {
  const catalog = join(ROOT, 'environments/index.ts');
  const base = await measure('default catalog', join(work, 'default'), catalog, []);
  const generated = join(work, 'catalog-generated.ts');
  generatedCatalog(generated, serviceCount);
  const big = await measure(`${serviceCount} services`, join(work, 'generated'), generated, ['--catalog', generated]);
  console.log(`\n${'catalog'.padEnd(28)}${'synth (CLI)'.padStart(14)}${'check (CLI)'.padStart(14)}${'check/synth'.padStart(14)}${'policies in-process'.padStart(22)}   (medians of ${runs})`);
  for (const [name, m] of [
    ['default (3 environments)', base],
    [`${serviceCount} services × 3 environments`, big],
  ] as const) {
    console.log(
      `${name.padEnd(28)}${seconds(m.synth).padStart(14)}${seconds(m.check).padStart(14)}${(m.check / m.synth).toFixed(2).padStart(14)}${seconds(m.inProcess).padStart(22)}`,
    );
  }
  console.log(
    `\ncheck of the default catalog: ${seconds(base.check)} as a command, ${seconds(base.inProcess)} of policy work (target < 1 s: ${base.check < 1000 ? 'met' : base.inProcess < 1000 ? 'met by the policy work; the rest is Node/tsx start-up' : 'NOT met'})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
