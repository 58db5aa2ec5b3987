// plan-compare on real plans: the local terraform binary and the built-in terraform_data, no
// provider, no network. Run as a user runs it (the CLI in a child process), exit codes included.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli-process.ts';
import { SKIP_REASON, skipWithoutTerraform, TerraformDir } from './fixtures/plan-review/terraform.ts';

const CONFIG = (input: string, trigger: string) => `
variable "token" {
  type      = string
  sensitive = true
  default   = "unset"
}
resource "terraform_data" "first" {
  input            = "${input}"
  triggers_replace = ["${trigger}"]
}
resource "terraform_data" "created" {
  # unknown until first exists: "(known after apply)" in every plan
  input = terraform_data.first.id
}
resource "terraform_data" "secret" {
  input = var.token
}
`;

/** Every object's keys in reverse order, at every depth: the same plan, written differently. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe.skipIf(skipWithoutTerraform)(`plan-compare on real terraform plans${SKIP_REASON}`, () => {
  let tf: TerraformDir;
  const file = (name: string) => join(tf.dir, name);
  const plan = async (name: string, vars: Record<string, string> = {}) => {
    await writeFile(file(name), await tf.planJson(vars));
    return file(name);
  };
  const compare = (...args: string[]) => runCli(['plan-compare', ...args]);

  beforeAll(async () => {
    tf = await TerraformDir.create('compare');
    await tf.write(CONFIG('one', 'a'));
    await tf.init();
    await tf.apply({ token: 'first-secret-value-1' });
  });
  afterAll(async () => {
    await tf.remove();
  });

  it('the same configuration planned twice compares equal (unknowns unknown in both), as records too', async () => {
    await tf.write(CONFIG('two', 'a'));
    const a = await plan('same-a.json', { token: 'first-secret-value-1' });
    const b = await plan('same-b.json', { token: 'first-secret-value-1' });
    const run = await compare(a, b);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^plan as reviewed: sha256:[0-9a-f]{64}$/m);
    // The record a pull request keeps compares equal to the plan it was made from, and to a fresh one.
    const rec = await runCli(['plan-compare', '--record', file('same.record.json'), '--stack', 'demo', '--commit', 'abc1234', a]);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stdout).toMatch(/^<!-- platform-reviewed-plan \{"stack":"demo","commit":"abc1234","digest":"sha256:[0-9a-f]{64}"\} -->$/m);
    const record = JSON.parse(await readFile(file('same.record.json'), 'utf8'));
    expect(record.changes.map((c: { address: string }) => c.address)).toEqual(['terraform_data.first']);
    expect((await compare(file('same.record.json'), b)).code).toBe(0);
  });

  it('reordered keys compare equal', async () => {
    const a = await plan('order.json', { token: 'first-secret-value-1' });
    const reordered = file('order-reversed.json');
    await writeFile(reordered, JSON.stringify(reverseKeys(JSON.parse(await readFile(a, 'utf8')))));
    expect((await readFile(reordered, 'utf8')).startsWith((await readFile(a, 'utf8')).slice(0, 20))).toBe(false);
    expect((await compare(a, reordered)).code).toBe(0);
  });

  it('a value changed out of band between the plans: different, naming the resource and the attribute', async () => {
    await tf.write(CONFIG('two', 'a'));
    const reviewed = await plan('value-reviewed.json', { token: 'first-secret-value-1' });
    // Someone applies another value by hand; the configuration under review is unchanged.
    await tf.write(CONFIG('by-hand', 'a'));
    await tf.apply({ token: 'first-secret-value-1' });
    await tf.write(CONFIG('two', 'a'));
    const current = await plan('value-current.json', { token: 'first-secret-value-1' });
    const run = await compare(reviewed, current);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('plan differs from the reviewed one: 2 differences');
    expect(run.stdout).toContain('terraform_data.first input: reviewed "one" → "two", now "by-hand" → "two"');
    expect(run.stdout).toContain('terraform_data.first output: reviewed "one" → (known after apply), now "by-hand" → (known after apply)');
    expect(run.stdout).toContain('nothing was applied');
  });

  it('a resource replaced out of band between the plans: different, naming the resource and its id', async () => {
    const vars = { token: 'first-secret-value-1' };
    await tf.write(CONFIG('two', 'a'));
    await tf.apply(vars);
    await tf.write(CONFIG('two', 'b')); // the trigger changes: the review is a replacement
    const reviewed = await plan('replace-reviewed.json', vars);
    // Someone replaces the object by hand (same configuration as deployed): it gets a new id.
    await tf.write(CONFIG('two', 'a'));
    await tf.run(['apply', '-no-color', '-input=false', '-auto-approve', '-replace=terraform_data.first'], vars);
    await tf.write(CONFIG('two', 'b'));
    const current = await plan('replace-current.json', vars);
    const run = await compare(reviewed, current, '--stack', 'demo');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('plan differs from the reviewed one · demo');
    expect(run.stdout).toMatch(/terraform_data\.first id: reviewed "([0-9a-f-]{36})" → \(known after apply\), now "(?!\1)[0-9a-f-]{36}" → \(known after apply\)/);
    const markdown = await compare(reviewed, current, '--format', 'markdown', '--stack', 'demo');
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toContain('### Plan differs from the reviewed one · demo');
    expect(markdown.stdout).toContain('- `terraform_data.first` `id`: reviewed');
  });

  it('never shows a sensitive value, in its output, its summary or a record', async () => {
    await tf.write(CONFIG('two', 'b'));
    const reviewed = await plan('secret-reviewed.json', { token: 'second-secret-value-2' });
    const current = await plan('secret-current.json', { token: 'third-secret-value-3' });
    const summary = file('summary.md');
    const run = await compare(reviewed, current, '--summary', summary);
    const rec = await runCli(['plan-compare', '--record', file('secret.record.json'), '--stack', 'demo', '--commit', 'abc1234', current]);
    const everything = [run.stdout, run.stderr, await readFile(summary, 'utf8'), rec.stdout, await readFile(file('secret.record.json'), 'utf8')].join('\n');
    // The raw plans do hold them (so the check below is not vacuous) ...
    expect(await readFile(current, 'utf8')).toContain('third-secret-value-3');
    // ... what plan-compare writes never does.
    for (const secret of ['first-secret-value-1', 'second-secret-value-2', 'third-secret-value-3']) expect(everything).not.toContain(secret);
    expect(everything).toContain('(sensitive value)');
  });

  it('exits 2 when a file cannot be read, is not a plan, or a record was altered', async () => {
    const missing = await compare(file('nope.json'), file('nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json: cannot be read (ENOENT)');
    await writeFile(file('garbage.json'), '{"format_version": "2.0"}');
    const bad = await compare(file('garbage.json'), file('same-a.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/garbage\.json: format_version: plan-review reads format 1\.x/);
    const record = JSON.parse(await readFile(file('same.record.json'), 'utf8'));
    record.changes = [];
    await writeFile(file('altered.record.json'), JSON.stringify(record));
    const altered = await compare(file('altered.record.json'), file('same-a.json'));
    expect(altered.code).toBe(2);
    expect(altered.stderr).toContain('altered.record.json: digest: ');
    expect((await compare(file('same-a.json'))).code).toBe(2);
  });
});
