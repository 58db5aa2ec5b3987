import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RULES } from '../../policies/index.ts';
import { policyTable } from '../../policies/rule-docs.ts';
import { WAIVER_RULES } from '../../policies/waivers.ts';

/** The README's policy table is documentation generated from code: it must not drift. */
describe('README policy table', () => {
  it('lists exactly the rules in policies/index.ts and the waiver rules, with their equivalents', async () => {
    const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const block = /<!-- policy-table[^>]*-->\n([\s\S]*?)<!-- \/policy-table -->/.exec(readme)?.[1];
    expect(block, 'README.md has no policy-table block').toBeDefined();
    expect(block?.trim(), 'regenerate it from policyTable([...RULES, ...WAIVER_RULES])').toBe(policyTable([...RULES, ...WAIVER_RULES]));
  });

  it('renders a rule without equivalents as a dash, and escapes pipes', () => {
    const [row] = policyTable([{ ...RULES[0]!, id: 'X001', description: 'a | b', equivalents: {} }]).split('\n').slice(2);
    expect(row).toBe('| X001 | error | a \\| b | — |');
  });
});
