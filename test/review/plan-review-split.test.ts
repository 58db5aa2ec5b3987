// plan-review on a REAL plan with thousands of changes (3,000 terraform_data creates plus one
// resource whose value alone is larger than a GitHub comment): split into comments that each
// fit, "part i of n" on each, and past the comment limit a visible note with what was left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_COMMENT_LIMIT, reviewPlanText } from '../../review/plan-review/plan-review.ts';
import { SKIP_REASON, skipWithoutTerraform, TerraformDir } from './fixtures/plan-review/terraform.ts';

const COUNT = 3000;

const MAIN_TF = `
resource "terraform_data" "many" {
  count = ${COUNT}
  input = { index = count.index, name = "item-\${count.index}" }
}
# One value bigger than a whole comment: shown without its details, never cut mid-markup.
resource "terraform_data" "huge" {
  input = join("", [for i in range(1000) : join("", [for j in range(7) : "0123456789"])])
}
`;

/** Addresses shown in a Markdown part: one `<summary>` per resource. */
function shown(part: string): string[] {
  return Array.from(part.matchAll(/<code>(terraform_data\.[^<]+)<\/code> — <b>/g), (m) => m[1]!);
}

describe.skipIf(skipWithoutTerraform)(`plan-review splits a plan with ${COUNT} changes${SKIP_REASON}`, () => {
  let tf: TerraformDir;
  let plan: string;

  beforeAll(async () => {
    tf = await TerraformDir.create('split');
    await tf.write(MAIN_TF);
    await tf.init();
    plan = await tf.planJson();
  });
  afterAll(async () => {
    await tf?.remove();
  });

  it('fits GitHub: at most 10 comments under 65,536 characters, then a note of what is left out', () => {
    const parts = reviewPlanText(plan, 'plan.json', { format: 'markdown', maxChars: GITHUB_COMMENT_LIMIT, maxComments: 10, title: 'platform-prod' });
    expect(parts).toHaveLength(10);
    parts.forEach((part, i) => {
      expect(part.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
      expect(part.startsWith(`### Terraform plan · platform-prod · part ${i + 1} of 10\n`)).toBe(true);
      expect(part.match(/^<details><summary>/gm)?.length ?? 0).toBe(part.match(/^<\/details>$/gm)?.length ?? 0);
      if (i > 0) expect(part).toContain('#### Created (continued)');
    });
    expect(parts[0]).toContain(`| \`+\` | create | ${COUNT + 1} |`);
    const addresses = parts.flatMap(shown);
    expect(new Set(addresses).size).toBe(addresses.length);
    const note = parts[9]!.match(/\*\*Truncated:\*\* ([\d,]+) resource changes not shown/);
    expect(note, 'the last part says what it left out').not.toBeNull();
    expect(addresses.length + Number(note![1]!.replace(/,/g, ''))).toBe(COUNT + 1);
    for (const part of parts.slice(0, 9)) expect(part).not.toContain('**Truncated:**');
  });

  it('shows every change once across the parts when the comment count allows', () => {
    const parts = reviewPlanText(plan, 'plan.json', { format: 'markdown', maxChars: GITHUB_COMMENT_LIMIT, maxComments: 100 });
    expect(parts.length).toBeGreaterThan(10);
    for (const [i, part] of parts.entries()) {
      expect(part.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
      expect(part).toContain(`part ${i + 1} of ${parts.length}`);
    }
    const addresses = parts.flatMap(shown);
    expect(addresses).toHaveLength(COUNT + 1);
    expect(new Set(addresses).size).toBe(COUNT + 1);
    // The one block too big for any comment is there, compact, with a note saying so.
    const huge = parts.find((p) => p.includes('<code>terraform_data.huge</code>'))!;
    expect(huge).toContain('<p><code>+</code> <code>terraform_data.huge</code> — <b>create</b> <i>(details left out: too large for one comment)</i></p>');
    expect(parts.at(-1)).toContain('1 block shown without details: too large for one comment.');
    expect(parts.join('')).not.toContain('0123456789'.repeat(10));
  });

  it('splits the text format the same way', () => {
    const parts = reviewPlanText(plan, 'plan.json', { format: 'text', maxChars: 20_000, maxComments: 1000 });
    expect(parts.length).toBeGreaterThan(1);
    for (const [i, part] of parts.entries()) {
      expect(part.length).toBeLessThanOrEqual(20_000);
      expect(part.startsWith(`Terraform plan · part ${i + 1} of ${parts.length}\n`)).toBe(true);
    }
    expect(parts.join('').match(/^\+ terraform_data\.many\[\d+\]: create$/gm)).toHaveLength(COUNT);
  });
});
