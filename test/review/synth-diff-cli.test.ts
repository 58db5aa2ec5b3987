import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { SynthDiff } from '../../review/synth-diff/diff-model.ts';
import { renderMarkdown } from '../../review/synth-diff/render-markdown.ts';
import { run as runDiff } from '../../cli/commands/diff.ts';
import { UsageError } from '../../cli/args.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const exec = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cwd: string, command: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd, timeout: 120_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const git = (cwd: string, ...args: string[]): Promise<Run> =>
  run(cwd, 'git', ['-c', 'user.name=diff test', '-c', 'user.email=diff@example.invalid', '-c', 'commit.gpgsign=false', ...args]);

/** A one-environment catalog: one CPU pool, one public service. */
function catalog(machineType: string, maxReplicas: number, broken = false): string {
  return `const qa = {
  name: 'qa',
  tier: 'development',
  gcp: { projectId: 'acme-qa', region: 'europe-west4', zones: ['europe-west4-a'], labels: { env: 'qa' } },
  network: {
    vpcName: 'platform-qa', nodeCidr: '10.10.0.0/20', podCidr: '${broken ? '10.12.0.0/33' : '10.12.0.0/16'}', serviceCidr: '10.13.0.0/20',
    controlPlaneCidr: '172.16.10.0/28', authorizedNetworks: [{ name: 'corp', cidr: '203.0.113.0/24' }],
  },
  gke: {
    clusterName: 'platform-qa', locationType: 'zonal', releaseChannel: 'REGULAR',
    maintenanceWindow: { start: '2026-01-03T02:00:00Z', end: '2026-01-03T06:00:00Z', recurrence: 'FREQ=DAILY' },
    deletionProtection: false,
    cpuPools: [{ name: 'general', machineType: '${machineType}', minNodes: 1, maxNodes: 3 }],
    gpuPools: [],
  },
  edge: {
    domains: ['api.qa.acme.example'],
    armor: { owasp: [{ ruleSet: 'sqli-v33-stable', sensitivity: 1 }], rateBan: { thresholdCount: 3000, intervalSec: 60, banDurationSec: 300 }, preview: true },
  },
  mesh: { mtls: 'STRICT' },
  services: [{
    name: 'orders-api', namespace: 'commerce', kind: 'public-api', protocol: 'http',
    image: { name: 'orders-api', tag: '1.0.0' }, route: { pathPrefix: '/v1/orders' },
    auth: { type: 'none', reason: 'a public read-only test route' }, autoscaling: { minReplicas: 1, maxReplicas: ${maxReplicas} },
  }],
};
export default { qa };
`;
}

/** A git repository holding this project's files (as in the working tree) and three commits of a small catalog. */
async function makeRepository(dir: string): Promise<void> {
  const { stdout } = await exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file)) || file.startsWith('test/golden/')) continue;
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(ROOT, file), join(dir, file));
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  expect((await git(dir, 'init', '-q')).code).toBe(0);
  await writeFile(join(dir, '.git/info/exclude'), 'node_modules\n');
  const commit = async (message: string, text: string): Promise<void> => {
    await writeFile(join(dir, 'qa-catalog.ts'), text);
    expect((await git(dir, 'add', '-A')).code).toBe(0);
    expect((await git(dir, 'commit', '-q', '-m', message)).code).toBe(0);
  };
  await commit('a catalog that does not parse', catalog('e2-standard-4', 3, true));
  await commit('qa: e2-standard-4, up to 3 replicas', catalog('e2-standard-4', 3));
  await commit('qa: e2-standard-8, up to 6 replicas', catalog('e2-standard-8', 6));
}

/** The temporary directory named in the progress lines (`diff: checking out base … in /tmp/platform-diff-…/base`). */
const tempDirOf = (stderr: string): string => {
  const m = /checking out base .* in (\S+)\/base$/m.exec(stderr);
  if (!m?.[1]) throw new Error(`no temporary directory in:\n${stderr}`);
  return m[1];
};

describe('npm run diff on a real git history', () => {
  let repo: string;

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'platform-diff-repo-'));
    await makeRepository(repo);
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('ranks the node pool replacement first, with its reason, the replica change after it, and renders both as Markdown', async () => {
    const out = join(repo, 'diff.json');
    const r = await run(repo, TSX, ['cli/main.ts', 'diff', '--base', 'HEAD~1', '--catalog', 'qa-catalog.ts', '--format', 'json', '--output', out]);
    expect(r.stderr).toMatch(/^diff: checking out base HEAD~1 \([0-9a-f]{12}\) in /m);
    expect(r.stderr).toContain("diff: package-lock.json unchanged: using the working tree's node_modules");
    expect(r.stderr).toMatch(/^diff: synthesizing base HEAD~1 in .*\ndiff: synthesizing the working tree /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');

    const diff = JSON.parse(await readFile(out, 'utf8')) as SynthDiff & { base: { ref: string; commit: string } };
    expect(diff.base.ref).toBe('HEAD~1');
    expect(diff.environments.map((e) => e.env)).toEqual(['qa']);
    const ranked = diff.environments[0]?.artifacts.flatMap((a) => a.entries.map((e) => ({ ...e, file: a.file }))) ?? [];
    const first = ranked[0];
    expect(first).toMatchObject({ change: 'update', risk: 'replace', file: 'cdktf.out/stacks/platform-qa/cdk.tf.json' });
    expect(first?.key).toMatch(/^google_container_node_pool\.gke_pool-general_pool_[0-9A-F]+$/);
    expect(first?.reason).toMatch(/^node_config\.machine_type: GKE recreates every node of the pool/);
    expect(first?.attributes).toContainEqual({ path: 'node_config.machine_type', before: 'e2-standard-4', after: 'e2-standard-8' });

    const hpa = ranked.findIndex((e) => e.key === 'autoscaling/v2/HorizontalPodAutoscaler/commerce/orders-api');
    expect(hpa).toBeGreaterThan(0);
    expect(ranked[hpa]).toMatchObject({ change: 'update', risk: 'normal', file: 'dist/qa/*.yaml' });
    expect(ranked[hpa]?.attributes).toContainEqual({ path: 'spec.maxReplicas', before: 3, after: 6 });
    expect(ranked.filter((e) => e.risk !== 'normal').map((e) => e.key)).toEqual([first?.key]);

    // The same structure as a PR comment: both changes, the replacement first and in the risk table.
    const md = renderMarkdown(diff, { base: 'HEAD~1', head: 'working tree' });
    expect(md).toContain('- **qa**: 0 destroys · 1 replacement · ');
    expect(md).toMatch(/\| qa \| ♻️ replace \| <code>google_container_node_pool\.gke_pool-general_pool_[0-9A-F]+<\/code> \| .* \| node_config\.machine_type: GKE recreates/);
    expect(md).toContain('| <code>node_config.machine_type</code> | <code>"e2-standard-4"</code> | <code>"e2-standard-8"</code> |');
    expect(md).toContain('| <code>spec.maxReplicas</code> | <code>3</code> | <code>6</code> |');
    expect(md.indexOf('node_config.machine_type</code> |')).toBeLessThan(md.indexOf('spec.maxReplicas'));

    // Nothing left behind: no registered worktree, no temporary directory.
    expect(existsSync(tempDirOf(r.stderr))).toBe(false);
    expect((await git(repo, 'worktree', 'list')).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('fails with exit 1, naming the ref, when the base cannot be synthesized or does not exist, and cleans up', async () => {
    const broken = await run(repo, TSX, ['cli/main.ts', 'diff', '--base', 'HEAD~2', '--catalog', 'qa-catalog.ts']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('error: base HEAD~2 cannot be synthesized (exit 1)');
    expect(broken.stderr).toContain('qa.network.podCidr: "10.12.0.0/33" has a prefix length above 32');
    expect(broken.stdout).toBe('');
    expect(existsSync(tempDirOf(broken.stderr))).toBe(false);
    expect((await git(repo, 'worktree', 'list')).stdout.trim().split('\n')).toHaveLength(1);

    const missing = await run(repo, TSX, ['cli/main.ts', 'diff', '--base', 'no-such-branch']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: --base no-such-branch: not a commit in /);
  });

  it('rejects bad flags with a usage error before touching git', async () => {
    const error = await runDiff(['--format', 'yaml']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain('--base: is required');
    expect((error as UsageError).message).toContain('--format: Invalid option');
    expect((error as UsageError).usage).toContain('usage: platform diff --base <git-ref>');
    await expect(runDiff(['--base', 'main', '--env', 'Prod'])).rejects.toThrow('--env Prod: must be an environment name');
  });
});
