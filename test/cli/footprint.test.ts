import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FOOTPRINT_BEGIN, FOOTPRINT_END, footprintBlock, footprintTable } from '../../cli/commands/footprint.ts';
import { derivePlan } from '../../constructs/platform-plan.ts';
import { parseEnvironment } from '../../environments/load.ts';
import type { EnvironmentInput } from '../../environments/schema.ts';
import prod from '../../environments/prod.ts';
import { planOf } from '../plan-fixtures.ts';
import { ROOT, runCli, type CliRun } from '../cli-process.ts';

const plans = (['dev', 'staging', 'prod'] as const).map(planOf);

const cli = (...args: string[]): Promise<CliRun> => runCli(['footprint', ...args], { timeoutMs: 60_000 });

describe('README footprint table', () => {
  it('is what `npm run footprint` generates from the catalog today', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(FOOTPRINT_BEGIN);
    const end = readme.indexOf(FOOTPRINT_END, start);
    expect(start, 'README.md has no footprint block').toBeGreaterThanOrEqual(0);
    expect(readme.slice(start, end + FOOTPRINT_END.length), 'README.md\'s footprint table is out of date: run `npm run footprint -- --write README.md`').toBe(footprintBlock(plans));
  });

  it('shows per environment the pools, GPUs, WAF mode and rules, topics and entries', () => {
    const [header, , dev, staging, prodRow] = footprintTable(plans).split('\n');
    expect(header).toBe('| environment | CPU pools | GPU pools | WAF (Cloud Armor) | topics | public entry | internal entries |');
    expect(dev).toContain('**preview**');
    expect(staging).toContain('**enforced**');
    expect(prodRow).toContain('**enforced**');
    expect(prodRow).toContain('general: n2-standard-8, 2–20 nodes<br>spot-batch: n2-standard-4 spot, 0–10 nodes');
    expect(prodRow).toContain('h100-mig: 1× nvidia-h100-80gb, MIG 1g.10gb, 0–2 nodes');
    expect(prodRow).toContain('cve-canary (Log4Shell), sqli 2, xss 2, lfi 1, rfi 2, rce 2, protocolattack 2, scannerdetection 2');
    expect(prodRow).toContain('ban > 1000/60 s per IP for 900 s<br>deny KP<br>adaptive protection');
    expect(prodRow).toContain('ingest (1 sub, 1 with DLQ; ingest /v1/events)');
    expect(prodRow).toContain('api.acme.example on prod-edge-ip<br>4 HTTP/1.1 routes (≤ 7215 s), 1 gRPC (≤ 915 s)');
    expect(prodRow?.endsWith('| — |')).toBe(true);
  });

  it('lists internal entries by kind', () => {
    const input: EnvironmentInput = structuredClone(prod);
    const inventory = input.services?.find((s) => s.name === 'inventory');
    if (!inventory) throw new Error('inventory missing');
    inventory.exposure = 'internal';
    const parsed = parseEnvironment('prod', input);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(footprintTable([derivePlan(parsed.env)])).toContain('| commerce/inventory: internal passthrough LB (grpc :9090) |');
  });

  it('--write replaces only the marked block of a file, and fails naming a file without markers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'footprint-'));
    try {
      const doc = join(dir, 'doc.md');
      await writeFile(doc, `# title\n\n${FOOTPRINT_BEGIN}\nstale\n${FOOTPRINT_END}\n\nafter\n`);
      const run = await cli('--write', doc);
      expect(run.code).toBe(0);
      expect(await readFile(doc, 'utf8')).toBe(`# title\n\n${footprintBlock(plans)}\n\nafter\n`);
      const plain = join(dir, 'plain.md');
      await writeFile(plain, '# nothing to replace\n');
      const bad = await cli('--write', plain);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`${plain}: no footprint block`);
      expect(await readFile(plain, 'utf8')).toBe('# nothing to replace\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
