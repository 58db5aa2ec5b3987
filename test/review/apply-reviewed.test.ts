// apply-reviewed against the local terraform binary with the `local` backend: it applies the
// saved plan when the plan now is the reviewed one, and refuses — leaving the state exactly as
// it was — when something changed between review and merge.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli-process.ts';
import { SKIP_REASON, skipWithoutTerraform, TerraformDir } from './fixtures/plan-review/terraform.ts';

const CONFIG = (input: string) => `
terraform {
  backend "local" {
    path = "state/demo.tfstate"
  }
}
resource "terraform_data" "app" {
  input = "${input}"
}
`;

describe.skipIf(skipWithoutTerraform)(`apply-reviewed${SKIP_REASON}`, () => {
  let tf: TerraformDir;
  const statePath = () => join(tf.dir, 'state/demo.tfstate');
  const stateDigest = async () => createHash('sha256').update(await readFile(statePath())).digest('hex');
  const stateInput = async () => (JSON.parse(await readFile(statePath(), 'utf8')) as { resources: Array<{ instances: Array<{ attributes: { input: { value: string } } }> }> }).resources[0]!.instances[0]!.attributes.input.value;

  /** The pull request's side: plan the configuration under review, keep its record. */
  async function review(input: string): Promise<string> {
    await tf.write(CONFIG(input));
    await writeFile(join(tf.dir, 'reviewed-plan.json'), await tf.planJson());
    const record = join(tf.dir, 'reviewed.json');
    const run = await runCli(['plan-compare', '--record', record, '--stack', 'demo-dev', '--commit', 'abcdef1', join(tf.dir, 'reviewed-plan.json')]);
    expect(run.code, run.stderr).toBe(0);
    return record;
  }
  const deploy = (record: string, ...extra: string[]) =>
    runCli(['apply-reviewed', '--dir', tf.dir, '--stack', 'demo-dev', '--reviewed', record, '--summary', join(tf.dir, 'summary.md'), ...extra], {
      env: { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0', TF_CLI_CONFIG_FILE: join(tf.dir, 'empty.tfrc') },
    });

  beforeEach(async () => {
    tf = await TerraformDir.create('deploy');
    await tf.write(CONFIG('v1'));
    await tf.init();
    await tf.apply();
  });
  afterEach(async () => {
    await tf.remove();
  });

  it('applies the saved plan when the plan now is the reviewed one', async () => {
    const record = await review('v2');
    const run = await deploy(record, '--commit', 'abcdef1234567890');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^plan as reviewed · demo-dev: sha256:/m);
    expect(run.stdout).toContain('demo-dev: applied the reviewed plan');
    expect(await stateInput()).toBe('v2');
    expect(await readFile(join(tf.dir, 'summary.md'), 'utf8')).toContain('### Plan as reviewed · demo-dev');
    // Applied: the next run has nothing to do.
    expect((await deploy(await review('v2'))).stdout).toContain('demo-dev: nothing to apply');
  });

  it('refuses when the configuration changed between review and merge, and leaves the state untouched', async () => {
    const record = await review('v2');
    await tf.write(CONFIG('v3')); // another merge landed first
    const before = await stateDigest();
    const run = await deploy(record);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('terraform_data.app input: reviewed "v1" → "v2", now "v1" → "v3"');
    expect(run.stdout).not.toContain('applied the reviewed plan');
    expect(await stateDigest()).toBe(before);
    expect(await stateInput()).toBe('v1');
    const summary = await readFile(join(tf.dir, 'summary.md'), 'utf8');
    expect(summary).toContain('### Plan differs from the reviewed one · demo-dev');
    expect(summary).toContain('**Nothing was applied.**');
  });

  it('refuses when the state changed out of band between review and merge, and leaves it untouched', async () => {
    const record = await review('v2');
    await tf.write(CONFIG('by-hand'));
    await tf.apply();
    await tf.write(CONFIG('v2'));
    const before = await stateDigest();
    const run = await deploy(record);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('terraform_data.app input: reviewed "v1" → "v2", now "by-hand" → "v2"');
    expect(await stateDigest()).toBe(before);
  });

  it('refuses a review of another commit or another stack, and an unreadable one, before planning', async () => {
    const record = await review('v2');
    const before = await stateDigest();
    const stale = await deploy(record, '--commit', '1234567');
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("the review is of commit abcdef1, but the pull request's head is 1234567: the last push was not reviewed");
    const other = await runCli(['apply-reviewed', '--dir', tf.dir, '--stack', 'demo-prod', '--reviewed', record]);
    expect(other.code).toBe(2);
    expect(other.stdout).toContain('is the review of demo-dev, not of demo-prod');
    const missing = await deploy(join(tf.dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json: cannot be read (ENOENT); nothing applied');
    expect(await stateDigest()).toBe(before);
  });
});
