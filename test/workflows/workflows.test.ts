// The GitHub workflows: valid for GitHub's schema (action-validator, which is shown to reject a
// broken file so it cannot pass vacuously), and the properties that keep them safe — parsed
// from the YAML: no JSON keys, OIDC only where a job authenticates, least permissions, pinned
// actions, SARIF uploaded even when policies fail, deploys gated and in order. The sticky-comment
// scripts are run for real against an in-memory issue-comments API (GitHub is not reachable here).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import catalog from '../../environments/index.ts';
import { environmentStacks } from '../../infra/stack-order.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const VALIDATOR = join(ROOT, 'node_modules/.bin/action-validator');
const FILES = ['pr.yml', 'deploy.yml', 'drift.yml'] as const;
/** Every environment of the catalog, in catalog order: the workflows must cover each. */
const ENVIRONMENTS = Object.keys(catalog);

// The shape these tests read (zod: a workflow file is input like any other).
const Step = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  if: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  env: z.record(z.string(), z.unknown()).optional(),
});
type Step = z.infer<typeof Step>;
const Permissions = z.union([z.literal('read-all'), z.literal('write-all'), z.record(z.string(), z.enum(['read', 'write', 'none']))]);
const Job = z.looseObject({
  name: z.string().optional(),
  if: z.string().optional(),
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  environment: z.union([z.string(), z.looseObject({ name: z.string() })]).optional(),
  permissions: Permissions.optional(),
  concurrency: z.union([z.string(), z.looseObject({ group: z.string(), 'cancel-in-progress': z.union([z.boolean(), z.string()]).optional() })]).optional(),
  strategy: z.looseObject({ matrix: z.record(z.string(), z.unknown()) }).optional(),
  env: z.record(z.string(), z.unknown()).optional(),
  steps: z.array(Step),
});
type Job = z.infer<typeof Job>;
const Workflow = z.looseObject({
  on: z.record(z.string(), z.unknown()),
  permissions: Permissions.optional(),
  concurrency: z.looseObject({ group: z.string(), 'cancel-in-progress': z.boolean() }).optional(),
  jobs: z.record(z.string(), Job),
});
type Workflow = z.infer<typeof Workflow>;

function load(file: string): { text: string; workflow: Workflow } {
  const text = readFileSync(join(ROOT, '.github/workflows', file), 'utf8');
  const result = Workflow.safeParse(parse(text));
  if (!result.success) throw new Error(`${file}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { text, workflow: result.data };
}

function validate(path: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(VALIDATOR, [path], { timeout: 30_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: stdout + stderr });
    });
  });
}

const jobs = (w: Workflow): Array<[string, Job]> => Object.entries(w.jobs);
const authenticates = (job: Job): boolean => job.steps.some((s) => s.uses?.startsWith('google-github-actions/auth@') ?? false);
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : job.needs);
const envName = (job: Job): string | undefined => (typeof job.environment === 'string' ? job.environment : job.environment?.name);
const script = (step: Step): string => z.string().parse(step.with?.script);

describe('GitHub workflows', () => {
  const pr = load('pr.yml');
  const deploy = load('deploy.yml');
  const drift = load('drift.yml');
  const all = { 'pr.yml': pr, 'deploy.yml': deploy, 'drift.yml': drift };

  describe('action-validator', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'workflows-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it.each(FILES)('accepts %s', async (file) => {
      const run = await validate(join(ROOT, '.github/workflows', file));
      expect(run.output).toBe('');
      expect(run.code).toBe(0);
    });

    it('rejects a broken workflow (so the checks above are not vacuous)', async () => {
      const broken = join(dir, 'broken.yml');
      await writeFile(broken, 'name: broken\non: pull_request\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    stepz:\n      - run: echo hi\n');
      const run = await validate(broken);
      expect(run.code).toBe(1);
      expect(run.output).toContain("Additional property 'stepz' is not allowed");
    });
  });

  it.each(FILES)('%s has no JSON key input anywhere', (file) => {
    expect(all[file].text).not.toMatch(/credentials_json/);
    for (const [, job] of jobs(all[file].workflow)) {
      for (const step of job.steps.filter((s) => s.uses?.startsWith('google-github-actions/auth@'))) {
        expect(Object.keys(step.with ?? {}).sort()).toEqual(['service_account', 'workload_identity_provider']);
        expect(step.with?.workload_identity_provider).toMatch(/^\$\{\{ vars\.GCP_WORKLOAD_IDENTITY_PROVIDER \}\}$/);
        expect(step.with?.service_account).toMatch(/^\$\{\{ vars[.[]/);
      }
    }
  });

  it.each(FILES)('%s: no permissions at the top, each job its own, id-token: write exactly where a job authenticates', (file) => {
    const w = all[file].workflow;
    expect(w.permissions).toEqual({});
    for (const [id, job] of jobs(w)) {
      expect(job.permissions, `${file} ${id}`).toBeTypeOf('object');
      const perms = job.permissions as Record<string, string>;
      expect(perms['id-token'] === 'write', `${file} ${id}: id-token`).toBe(authenticates(job));
      for (const [scope, level] of Object.entries(perms)) {
        if (level !== 'write') continue;
        const allowed: Record<string, (j: Job) => boolean> = {
          'id-token': authenticates,
          'security-events': (j) => j.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@') ?? false),
          'pull-requests': (j) => j.steps.some((s) => s.uses?.startsWith('actions/github-script@') ?? false),
          issues: (j) => j.steps.some((s) => s.uses?.startsWith('actions/github-script@') ?? false),
        };
        expect(allowed[scope]?.(job), `${file} ${id}: ${scope}: write has no step that uses it`).toBe(true);
      }
    }
  });

  it.each(FILES)('%s pins every action to a commit or a full version, never a branch', (file) => {
    const uses = jobs(all[file].workflow).flatMap(([, job]) => job.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(uses.length).toBeGreaterThan(0);
    for (const ref of uses) {
      expect(ref, ref).toMatch(/^[\w.-]+\/[\w./-]+@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/);
      expect(ref).not.toMatch(/@(main|master)$/);
    }
    // A pinned commit says which release it is, for whoever updates it.
    for (const line of all[file].text.split('\n').filter((l) => /uses: .+@[0-9a-f]{40}/.test(l))) expect(line, line).toMatch(/ # v\d+\.\d+\.\d+$/);
  });

  it.each(FILES)('%s uses Node 20 with the npm cache', (file) => {
    for (const [id, job] of jobs(all[file].workflow)) {
      const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
      expect(setup?.with, `${file} ${id}`).toEqual({ 'node-version': 20, cache: 'npm' });
      expect(job.steps.some((s) => s.run === 'npm ci'), `${file} ${id}: npm ci`).toBe(true);
    }
  });

  describe('pr.yml', () => {
    const w = pr.workflow;

    it('runs on pull requests, cancelling the superseded run of the same one', () => {
      expect(Object.keys(w.on)).toEqual(['pull_request']);
      expect(w.concurrency).toEqual({ group: 'pr-${{ github.event.pull_request.number }}', 'cancel-in-progress': true });
    });

    it('runs the tests, synth and policies', () => {
      expect(w.jobs.test!.steps.map((s) => s.run)).toContain('npm test');
      expect(w.jobs.policies!.steps.some((s) => s.run?.includes('npm start'))).toBe(true);
    });

    it('uploads the SARIF report even when a policy fails, then fails the job', () => {
      const steps = w.jobs.policies!.steps;
      const check = steps.find((s) => s.run?.includes('npm run check -- --format sarif --output policies.sarif'))!;
      expect(check.run).toContain('if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then exit "$code"; fi'); // 2 goes on to the upload
      const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
      expect(upload.if).toMatch(/always\(\)|!cancelled\(\)/);
      expect(upload.with).toEqual({ sarif_file: 'policies.sarif', category: 'platform-policies' });
      const fail = steps.at(-1)!;
      expect(steps.indexOf(fail)).toBeGreaterThan(steps.indexOf(upload));
      expect(fail.if).toContain("steps.check.outputs.exit-code == '2'");
      expect(fail.run).toContain('exit 1');
    });

    it('posts the synth diff against the base branch as one sticky comment', () => {
      const diff = w.jobs.diff!;
      expect(diff.steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
      expect(diff.steps.some((s) => s.run === 'npm run diff -- --base "origin/$BASE_REF" --format markdown --output diff.md')).toBe(true);
      const post = diff.steps.find((s) => s.uses?.startsWith('actions/github-script@'))!;
      expect(post.env?.MARKER).toBe('<!-- platform-synth-diff -->');
    });

    it('plans every stack of every environment, in order, skipping what the synth diff found unchanged, into one comment per environment', () => {
      const plan = w.jobs.plan!;
      expect(plan.strategy?.matrix.env).toEqual(ENVIRONMENTS);
      const runs = plan.steps.flatMap((s) => (s.run ? [s.run] : []));
      expect(runs).toEqual([
        'npm ci',
        'npm run diff -- --base "origin/$BASE_REF" --env "$ENVIRONMENT" --format json --output synth-diff.json',
        'npx cdktf synth',
        // plan-stacks plans environmentStacks(env) in order (test/review/plan-stacks.test.ts).
        'npm run plan-stacks -- --env "$ENVIRONMENT" --synth-diff synth-diff.json --commit "$HEAD_SHA" --out-dir plan-review',
      ]);
      expect(plan.env).toEqual({ ENVIRONMENT: '${{ matrix.env }}' });
      // The record names the pull request's head (what was pushed and reviewed), not GitHub's test-merge commit.
      expect(plan.steps.find((s) => s.run?.startsWith('npm run plan-stacks'))?.env).toEqual({ HEAD_SHA: '${{ github.event.pull_request.head.sha }}' });
      expect(plan.steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
      const names = plan.steps.map((s) => s.uses?.split('@')[0] ?? s.run);
      expect(names.indexOf('google-github-actions/auth')).toBeLessThan(names.indexOf('npx cdktf synth'));
      expect(plan.steps.find((s) => s.uses?.startsWith('hashicorp/setup-terraform@'))?.with?.terraform_wrapper).toBe(false);
      expect(plan.steps.at(-1)!.if).toBe('${{ !cancelled() }}');
    });

    it('keeps the reviewed plans (records only) as an artifact per environment, for the deploy', () => {
      const upload = w.jobs.plan!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
      expect(upload.with).toEqual({ name: 'reviewed-plans-${{ matrix.env }}', path: 'plan-review/records/', 'if-no-files-found': 'error', 'retention-days': 90 });
      // Never a plan file or plan JSON: they hold sensitive values in clear.
      expect(JSON.stringify(w.jobs.plan)).not.toMatch(/tfplan|plan\.json/);
    });
  });

  describe('deploy.yml', () => {
    const w = deploy.workflow;

    it('runs on pushes to main', () => {
      expect(w.on).toEqual({ push: { branches: ['main'] } });
    });

    it('deploys every environment in catalog order, each in its environment, never cancelling a deploy, never planning afresh unreviewed', () => {
      expect(Object.keys(w.jobs)).toEqual(ENVIRONMENTS);
      for (const [i, env] of ENVIRONMENTS.entries()) {
        const job = w.jobs[env]!;
        expect(envName(job)).toBe(env);
        expect(needsOf(job)).toEqual(i === 0 ? [] : [ENVIRONMENTS[i - 1]]);
        expect(job.concurrency).toEqual({ group: `deploy-${env}`, 'cancel-in-progress': false });
        expect(job.env).toEqual({ ENVIRONMENT: env });
        expect(authenticates(job)).toBe(true);
        expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write', actions: 'read', 'pull-requests': 'read' });
        const runs = job.steps.flatMap((s) => (s.run ? [s.run] : []));
        expect(runs.slice(0, 1)).toEqual(['npm ci']);
        expect(runs).toContain('npm start');
        expect(JSON.stringify(job)).not.toMatch(/auto-approve|cdktf deploy/);
        const apply = job.steps.find((s) => s.name === 'Apply every stack as reviewed')!;
        expect(apply.run).toContain('stacks=$(npm run -s stacks -- --env "$ENVIRONMENT")');
        expect(apply.run).toContain('npm run -s apply-reviewed -- --dir "cdktf.out/stacks/$stack" --stack "$stack" --reviewed "reviewed/$stack.json" --commit "$HEAD_SHA" --summary "$GITHUB_STEP_SUMMARY"');
        const review = job.steps.find((s) => s.id === 'review')!;
        expect(review.run).toContain('gh run download "$run_id" --repo "$REPO" --name "reviewed-plans-$ENVIRONMENT" --dir reviewed');
      }
    });

    describe('the apply loop, run by bash with a stand-in npm (apply-reviewed itself: test/review/apply-reviewed.test.ts)', () => {
      let dir: string;
      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), 'deploy-loop-'));
        // `npm run -s stacks` runs the real command; `apply-reviewed` is recorded and fails for $FAIL_STACK.
        await writeFile(
          join(dir, 'npm'),
          `#!/bin/bash\nif [ "$3" = stacks ]; then shift 4; cd ${JSON.stringify(ROOT)} && exec ${JSON.stringify(join(ROOT, 'node_modules/.bin/tsx'))} ${JSON.stringify(join(ROOT, 'cli/main.ts'))} stacks "$@"; fi\necho "$*" >> "$CALLS"\nfor a in "$@"; do if [ "$prev" = --stack ] && [ "$a" = "$FAIL_STACK" ]; then exit 1; fi; prev="$a"; done\n`,
          { mode: 0o755 },
        );
      });
      afterAll(async () => {
        await rm(dir, { recursive: true, force: true });
      });

      const runLoop = async (env: string, fail: string, records: readonly string[]): Promise<{ code: number; stacks: string[] }> => {
        const work = await mkdtemp(join(dir, `${env}-`));
        const jobEnv = deploy.workflow.jobs[env] ? env : 'prod';
        await mkdir(join(work, 'reviewed'));
        for (const r of records) await writeFile(join(work, 'reviewed', `${r}.json`), '{}');
        const calls = join(work, 'calls');
        const step = deploy.workflow.jobs[jobEnv]!.steps.find((s) => s.name === 'Apply every stack as reviewed')!;
        const code = await new Promise<number>((done) =>
          execFile('bash', ['-c', step.run!], { cwd: work, timeout: 60_000, env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ENVIRONMENT: env, HEAD_SHA: 'abc1234', GITHUB_STEP_SUMMARY: join(work, 'summary'), CALLS: calls, FAIL_STACK: fail } }, (err) =>
            done(err ? (typeof err.code === 'number' ? err.code : 1) : 0),
          ),
        );
        const text = await readFile(calls, 'utf8').catch(() => '');
        return { code, stacks: text.split('\n').filter(Boolean).map((l) => /--stack (\S+)/.exec(l)![1]!) };
      };

      it.each(ENVIRONMENTS)('%s: applies every stack stack-order.ts names, in its order', async (env) => {
        const names = environmentStacks(env).map((s) => s.name);
        const run = await runLoop(env, 'none', names);
        expect(run.code).toBe(0);
        expect(run.stacks).toEqual(names);
      });

      it('stops at the first stack that is not applied as reviewed, and at one with no reviewed plan', async () => {
        const names = environmentStacks('prod').map((s) => s.name);
        const stopped = await runLoop('prod', names[1]!, names);
        expect(stopped.code).toBe(1);
        expect(stopped.stacks).toEqual(names.slice(0, 2));
        const unreviewed = await runLoop('prod', 'none', names.slice(0, 1));
        expect(unreviewed.code).toBe(1);
        expect(unreviewed.stacks).toEqual(names.slice(0, 1));
        // If the stack list cannot be read, nothing is deployed and the step fails (not an empty, green loop).
        const unlisted = await runLoop('nope', 'none', names);
        expect(unlisted.code).not.toBe(0);
        expect(unlisted.stacks).toEqual([]);
      });
    });
  });

  describe('drift.yml', () => {
    const w = drift.workflow;

    it('runs daily and on demand, never two at once', () => {
      expect(w.on).toEqual({ schedule: [{ cron: '23 5 * * *' }], workflow_dispatch: null });
      expect(w.concurrency).toEqual({ group: 'drift', 'cancel-in-progress': false });
    });

    it('checks every deployed stack of every environment with the read-only plan identity, writing only issues on GitHub', () => {
      const job = w.jobs.drift!;
      expect(job.strategy?.matrix.env).toEqual(ENVIRONMENTS);
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write', issues: 'write' });
      const auth = job.steps.find((s) => s.uses?.startsWith('google-github-actions/auth@'))!;
      expect(auth.with?.service_account).toBe("${{ vars[format('GCP_PLAN_SERVICE_ACCOUNT_{0}', matrix.env)] }}");
      const runs = job.steps.flatMap((s) => (s.run ? [s.run] : []));
      // plan-stacks --drift plans environmentStacks(env) (test/review/plan-stacks.test.ts).
      expect(runs).toEqual(['npm ci', 'npx cdktf synth', 'npm run plan-stacks -- --env "$ENVIRONMENT" --drift --commit "$GITHUB_SHA" --out-dir drift']);
      expect(JSON.stringify(job)).not.toMatch(/apply/);
    });
  });

  describe('the sticky-comment scripts', () => {
    interface Comment {
      id: number;
      body: string;
      user: { type: string };
    }
    /** GitHub's issue-comments API, in memory: what the scripts call, nothing more. */
    function issueComments(initial: Comment[] = []) {
      const comments = [...initial];
      let next = 1000;
      const calls: string[] = [];
      const github = {
        paginate: async (fn: (p: unknown) => Promise<{ data: Comment[] }>, params: unknown) => (await fn(params)).data,
        rest: {
          issues: {
            listComments: async () => ({ data: comments.map((c) => ({ ...c })) }),
            createComment: async ({ body }: { body: string }) => {
              calls.push('create');
              comments.push({ id: next++, body, user: { type: 'Bot' } });
            },
            updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
              calls.push(`update ${comment_id}`);
              comments.find((c) => c.id === comment_id)!.body = body;
            },
            deleteComment: async ({ comment_id }: { comment_id: number }) => {
              calls.push(`delete ${comment_id}`);
              comments.splice(comments.findIndex((c) => c.id === comment_id), 1);
            },
          },
        },
      };
      return { comments, calls, github };
    }

    // github-script runs `script` as the body of an async function of (github, context, core, glob, io, exec, require).
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;
    async function runScript(step: Step, env: Record<string, string>, github: unknown, cwd: string): Promise<void> {
      const fn = new AsyncFunction('github', 'context', 'core', 'glob', 'io', 'exec', 'require', script(step));
      const saved = { ...process.env };
      const savedCwd = process.cwd();
      Object.assign(process.env, env);
      process.chdir(cwd);
      try {
        await fn(github, { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 } }, {}, {}, {}, {}, createRequire(import.meta.url));
      } finally {
        process.chdir(savedCwd);
        process.env = saved;
      }
    }

    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sticky-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('diff: one comment, updated in place on the next push', async () => {
      const step = pr.workflow.jobs.diff!.steps.find((s) => s.uses?.startsWith('actions/github-script@'))!;
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(v)]));
      const api = issueComments([{ id: 1, body: 'a human comment', user: { type: 'User' } }]);
      await writeFile(join(dir, 'diff.md'), 'first diff');
      await runScript(step, env, api.github, dir);
      await writeFile(join(dir, 'diff.md'), 'second diff');
      await runScript(step, env, api.github, dir);
      expect(api.calls).toEqual(['create', 'update 1000']);
      expect(api.comments.map((c) => c.body)).toEqual(['a human comment', '<!-- platform-synth-diff -->\nsecond diff']);
    });

    it('plan: one comment per part per environment; parts updated, added and removed; a failed plan says so', async () => {
      const step = pr.workflow.jobs.plan!.steps.at(-1)!;
      const api = issueComments();
      const review = join(dir, 'plan-review');
      const write = async (parts: string[]) => {
        await rm(review, { recursive: true, force: true });
        await mkdir(review);
        for (const [i, body] of parts.entries()) await writeFile(join(review, `comment-${i + 1}.md`), body);
      };
      const run = (env: string) => runScript(step, { ENVIRONMENT: env, REVIEW_DIR: 'plan-review', RUN_URL: 'https://example.test/run/1' }, api.github, dir);

      await write(['dev 1 of 3', 'dev 2 of 3', 'dev 3 of 3']);
      await run('dev');
      await write(['prod only']);
      await run('prod');
      await write(['dev 1 of 2', 'dev 2 of 2']);
      await run('dev');
      expect(api.calls).toEqual(['create', 'create', 'create', 'create', 'update 1000', 'update 1001', 'delete 1002']);
      expect(api.comments.map((c) => c.body)).toEqual([
        '<!-- platform-plan-review:dev part 1 -->\ndev 1 of 2',
        '<!-- platform-plan-review:dev part 2 -->\ndev 2 of 2',
        '<!-- platform-plan-review:prod part 1 -->\nprod only',
      ]);

      await rm(review, { recursive: true, force: true });
      await run('prod');
      expect(api.comments.at(-1)!.body).toMatch(/^<!-- platform-plan-review:prod part 1 -->\n### Terraform plans · prod\n\n> \[!CAUTION\]\n> \*\*The plan failed\*\*/);
      expect(api.comments).toHaveLength(3);
    });

    it('drift: one issue per environment, opened, updated while drift lasts, closed once it is gone', async () => {
      const step = drift.workflow.jobs.drift!.steps.find((s) => s.uses?.startsWith('actions/github-script@'))!;
      const issues: Array<{ number: number; title: string; body: string; state: string; pull_request?: object }> = [
        { number: 1, title: 'a human issue', body: 'hello', state: 'open' },
        { number: 2, title: 'a pull request', body: '<!-- platform-drift:dev -->', state: 'open', pull_request: {} },
      ];
      const calls: string[] = [];
      const github = {
        paginate: async (fn: (p: unknown) => Promise<{ data: unknown[] }>, params: unknown) => (await fn(params)).data,
        rest: {
          issues: {
            listForRepo: async ({ state }: { state: string }) => ({ data: issues.filter((i) => i.state === state).map((i) => ({ ...i })) }),
            create: async ({ title, body }: { title: string; body: string }) => {
              calls.push(`create ${title}`);
              issues.push({ number: issues.length + 1, title, body, state: 'open' });
            },
            update: async ({ issue_number, body, state }: { issue_number: number; body?: string; state?: string }) => {
              calls.push(`update ${issue_number}${state ? ` ${state}` : ''}`);
              const i = issues.find((x) => x.number === issue_number)!;
              if (body !== undefined) i.body = body;
              if (state !== undefined) i.state = state;
            },
            createComment: async ({ issue_number }: { issue_number: number }) => {
              calls.push(`comment ${issue_number}`);
            },
          },
        },
      };
      const result = join(dir, 'drift');
      const write = async (isDrift: boolean, body: string) => {
        await mkdir(result, { recursive: true });
        await writeFile(join(result, 'result.json'), JSON.stringify({ env: 'dev', drift: isDrift, failed: false, stacks: [] }));
        await writeFile(join(result, 'comment-1.md'), body);
      };
      const run = () => runScript(step, { ENVIRONMENT: 'dev', RESULT_DIR: 'drift', RUN_URL: 'https://example.test/run/2' }, github, dir);

      await write(true, '### Drift · dev\nfirst');
      await run();
      await write(true, '### Drift · dev\nsecond');
      await run();
      expect(calls).toEqual(['create Drift in dev', 'update 3']);
      expect(issues[2]).toMatchObject({ title: 'Drift in dev', state: 'open' });
      expect(issues[2]!.body).toMatch(/^<!-- platform-drift:dev -->\n### Drift · dev\nsecond/);
      await write(false, '### Drift · dev\nnothing');
      await run();
      expect(calls.slice(2)).toEqual(['comment 3', 'update 3 closed']);
      await run(); // no drift, no open issue: nothing to do
      expect(calls).toHaveLength(4);
      expect(issues.slice(0, 2).map((i) => i.state)).toEqual(['open', 'open']);
    });
  });
});
