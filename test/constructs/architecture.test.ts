import { describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

const importsOf = (text: string): string[] => [...text.matchAll(/^\s*import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');

/** DESIGN.md §2/§8: plans and renderers are pure; cdktf stays in infra/ and constructs/gcp/. */
describe('architecture', () => {
  it('keeps plans free of cdktf and cdk8s', async () => {
    const plans = [...(await sources('constructs')).filter((f) => f.endsWith('-plan.ts') || f.includes('/edge/')), 'constructs/platform-plan.ts'];
    expect(plans.length).toBeGreaterThan(4);
    for (const file of plans) {
      const bad = importsOf(await readFile(join(ROOT, file), 'utf8')).filter((m) => /^(cdktf|cdk8s|@cdktf\/|cdk8s-plus|constructs)/.test(m));
      expect(bad, file).toEqual([]);
    }
  });

  it('confines cdktf to infra/ and constructs/gcp/, with deep provider imports only', async () => {
    const all = [
      ...(await sources('environments')),
      ...(await sources('constructs')),
      ...(await sources('infra')),
      ...(await sources('charts')),
      ...(await sources('policies')),
      ...(await sources('cli')),
    ];
    for (const file of all) {
      const imports = importsOf(await readFile(join(ROOT, file), 'utf8'));
      const cdktf = imports.filter((m) => m === 'cdktf' || m.startsWith('@cdktf/'));
      if (!file.startsWith('infra/') && !file.startsWith('constructs/gcp/')) {
        expect(cdktf, `${file} imports cdktf`).toEqual([]);
      }
      // The provider's package root costs ~2 s to load; a deep import ~0.1 s.
      expect(imports.filter((m) => m === '@cdktf/provider-google' || m === '@cdktf/provider-kubernetes'), file).toEqual([]);
    }
  });
});
