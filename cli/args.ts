/** Command-line flags, parsed with node:util and validated with zod (a boundary like any other). */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_CATALOG } from '../environments/load.ts';
import { FORMATS } from '../policies/report.ts';

/** Bad flags: exit 1 with the message and the usage text (`usage`: a command's own, else the main one). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

export const USAGE = `usage: platform <command> [flags]

commands:
  synth         synthesize every environment (or --env) and run the policies
  check         run the policies on what is already synthesized
  routes        every public route with its hops and timeouts (--env, --format table|json|mermaid)
  diff          synthesize a base git ref and the working tree, diff them (--base <ref>)
  plan-review   render \`terraform show -json\` output for a PR comment (<plan.json>)
  golden        compare or refresh the committed golden synth outputs (golden update)

flags (synth, check):
  --env <name>        only this environment (repeatable)
  --out <dir>         output root holding cdktf.out/ and dist/ (default: .)
  --catalog <file>    catalog module (default: ${DEFAULT_CATALOG})
  --no-policies       synth only: skip the policies
  --format <f>        check: ${FORMATS.join(' | ')} (default: table)
  --output <file>     check: write the report to this file (atomically) instead of stdout
  --help`;

const Flags = z.object({
  command: z.enum(['synth', 'check'], { message: 'command must be synth or check' }),
  env: z
    .array(z.string().regex(/^[a-z][-a-z0-9]*$/, 'must be an environment name'))
    .refine((names) => new Set(names).size === names.length, 'names an environment twice')
    .default([]),
  out: z.string().min(1).default('.'),
  catalog: z.string().min(1).default(DEFAULT_CATALOG),
  policies: z.boolean().default(true),
  format: z.enum(FORMATS).default('table'),
  output: z.string().min(1).optional(),
}).refine((f) => f.output === undefined || f.command === 'check', { message: 'only check writes a report file', path: ['output'] });
export type Flags = z.infer<typeof Flags>;

export function parseFlags(argv: readonly string[]): Flags | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        env: { type: 'string', multiple: true },
        out: { type: 'string' },
        catalog: { type: 'string' },
        'no-policies': { type: 'boolean' },
        format: { type: 'string' },
        output: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const result = Flags.safeParse({
    command: positionals[0],
    env: values.env,
    out: values.out,
    catalog: values.catalog,
    policies: values['no-policies'] ? false : undefined,
    format: values.format,
    output: values.output,
  });
  if (!result.success) {
    throw new UsageError(
      result.error.issues.map((i) => (i.path[0] === 'command' ? i.message : `--${i.path.join('.')}: ${i.message}`)).join('\n'),
    );
  }
  return result.data;
}
