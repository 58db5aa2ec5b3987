import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RULES } from '../../policies/index.ts';

/** The README's policy table is documentation generated from code: it must not drift. */
describe('README policy table', () => {
  it('lists exactly the rules in policies/index.ts', async () => {
    const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const block = /<!-- policy-table[^>]*-->\n([\s\S]*?)<!-- \/policy-table -->/.exec(readme)?.[1];
    expect(block, 'README.md has no policy-table block').toBeDefined();
    const expected = [
      '| id | severity | rule |',
      '|---|---|---|',
      ...RULES.map((r) => `| ${r.id} | ${r.severity} | ${r.description} |`),
    ].join('\n');
    expect(block?.trim()).toBe(expected);
  });
});
