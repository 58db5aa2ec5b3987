// plan-review on REAL Terraform output: one working directory, one init and apply, then plans
// of a no-op, of every kind of change terraform_data can make (create, update, replace by
// triggers_replace both ways, delete, forget, move, a sensitive variable), and of an errored run.
// Drift and unknown actions cannot be made with terraform_data (its refresh returns the stored
// state unchanged; Terraform only emits actions it knows), so those cases edit a real plan's JSON.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { run as runPlanReview } from '../../cli/commands/plan-review.ts';
import { parsePlanJson, PlanJsonError } from '../../review/plan-review/plan-json.ts';
import { DEFAULT_REVIEW_OPTIONS, reviewPlanText } from '../../review/plan-review/plan-review.ts';
import { SKIP_REASON, skipWithoutTerraform, TerraformDir } from './fixtures/plan-review/terraform.ts';
import { runCli, type CliRun } from '../cli-process.ts';


const SECRET_BEFORE = 'hunter2-alpha-7f3a';
const SECRET_AFTER = 'hunter2-bravo-9c1d';
const SECRET_DRIFT = 'hunter2-charlie-0e5b';
const MARKUP = 'a|b `tick` <img src=x onerror=alert(1)> </details> @octocat #1 **bold**';

const VARIABLE = `
variable "secret" {
  type      = string
  sensitive = true
}
output "token" {
  value     = var.secret
  sensitive = true
}
`;

const BEFORE_TF = `${VARIABLE}
resource "terraform_data" "updated" { input = "v1" }
resource "terraform_data" "replaced" { triggers_replace = "a" }
resource "terraform_data" "replaced_cbd" {
  triggers_replace = "a"
  lifecycle { create_before_destroy = true }
}
resource "terraform_data" "deleted" { input = "bye" }
resource "terraform_data" "secret" { input = { name = "x", token = var.secret } }
resource "terraform_data" "forgotten" { input = "keep me" }
resource "terraform_data" "old_name" { input = "moving" }
resource "terraform_data" "markup" { input = "plain" }
resource "terraform_data" "long" { input = "short" }
output "retired" { value = "x" }
`;

const AFTER_TF = `${VARIABLE}
locals {
  markup = ${JSON.stringify(MARKUP)}
  long   = join("\\n", [for i in range(12) : "line \${i}: \`\`\`\` four backticks"])
}
resource "terraform_data" "updated" { input = "v2" }
resource "terraform_data" "replaced" { triggers_replace = "b" }
resource "terraform_data" "replaced_cbd" {
  triggers_replace = "b"
  lifecycle { create_before_destroy = true }
}
resource "terraform_data" "secret" { input = { name = "y", token = var.secret } }
removed {
  from = terraform_data.forgotten
  lifecycle { destroy = false }
}
moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}
resource "terraform_data" "new_name" { input = "moving" }
resource "terraform_data" "markup" { input = local.markup }
resource "terraform_data" "long" { input = local.long }
resource "terraform_data" "created" { input = "hello" }
output "added" { value = "new" }
`;

const ERRORED_TF = `${AFTER_TF}
resource "terraform_data" "guarded" {
  input = "x"
  lifecycle {
    precondition {
      condition     = terraform_data.updated.input == "never"
      error_message = "The updated input must be never."
    }
  }
}
`;

const cli = (...args: string[]): Promise<CliRun> => runCli(['plan-review', ...args], { timeoutMs: 60_000 });

function markdown(planText: string): string {
  const parts = reviewPlanText(planText, 'plan.json');
  expect(parts).toHaveLength(1);
  return parts[0]!;
}

function text(planText: string): string {
  return reviewPlanText(planText, 'plan.json', { ...DEFAULT_REVIEW_OPTIONS, format: 'text' }).join('');
}

/** The `<details>` block of one resource address. */
function detailsOf(md: string, address: string): string {
  const start = md.indexOf(`<code>${address}</code>`);
  expect(start, `${address} is in the review`).toBeGreaterThan(-1);
  const end = md.indexOf('\n</details>\n', start);
  return md.slice(md.lastIndexOf('<details>', start), end + '\n</details>'.length);
}

describe.skipIf(skipWithoutTerraform)(`plan-review on real terraform plans${SKIP_REASON}`, () => {
  let tf: TerraformDir;
  let noopPlan: string;
  let plan: string;
  let erroredPlan: string;

  beforeAll(async () => {
    tf = await TerraformDir.create('changes');
    await tf.write(BEFORE_TF);
    await tf.init();
    await tf.apply({ secret: SECRET_BEFORE });
    noopPlan = await tf.planJson({ secret: SECRET_BEFORE });
    await tf.write(AFTER_TF);
    plan = await tf.planJson({ secret: SECRET_AFTER });
    await writeFile(join(tf.dir, 'plan.json'), plan);
    await tf.write(ERRORED_TF);
    erroredPlan = await tf.planJson({ secret: SECRET_AFTER }, true);
    await tf.write(AFTER_TF);
  });
  afterAll(async () => {
    await tf?.remove();
  });

  it('says plainly that a no-op plan changes nothing', () => {
    const md = markdown(noopPlan);
    expect(md).toContain('**No changes.**');
    expect(md).not.toContain('<details>');
    expect(text(noopPlan)).toContain('No changes.');
  });

  it('counts by action, with Terraform\'s add/change/destroy tally', () => {
    const md = markdown(plan);
    expect(md).toContain('**Plan:** 3 to add, 4 to change, 3 to destroy (2 of them replaced), 1 to forget.');
    expect(md).toContain('| `-` | delete | 1 |');
    expect(md).toContain('| `-/+` | replace: destroy the old one first, then create the new (a gap between) | 1 |');
    expect(md).toContain('| `+/-` | replace: create the new one, then destroy the old (create_before_destroy) | 1 |');
    expect(md).toContain('| `~` | update in place | 4 |');
    expect(md).toContain('| `+` | create | 1 |');
    expect(md).toContain('| `.` | forget: removed from state, not destroyed | 1 |');
  });

  it('puts deletes and both replace forms first, and tells them apart', () => {
    const md = markdown(plan);
    const order = ['terraform_data.deleted', 'terraform_data.replaced', 'terraform_data.replaced_cbd', 'terraform_data.forgotten', 'terraform_data.updated', 'terraform_data.created'].map((a) =>
      md.indexOf(`<code>${a}</code>`),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const destroyFirst = detailsOf(md, 'terraform_data.replaced');
    const createFirst = detailsOf(md, 'terraform_data.replaced_cbd');
    expect(destroyFirst).toContain('<code>-/+</code>');
    expect(destroyFirst).toContain('destroy the old one first, then create the new');
    expect(createFirst).toContain('<code>+/-</code>');
    expect(createFirst).toContain('create the new one, then destroy the old (create_before_destroy)');
    for (const block of [destroyFirst, createFirst]) {
      expect(block).toContain('**Why:** a changed attribute cannot be updated in place (`replace_because_cannot_update`)');
      expect(block).toContain('forced by <code>triggers_replace</code>');
      expect(block).toContain('| `triggers_replace` **forces replacement** | `"a"` | `"b"` |');
    }
    expect(detailsOf(md, 'terraform_data.deleted')).toContain('no longer in the configuration (`delete_because_no_resource_config`)');
  });

  it('shows an update attribute by attribute, unknowns as known after apply', () => {
    const md = markdown(plan);
    const updated = detailsOf(md, 'terraform_data.updated');
    expect(updated).toContain('| `input` | `"v1"` | `"v2"` |');
    expect(updated).toContain('| `output` | `"v1"` | `(known after apply)` |');
    expect(updated).not.toContain('`id`'); // unchanged attributes are not listed
    const created = detailsOf(md, 'terraform_data.created');
    expect(created).toContain('| `id` | `(known after apply)` |');
    expect(created).toContain('| `input` | `"hello"` |');
  });

  it('reports forgets and moves', () => {
    const md = markdown(plan);
    expect(md).toContain('#### Removed from state, not destroyed');
    expect(md).toContain('moved from <code>terraform_data.old_name</code>');
    expect(text(plan)).toContain('terraform_data.new_name: no change (moved from terraform_data.old_name)');
    expect(detailsOf(md, 'terraform_data.new_name')).toContain('_Nothing else changes._');
  });

  it('never shows a sensitive value, at any depth, in either format', () => {
    // The plan itself carries both secrets in clear (variables, prior state, the unmarked
    // `output` attribute terraform_data copies from `input`): the test cannot pass vacuously.
    expect(plan).toContain(SECRET_BEFORE);
    expect(plan).toContain(SECRET_AFTER);
    const md = markdown(plan);
    const txt = text(plan);
    for (const secret of [SECRET_BEFORE, SECRET_AFTER]) {
      expect(md).not.toContain(secret);
      expect(txt).not.toContain(secret);
    }
    const secret = detailsOf(md, 'terraform_data.secret');
    expect(secret).toContain('| `input.name` | `"x"` | `"y"` |');
    expect(secret).toContain('| `input.token` | `(sensitive value)` | `(sensitive value)` |');
    // Terraform's marks miss the copy in `output`; it is hidden as a known sensitive value.
    expect(secret).toContain('| `output` | `{ name = "x", token = (sensitive value) }` | `(known after apply)` |');
  });

  it('lists output changes, masking sensitive outputs', () => {
    const md = markdown(plan);
    expect(md).toContain('#### Output changes');
    expect(md).toContain('| `added` `+` create | — | `"new"` |');
    expect(md).toContain('| `retired` `-` delete | `"x"` | — |');
    expect(md).toContain('| `token` `~` update in place | `(sensitive value)` | `(sensitive value)` |');
  });

  it('keeps markup in values inert: HTML, pipes, backticks, mentions; long values fenced', () => {
    const md = markdown(plan);
    const markup = detailsOf(md, 'terraform_data.markup');
    const row = markup.split('\n').find((l) => l.startsWith('| `input`'))!;
    // A code span (CommonMark keeps its content literal: no HTML, emphasis, links or mentions),
    // fenced by two backticks because the value holds one, its pipe escaped for the table.
    expect(row).toBe('| `input` | `"plain"` | ``"a\\|b `tick` <img src=x onerror=alert(1)> </details> @octocat #1 **bold**"`` |');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(5); // `| name | before | after |`: no pipe from the value
    expect(md.match(/^<details><summary>/gm)).toHaveLength(md.match(/^<\/details>$/gm)!.length);
    expect(md.match(/<\/details>/g)).toHaveLength(md.match(/^<\/details>$/gm)!.length + 1); // + the one in the code span
    const long = detailsOf(md, 'terraform_data.long');
    expect(long).toContain('_(long value, below)_');
    expect(long).toMatch(/^`````hcl\n<<EOT\nline 0: ```` four backticks\n/m); // fence longer than the value's run
  });

  it('renders the same review as plain text for a terminal', () => {
    const txt = text(plan);
    expect(txt).toContain('Plan: 3 to add, 4 to change, 3 to destroy (2 of them replaced), 1 to forget.');
    expect(txt).toContain('-/+ terraform_data.replaced: replace: destroy the old one first, then create the new (a gap between)');
    expect(txt).toContain('    triggers_replace: "a" -> "b"   # forces replacement');
    expect(txt).toContain('    input: "v1" -> "v2"');
    expect(txt).not.toContain('<code>');
  });

  it('flags an errored plan (a failed precondition) as not applyable', () => {
    expect(parsePlanJson(erroredPlan, 'plan.json').errored).toBe(true);
    const md = markdown(erroredPlan);
    expect(md).toContain('> [!CAUTION]\n> **Terraform reported errors while planning.**');
    expect(text(erroredPlan)).toContain('ERRORED:');
  });

  it('shows drift from resource_drift (derived from the real plan: terraform_data cannot drift)', () => {
    const json = JSON.parse(plan) as Record<string, unknown> & { resource_changes: Array<Record<string, unknown> & { address: string; change: Record<string, unknown> }> };
    const rc = (address: string) => json.resource_changes.find((r) => r.address === address)!;
    const updated = rc('terraform_data.updated');
    const secret = rc('terraform_data.secret');
    const stored = (r: typeof updated) => r.change.before as Record<string, unknown>;
    json.resource_drift = [
      { ...updated, change: { actions: ['update'], before: stored(updated), after: { ...stored(updated), output: 'edited by hand' }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} } },
      {
        ...secret,
        change: {
          actions: ['update'],
          before: stored(secret),
          after: { ...stored(secret), input: { name: 'x', token: SECRET_DRIFT } },
          after_unknown: {},
          before_sensitive: secret.change.before_sensitive,
          after_sensitive: { input: { token: true }, output: {} },
        },
      },
      { ...rc('terraform_data.deleted'), change: { actions: ['delete'], before: stored(rc('terraform_data.deleted')), after: null, after_unknown: {}, before_sensitive: {}, after_sensitive: false } },
    ];
    const drifted = JSON.stringify(json);
    const md = markdown(drifted);
    expect(md).toContain('**Drift:** 3 objects changed outside Terraform since the last apply (below).');
    expect(md).toContain('#### Drift: changed outside Terraform since the last apply');
    expect(md).toContain('<code>!</code> <code>terraform_data.deleted</code> — <b>deleted outside Terraform</b>');
    expect(md).toMatch(/terraform_data\.updated<\/code> — <b>changed outside Terraform<\/b>[\s\S]*?\| `output` \| `"v1"` \| `"edited by hand"` \|/);
    expect(md).not.toContain(SECRET_DRIFT);
    expect(md.indexOf('#### Drift')).toBeGreaterThan(md.indexOf('#### Destroyed or replaced'));
    expect(md.indexOf('#### Drift')).toBeLessThan(md.indexOf('#### Updated in place'));
  });

  it('renders actions and fields it does not know instead of failing', () => {
    const json = JSON.parse(plan) as { resource_changes: Array<{ address: string; change: { actions: string[] } }> } & Record<string, unknown>;
    json.resource_changes.find((r) => r.address === 'terraform_data.created')!.change.actions = ['teleport'];
    json.some_future_field = { anything: [1, 2, 3] };
    const md = markdown(JSON.stringify(json));
    expect(md).toContain('| `?` | unrecognized action: `teleport` | 1 |');
    expect(md).toContain('1 with unrecognized actions');
    expect(md).toContain('<code>?</code> <code>terraform_data.created</code> — <b>unrecognized action: teleport</b>');
    expect(md.indexOf('terraform_data.created')).toBeLessThan(md.indexOf('terraform_data.updated')); // right after the destroys
  });

  it('refuses input that is not a format 1.x plan, naming the file and field', () => {
    expect(() => parsePlanJson(JSON.stringify({ ...JSON.parse(plan), format_version: '2.0' }), 'p.json')).toThrow(/^p\.json: format_version: plan-review reads format 1\.x/);
    expect(() => parsePlanJson('{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":"create"}}]}', 'p.json')).toThrow(
      /p\.json: resource_changes\[0\]\.change\.actions: /,
    );
    expect(() => parsePlanJson('{"format_version":"1.0","values":{}}', 'state.json')).toThrow(/state\.json: is a state, not a plan/);
    expect(() => parsePlanJson('nope', 'p.json')).toThrow(PlanJsonError);
  });

  describe('the CLI', () => {
    /** run() in this process, its stdout and stderr captured. */
    async function runCaptured(args: readonly string[]): Promise<CliRun> {
      let stdout = '';
      let stderr = '';
      const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
      const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (stdout += `${a.join(' ')}\n`));
      const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (stderr += `${a.join(' ')}\n`));
      try {
        return { code: await runPlanReview(args), stdout, stderr };
      } finally {
        out.mockRestore();
        log.mockRestore();
        err.mockRestore();
      }
    }

    it('writes comment files to --out-dir, replacing stale parts', async () => {
      const out = join(tf.dir, 'review');
      await mkdir(out);
      await writeFile(join(out, 'comment-7.md'), 'a stale part from a longer review');
      await writeFile(join(out, 'notes.md'), 'not ours: kept');
      const run = await cli(join(tf.dir, 'plan.json'), '--out-dir', out, '--title', 'platform-dev');
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`plan-review: 1 comment in ${out}`);
      expect(run.stdout.trim()).toBe(join(out, 'comment-1.md'));
      expect((await readdir(out)).sort()).toEqual(['comment-1.md', 'notes.md']);
      const body = await readFile(join(out, 'comment-1.md'), 'utf8');
      expect(body.startsWith('### Terraform plan · platform-dev\n')).toBe(true);
      expect(body).not.toContain(SECRET_AFTER);
    });

    it('splits into numbered comment files under --max-chars', async () => {
      const out = join(tf.dir, 'small');
      const run = await runCaptured([join(tf.dir, 'plan.json'), '--out-dir', out, '--max-chars', '2500', '--max-comments', '50']);
      expect(run.code).toBe(0);
      const files = (await readdir(out)).sort((a, b) => parseInt(a.slice(8), 10) - parseInt(b.slice(8), 10));
      expect(files.length).toBeGreaterThan(2);
      for (const [i, file] of files.entries()) {
        expect(file).toBe(`comment-${i + 1}.md`);
        const body = await readFile(join(out, file), 'utf8');
        expect(body.length).toBeLessThanOrEqual(2500);
        expect(body).toContain(`part ${i + 1} of ${files.length}`);
      }
    });

    it('prints text to stdout', async () => {
      const run = await runCaptured([join(tf.dir, 'plan.json'), '--format', 'text']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Plan: 3 to add, 4 to change, 3 to destroy');
    });

    it('exits 1 naming the file on bad input (missing, not JSON, a binary plan) and with its usage on bad flags', async () => {
      const [missing, badFlag] = await Promise.all([cli(join(tf.dir, 'nope.json')), cli(join(tf.dir, 'plan.json'), '--format', 'html')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`error: ${join(tf.dir, 'nope.json')}: cannot read the plan JSON (ENOENT)`);
      expect(badFlag.code).toBe(1);
      expect(badFlag.stderr).toContain('error: --format: must be markdown or text');
      expect(badFlag.stderr).toContain('usage: platform plan-review <plan.json>');

      await writeFile(join(tf.dir, 'broken.json'), '{"format_version": ');
      const broken = await runCaptured([join(tf.dir, 'broken.json')]);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(`error: ${join(tf.dir, 'broken.json')}: not JSON`);
      const binary = await runCaptured([join(tf.dir, 'tfplan')]);
      expect(binary.code).toBe(1);
      expect(binary.stderr).toContain(`error: ${join(tf.dir, 'tfplan')}: is a binary plan file; give plan-review its JSON: terraform show -json`);
    });

    it('refuses bad flags with a UsageError naming the flag', async () => {
      const plan = join(tf.dir, 'plan.json');
      for (const [args, message] of [
        [[plan, '--max-chars', '12k'], '--max-chars: must be a whole number'],
        [[plan, '--max-chars', '100'], '--max-chars: must be at least 2000'],
        [[plan, '--max-comments', '0'], '--max-comments: must be at least 1'],
        [[], 'name the plan JSON file'],
        [['a.json', 'b.json'], 'unexpected argument "b.json"'],
        [[plan, '--bogus'], "Unknown option '--bogus'"],
      ] as const) {
        await expect(runPlanReview(args), args.join(' ')).rejects.toThrow(message);
        await expect(runPlanReview(args)).rejects.toBeInstanceOf(UsageError);
      }
    });
  });
});
