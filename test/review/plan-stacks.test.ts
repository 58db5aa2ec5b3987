// plan-stacks against the local terraform binary: one directory per stack of an environment
// (terraform_data, local backend), as cdktf.out/stacks/ holds them, planned in the order
// infra/stack-order.ts names — unchanged stacks skipped, stacks whose dependency has no state
// "planned after" it, drift found in deployed stacks only.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentStacks } from '../../infra/stack-order.ts';
import { runCli } from '../cli-process.ts';
import { SKIP_REASON, skipWithoutTerraform } from './fixtures/plan-review/terraform.ts';

const stack = (value: string) => `
terraform {
  backend "local" {
    path = "terraform.tfstate"
  }
}
resource "terraform_data" "thing" {
  input = "${value}"
}
`;

describe.skipIf(skipWithoutTerraform)(`plan-stacks${SKIP_REASON}`, () => {
  let root: string;
  const stacksDir = () => join(root, 'stacks');
  const names = environmentStacks('dev').map((s) => s.name);
  const env = () => ({ TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0', TF_CLI_CONFIG_FILE: join(root, 'empty.tfrc') });
  const terraform = (dir: string, args: string[]) =>
    new Promise<void>((done, fail) => execFile('terraform', [`-chdir=${join(stacksDir(), dir)}`, ...args], { env: { ...process.env, ...env() }, timeout: 120_000 }, (err, _o, stderr) => (err ? fail(new Error(stderr)) : done())));
  const apply = async (name: string) => {
    await terraform(name, ['init', '-input=false']);
    await terraform(name, ['apply', '-input=false', '-auto-approve']);
  };
  const planStacks = (out: string, ...extra: string[]) => runCli(['plan-stacks', '--env', 'dev', '--stacks-dir', stacksDir(), '--out-dir', join(root, out), '--commit', 'abc1234', ...extra], { env: env() });
  const result = async (out: string) => JSON.parse(await readFile(join(root, out, 'result.json'), 'utf8'));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'plan-stacks-'));
    await writeFile(join(root, 'empty.tfrc'), '');
    for (const name of names) {
      await mkdir(join(stacksDir(), name), { recursive: true });
      await writeFile(join(stacksDir(), name, 'main.tf'), stack(`${name} v1`));
    }
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a fresh environment: the first stack planned, each later one "planned after" the one it needs', async () => {
    const run = await planStacks('fresh');
    expect(run.code, run.stderr).toBe(0);
    expect((await result('fresh')).stacks).toEqual([
      { stack: 'platform-dev', status: 'planned', changes: 1 },
      { stack: 'control-planes-dev', status: 'after', after: 'platform-dev' },
      { stack: 'k8s-dev', status: 'after', after: 'control-planes-dev' },
    ]);
    const comment = await readFile(join(root, 'fresh/comment-1.md'), 'utf8');
    expect(comment).toContain('### Terraform plans · dev');
    expect(comment).toContain('- `control-planes-dev`: planned after `platform-dev` is applied');
    expect(comment).toContain('### Terraform plan · platform-dev'); // plan-review's own rendering
    expect(comment).toMatch(/^<!-- platform-reviewed-plan \{"stack":"platform-dev","commit":"abc1234","digest":"sha256:[0-9a-f]{64}"\} -->$/m);
  });

  it('skips the stacks the synth diff found unchanged, saying so, and records them with no changes', async () => {
    await apply('platform-dev');
    await apply('control-planes-dev');
    await writeFile(join(stacksDir(), 'k8s-dev', 'main.tf'), stack('k8s-dev v2'));
    const diff = join(root, 'diff.json');
    await writeFile(diff, JSON.stringify({ base: { ref: 'origin/main' }, environments: [{ env: 'dev', artifacts: [{ kind: 'terraform', file: 'cdktf.out/stacks/k8s-dev/cdk.tf.json', entries: [] }] }] }));
    const run = await planStacks('changed', '--synth-diff', diff);
    expect(run.code, run.stderr).toBe(0);
    expect((await result('changed')).stacks).toEqual([
      { stack: 'platform-dev', status: 'unchanged' },
      { stack: 'control-planes-dev', status: 'unchanged' },
      { stack: 'k8s-dev', status: 'planned', changes: 1 },
    ]);
    const comment = await readFile(join(root, 'changed/comment-1.md'), 'utf8');
    expect(comment).toContain('- `platform-dev`: not planned — its synthesized JSON is identical to the base branch');
    const skipped = JSON.parse(await readFile(join(root, 'changed/records/platform-dev.json'), 'utf8'));
    expect(skipped).toMatchObject({ stack: 'platform-dev', commit: 'abc1234', changes: [], skipped: 'its synthesized JSON is identical to the base branch' });
    const k8s = JSON.parse(await readFile(join(root, 'changed/records/k8s-dev.json'), 'utf8'));
    expect(k8s.changes.map((c: { address: string }) => c.address)).toEqual(['terraform_data.thing']);
  });

  it('drift: plans the deployed stacks only and reports what changed outside Terraform', async () => {
    // Out of band: platform-dev's object is changed by hand, then its configuration restored.
    await writeFile(join(stacksDir(), 'platform-dev', 'main.tf'), stack('by hand'));
    await apply('platform-dev');
    await writeFile(join(stacksDir(), 'platform-dev', 'main.tf'), stack('platform-dev v1'));
    const run = await planStacks('drift', '--drift');
    expect(run.code, run.stderr).toBe(0);
    const r = await result('drift');
    expect(r.drift).toBe(true);
    expect(r.stacks).toEqual([
      { stack: 'platform-dev', status: 'planned', changes: 1 },
      { stack: 'control-planes-dev', status: 'planned', changes: 0 },
      { stack: 'k8s-dev', status: 'not-deployed' },
    ]);
    const body = await readFile(join(root, 'drift/comment-1.md'), 'utf8');
    expect(body).toContain('### Drift · dev');
    expect(body).toContain('### Terraform plan · platform-dev');
    expect(body).not.toContain('### Terraform plan · control-planes-dev');
    // Restored: no drift left.
    await apply('platform-dev');
    await planStacks('clean', '--drift');
    expect((await result('clean')).drift).toBe(false);
  });

  it('exits 2 on bad flags or an unreadable synth diff', async () => {
    expect((await runCli(['plan-stacks', '--env', 'dev'])).code).toBe(2);
    await writeFile(join(root, 'bad.json'), '{"nope": 1}');
    const bad = await planStacks('bad', '--synth-diff', join(root, 'bad.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.json: not the JSON of npm run diff -- --format json');
  });
});
