/**
 * `diff --base <git-ref> [--format markdown|text|json] [--output <file>] [--env <name>]… [--catalog <module>]`
 *
 * Synthesizes the base ref in a temporary git worktree (with its own code and dependencies)
 * and the working tree, each into a temporary directory, and prints the structural diff
 * (review/synth-diff): destroys, breaking contract changes and replacement-prone changes first.
 * Exit 0 whatever else the diff says; 2 when a production topic's contract changes in a breaking
 * way and no waiver covers it (policy EVENT001); 1 only when it cannot run (bad flags, unknown
 * ref, a side that does not synthesize).
 * The worktree and every temporary directory are removed, also on failure or Ctrl-C.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { UsageError } from '../args.ts';
import { parseCommandFlags } from '../command-flags.ts';
import { diffTrees } from '../../review/synth-diff/synth-diff.ts';
import { readSynthOutput } from '../../review/synth-diff/synth-tree-reader.ts';
import { renderMarkdown } from '../../review/synth-diff/render-markdown.ts';
import { renderText } from '../../review/synth-diff/render-text.ts';
import { synthesize } from '../../review/synth-diff/synth-process.ts';
import { addWorktree, gitContext, provideDependencies, resolveCommit, type BaseWorktree } from '../../review/synth-diff/base-worktree.ts';
import { contractChanges } from '../../review/synth-diff/contract-changes.ts';
import { judgeContractChanges } from '../../review/synth-diff/contract-policy.ts';
import { DEFAULT_CATALOG } from '../../environments/load.ts';
import { policyDate } from '../../policies/waiver-clock.ts';
import { catalogEnvironments } from './check.ts';

export const DIFF_FORMATS = ['text', 'markdown', 'json'] as const;

export const DIFF_USAGE = `usage: platform diff --base <git-ref> [flags]

Synthesizes <git-ref> (in a temporary git worktree) and the working tree, and shows what
changed in every environment's Terraform, Kubernetes manifests and edge configs —
destroys and replacement-prone changes first.

flags:
  --base <ref>        the git ref to compare with (branch, tag, commit, origin/main, HEAD~1)
  --format <f>        ${DIFF_FORMATS.join(' | ')} (default: text; markdown fits a PR comment)
  --output <file>     write the diff to a file instead of stdout
  --env <name>        only this environment (repeatable)
  --catalog <file>    catalog module, synthesized on both sides (a file in the repository is
                      taken from each side's own checkout)
  --help`;

const Flags = z.object({
  base: z.string({ message: 'is required (the git ref to compare with)' }).min(1, 'is required (the git ref to compare with)'),
  format: z.enum(DIFF_FORMATS).default('text'),
  output: z.string().min(1).optional(),
  env: z
    .array(z.string().regex(/^[a-z][-a-z0-9]*$/, 'must be an environment name'))
    .refine((names) => new Set(names).size === names.length, 'names an environment twice')
    .default([]),
  catalog: z.string().min(1).optional(),
});
type Flags = z.infer<typeof Flags>;

function parseFlags(argv: readonly string[]): Flags | 'help' {
  return parseCommandFlags(argv, {
    usage: DIFF_USAGE,
    options: {
      base: { type: 'string' },
      format: { type: 'string' },
      output: { type: 'string' },
      env: { type: 'string', multiple: true },
      catalog: { type: 'string' },
    },
    schema: Flags,
    // `--env qa: must be an environment name`: name the offending value of a repeated flag.
    flagOf: ([flag, index], values) => {
      const env = values.env;
      const value = typeof index === 'number' && flag === 'env' && Array.isArray(env) ? env[index] : undefined;
      return `--${String(flag)}${value === undefined ? '' : ` ${String(value)}`}`;
    },
  });
}

const progress = (line: string): void => void process.stderr.write(`diff: ${line}\n`);

/** The catalog each side synthesizes: a module inside the project comes from that side's checkout. */
function catalogs(flag: string | undefined, project: string, baseProject: string, ref: string): { head?: string; base?: string } {
  if (flag === undefined) return {};
  const head = resolve(flag);
  if (!existsSync(head)) throw new Error(`--catalog ${flag}: no such file`);
  const rel = relative(project, head);
  if (rel.startsWith('..') || isAbsolute(rel)) return { head, base: head };
  const base = join(baseProject, rel);
  if (!existsSync(base)) throw new Error(`--catalog ${flag}: does not exist at ${ref}`);
  return { head, base };
}

export async function run(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    console.log(DIFF_USAGE);
    return 0;
  }
  const started = performance.now();
  const project = process.cwd();
  const ctx = await gitContext(project);
  const commit = await resolveCommit(ctx.top, flags.base);
  const baseLabel = `${flags.base} (${commit.slice(0, 12)})`;

  const tmp = await mkdtemp(join(tmpdir(), 'platform-diff-'));
  let worktree: BaseWorktree | undefined;
  const cleanup = async (): Promise<void> => {
    await worktree?.remove();
    await rm(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    progress(`${signal}: removing the worktree and temporary files`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    progress(`checking out base ${baseLabel} in ${join(tmp, 'base')}`);
    worktree = await addWorktree(ctx, commit, join(tmp, 'base'));
    await provideDependencies(worktree, project, `base ${flags.base}`, progress);
    const cat = catalogs(flags.catalog, project, worktree.project, flags.base);

    // One after the other: the base (older code, other dependencies) is the likelier to fail, and
    // a failure then leaves no second child process writing into a directory being removed.
    progress(`synthesizing base ${flags.base} in ${worktree.project}`);
    const baseOut = await synthesize({
      project: worktree.project,
      out: join(tmp, 'base-out'),
      ...(cat.base ? { catalog: cat.base } : {}),
      label: `base ${flags.base}`,
    });
    progress(`synthesizing the working tree ${project}`);
    const headOut = await synthesize({ project, out: join(tmp, 'head-out'), ...(cat.head ? { catalog: cat.head } : {}), label: 'the working tree' });
    const [base, head] = await Promise.all([readSynthOutput(baseOut), readSynthOutput(headOut)]);

    const known = new Set([...base.environments.keys(), ...head.environments.keys()]);
    const unknown = flags.env.filter((e) => !known.has(e));
    if (unknown.length > 0) throw new UsageError(`--env ${unknown.join(', ')}: no such environment on either side (there are ${[...known].join(', ')})`, DIFF_USAGE);

    const envs = flags.env.length > 0 ? flags.env : undefined;
    const contracts = await contractChanges(base, head, { buf: join(project, 'node_modules', '.bin', 'buf') }, envs);
    const diff = diffTrees(base, head, { ...(envs ? { envs } : {}), contracts });
    // EVENT001 judges the contract changes with the head catalog's tiers and waivers.
    const judged = contracts.size === 0 ? [] : (await catalogEnvironments(cat.head ?? DEFAULT_CATALOG, [...contracts.keys()])).environments;
    const contractResults = await judgeContractChanges(headOut, judged, contracts, policyDate());
    const labels = { base: baseLabel, head: 'working tree' };
    const text =
      flags.format === 'json'
        ? JSON.stringify({ base: { ref: flags.base, commit }, ...diff, contractPolicy: contractResults }, null, 2)
        : flags.format === 'markdown'
          ? renderMarkdown(diff, labels, { fullCommand: `npm run diff -- --base ${flags.base}` })
          : renderText(diff, labels);
    if (flags.output) {
      await writeFile(flags.output, `${text}\n`);
      progress(`wrote ${flags.output}`);
    } else {
      process.stdout.write(`${text}\n`);
    }
    for (const r of contractResults) {
      progress(`${r.ruleId} ${r.status === 'waived' ? 'waived' : r.severity} ${r.target.env} ${r.target.address}: ${r.message}`);
    }
    progress(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return contractResults.some((r) => r.status === 'open' && r.severity === 'error') ? 2 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}
