/**
 * `stacks`: every Terraform stack of the chosen environments, in deploy order (infra/stack-order.ts,
 * the one place that names them). The workflows loop over this output, so a stack added there is
 * planned in pull requests, deployed on main and watched for drift without a workflow edit.
 *
 *   npm run -s stacks -- --env prod             platform-prod, control-planes-prod, k8s-prod (one a line)
 *   npm run -s stacks -- --format json          [{ env, stacks: [{ name, kind, dependsOn }] }] for every environment
 */
import { z } from 'zod';
import { DEFAULT_CATALOG, importCatalog } from '../../environments/load.ts';
import { environmentStacks } from '../../infra/stack-order.ts';
import { parseCommandFlags } from '../command-flags.ts';

export const STACKS_USAGE = `usage: platform stacks [flags]

flags:
  --env <name>           an environment of the catalog (repeatable; default: every environment, in catalog order)
  --format <f>           lines | json (default: lines)
  --catalog <module>     the catalog module (default: ${DEFAULT_CATALOG})
  --help`;

const FORMATS = ['lines', 'json'] as const;

const Flags = z.object({
  env: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be an environment name (lower-case letters, digits, -)')).default([]),
  format: z.enum(FORMATS, { message: `must be ${FORMATS.join(' or ')}` }).default('lines'),
  catalog: z.string().min(1).default(DEFAULT_CATALOG),
});

export async function run(argv: readonly string[]): Promise<number> {
  const flags = parseCommandFlags(argv, {
    usage: STACKS_USAGE,
    options: { env: { type: 'string', multiple: true }, format: { type: 'string' }, catalog: { type: 'string' } },
    schema: Flags,
  });
  if (flags === 'help') {
    console.log(STACKS_USAGE);
    return 0;
  }
  // Environment names only: the catalog's keys, without deriving every plan.
  const known = Object.keys(await importCatalog(flags.catalog));
  const unknown = flags.env.filter((e) => !known.includes(e));
  if (unknown.length > 0) {
    console.error(`error: --env: ${unknown.map((e) => `"${e}"`).join(', ')} not in the catalog (${known.join(', ')})`);
    return 1;
  }
  const envs = flags.env.length > 0 ? flags.env : known;
  if (flags.format === 'json') {
    console.log(JSON.stringify(envs.map((env) => ({ env, stacks: environmentStacks(env) })), null, 2));
  } else {
    for (const env of envs) for (const s of environmentStacks(env)) console.log(s.name);
  }
  return 0;
}
