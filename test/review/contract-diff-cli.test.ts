// `npm run diff` on a real git history of a topic contract: a compatible revision (an optional
// field with a default) is reported compatible; a breaking one (a field changes type) ranks
// first with its reason, and EVENT001 fails it in production (exit 2) unless it is waived.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthDiff } from '../../review/synth-diff/diff-model.ts';
import type { Result } from '../../policies/waivers.ts';
import { renderMarkdown } from '../../review/synth-diff/render-markdown.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const exec = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd, timeout: 120_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const git = (cwd: string, ...args: string[]): Promise<Run> =>
  run(cwd, 'git', ['-c', 'user.name=diff test', '-c', 'user.email=diff@example.invalid', '-c', 'commit.gpgsign=false', ...args]);

const ITEM = { type: 'record', name: 'Item', fields: [{ name: 'sku', type: 'string' }, { name: 'qty', type: 'int' }] };
const V1 = { type: 'record', name: 'Order', namespace: 'com.acme.qa', fields: [{ name: 'orderId', type: 'string' }, { name: 'items', type: { type: 'array', items: ITEM } }] };
/** Compatible: a new optional field with a default. */
const V2 = { ...V1, fields: [...V1.fields, { name: 'couponCode', type: ['null', 'string'], default: null }] };
/** Breaking: items[].qty changes from int to string. */
const V3 = {
  ...V2,
  fields: V2.fields.map((f) => (f.name === 'items' ? { name: 'items', type: { type: 'array', items: { ...ITEM, fields: [ITEM.fields[0], { name: 'qty', type: 'string' }] } } } : f)),
};

function catalog(waiver = false): string {
  return `const qa = {
  name: 'qa',
  tier: 'production',
  gcp: { projectId: 'acme-qa', region: 'europe-west4', zones: ['europe-west4-a'], labels: { env: 'qa' }, stateBucket: 'acme-qa-tfstate' },
  network: {
    vpcName: 'platform-qa', nodeCidr: '10.10.0.0/20', podCidr: '10.12.0.0/16', serviceCidr: '10.13.0.0/20',
    controlPlaneCidr: '172.16.10.0/28', authorizedNetworks: [{ name: 'corp', cidr: '10.200.0.0/16' }],
  },
  gke: {
    clusterName: 'platform-qa', locationType: 'zonal', releaseChannel: 'REGULAR',
    maintenanceWindow: { start: '2026-01-03T02:00:00Z', end: '2026-01-03T06:00:00Z', recurrence: 'FREQ=DAILY' },
    deletionProtection: true,
    cpuPools: [{ name: 'general', machineType: 'e2-standard-4', minNodes: 1, maxNodes: 3 }],
    gpuPools: [],
  },
  edge: {
    domains: ['api.qa.acme.example'],
    armor: { owasp: [{ ruleSet: 'sqli-v33-stable', sensitivity: 1 }], rateBan: { thresholdCount: 3000, intervalSec: 60, banDurationSec: 300 }, preview: false },
  },
  mesh: { mtls: 'STRICT' },
  topics: [{ name: 'orders', schema: { type: 'avro', file: 'qa-events/orders.avsc', encoding: 'json' }, subscriptions: [{ name: 'orders-audit', deadLetter: {} }] }],
  services: [],
  waivers: ${
    waiver
      ? `[{ rule: 'EVENT001', target: 'google_pubsub_schema.topic-orders_schema_SCHEMA', reason: 'planned migration: consumers upgrade first, see the rollout plan', expires: '2099-01-01' }]`
      : '[]'
  },
};
export default { qa };
`;
}

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
  await mkdir(join(dir, 'qa-events'));
  await writeFile(join(dir, 'qa-catalog.ts'), catalog());
  for (const [message, schema] of [
    ['orders contract v1', V1],
    ['orders contract: add an optional couponCode (compatible)', V2],
    ['orders contract: items[].qty becomes a string (breaking)', V3],
  ] as const) {
    await writeFile(join(dir, 'qa-events/orders.avsc'), `${JSON.stringify(schema, null, 2)}\n`);
    expect((await git(dir, 'add', '-A')).code).toBe(0);
    expect((await git(dir, 'commit', '-q', '-m', message)).code).toBe(0);
  }
}

type Diff = SynthDiff & { contractPolicy: Result[] };

describe('npm run diff: topic contracts on a real git history', () => {
  let repo: string;

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'contract-diff-repo-'));
    await makeRepository(repo);
  }, 60_000);
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  const diff = async (base: string): Promise<{ r: Run; diff: Diff }> => {
    const out = join(repo, 'diff.json');
    const r = await run(repo, TSX, ['cli/main.ts', 'diff', '--base', base, '--catalog', 'qa-catalog.ts', '--format', 'json', '--output', out]);
    if (r.code !== 0 && r.code !== 2) throw new Error(`diff failed (${r.code}):\n${r.stderr}`);
    return { r, diff: JSON.parse(await readFile(out, 'utf8')) as Diff };
  };

  it('reports the added optional field as a compatible revision, and the policy passes', async () => {
    expect((await git(repo, 'checkout', '-q', 'HEAD~1')).code).toBe(0);
    try {
      const { r, diff: d } = await diff('HEAD~1');
      expect(r.code).toBe(0);
      const contract = d.environments[0]?.artifacts.find((a) => a.kind === 'contract');
      expect(contract?.entries).toEqual([
        expect.objectContaining({ key: 'contract orders (avro)', change: 'update', risk: 'normal', reason: expect.stringMatching(/^compatible: a new schema revision \(in place\)/) }),
      ]);
      expect(d.contractPolicy).toEqual([]);
      // The revision is an in-place update of the schema resource: no topic replacement.
      const ranked = d.environments[0]?.artifacts.flatMap((a) => a.entries) ?? [];
      expect(ranked.filter((e) => e.risk !== 'normal')).toEqual([]);
    } finally {
      await git(repo, 'checkout', '-q', '-');
    }
  }, 120_000);

  it('ranks the type change first, says why both ways, and EVENT001 fails it in production (exit 2)', async () => {
    const { r, diff: d } = await diff('HEAD~1');
    expect(r.code).toBe(2);
    const ranked = d.environments[0]?.artifacts.flatMap((a) => a.entries.map((e) => ({ ...e, kind: a.kind }))) ?? [];
    expect(ranked[0]).toMatchObject({ kind: 'contract', key: 'contract orders (avro)', risk: 'breaking' });
    expect(ranked[0]?.reason).toMatch(/^breaking: consumers on the old revision cannot read new events .*; consumers on the new revision cannot read events already published/);
    expect(d.environments[0]?.summary).toMatchObject({ breaking: 1, destroys: 0, replacements: 0 });
    expect(d.contractPolicy).toHaveLength(1);
    expect(d.contractPolicy[0]).toMatchObject({ ruleId: 'EVENT001', status: 'open', severity: 'error', target: { env: 'qa' } });
    expect(d.contractPolicy[0]?.target.address).toMatch(/^google_pubsub_schema\.topic-orders_schema_[0-9A-F]+$/);
    expect(r.stderr).toMatch(/^diff: EVENT001 error qa google_pubsub_schema\.topic-orders_schema_[0-9A-F]+: breaking change to the contract of topic "orders"/m);
    const md = renderMarkdown(d, { base: 'HEAD~1', head: 'working tree' });
    expect(md).toContain('### Breaking contract changes, destroys and replacements');
    expect(md).toMatch(/\| qa \| 💥 breaking \| <code>contract orders \(avro\)<\/code> \|/);

    // A planned migration is waived the usual way, on the schema's address: the diff passes, the finding says waived.
    const address = d.contractPolicy[0]?.target.address as string;
    await writeFile(join(repo, 'qa-catalog.ts'), catalog(true).replace('google_pubsub_schema.topic-orders_schema_SCHEMA', address));
    try {
      const waived = await diff('HEAD~1');
      expect(waived.r.code).toBe(0);
      expect(waived.diff.contractPolicy).toEqual([expect.objectContaining({ ruleId: 'EVENT001', status: 'waived' })]);
    } finally {
      await writeFile(join(repo, 'qa-catalog.ts'), catalog());
    }
  }, 240_000);
});
