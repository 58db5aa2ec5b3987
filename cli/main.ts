/**
 * The front door: `npm start` (= synth), `npm run synth -- --env dev`, `npm run check`,
 * `npm run routes`, `npm run slos`, `npm run events`, `npm run diff`, `npm run plan-review`, `npm run plan-compare`,
 * `npm run apply-reviewed`, `npm run plan-stacks`, `npm run stacks`, `npm run golden:update`.
 * Exit codes: 0 ok; 1 bad input (catalog, flags) or a failed synth, nothing written;
 * 2 synthesized, but a policy reported an error.
 *
 * `synth` and `check` share the flags in args.ts; every other command parses its own flags
 * (zod, like every boundary) in its module under cli/commands/, which exports `run(argv)`.
 */
import { CatalogError } from '../environments/load.ts';
import { parseFlags, USAGE, UsageError } from './args.ts';
import { check } from './commands/check.ts';

/** Commands with their own flags: name → module exporting `run(argv): Promise<number>`. */
const OWN_FLAG_COMMANDS: Readonly<Record<string, () => Promise<{ run(argv: readonly string[]): Promise<number> }>>> = {
  routes: () => import('./commands/routes.ts'),
  diff: () => import('./commands/diff.ts'),
  'plan-review': () => import('./commands/plan-review.ts'),
  'plan-compare': () => import('./commands/plan-compare.ts'),
  'apply-reviewed': () => import('./commands/apply-reviewed.ts'),
  'plan-stacks': () => import('./commands/plan-stacks.ts'),
  stacks: () => import('./commands/stacks.ts'),
  golden: () => import('./commands/golden.ts'),
  footprint: () => import('./commands/footprint.ts'),
  slos: () => import('./commands/slos.ts'),
  events: () => import('./commands/events.ts'),
};

async function main(argv: readonly string[]): Promise<number> {
  const loader = argv[0] === undefined ? undefined : OWN_FLAG_COMMANDS[argv[0]];
  if (loader) return (await loader()).run(argv.slice(1));
  const flags = parseFlags(argv);
  if (flags === 'help') {
    console.log(USAGE);
    return 0;
  }
  switch (flags.command) {
    case 'synth':
      // Loaded only when needed: cdktf, cdk8s and the providers are most of `check`'s start-up otherwise.
      return (await import('./commands/synth.ts')).synth(flags);
    case 'check':
      return check(flags.out, flags.env, flags.format, { catalog: flags.catalog, output: flags.output });
  }
}

// cdktf records a stack trace for every token it creates; with tsx's source maps on, each costs a
// source-map lookup (about a fifth of a synth). Messages carry no stacks unless PLATFORM_DEBUG is set.
if (!process.env.PLATFORM_DEBUG) process.setSourceMapsEnabled(false);

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  // Messages name the file or field at fault; the stack is for debugging our own code only.
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof UsageError) console.error(`\n${err.usage ?? USAGE}`);
  if (process.env.PLATFORM_DEBUG && err instanceof Error && !(err instanceof CatalogError)) console.error(err.stack);
  process.exitCode = 1;
}
