/**
 * The front door: `npm start` (= synth), `npm run synth -- --env dev`, `npm run check`.
 * Exit codes: 0 ok; 1 bad input (catalog, flags) or a failed synth, nothing written;
 * 2 synthesized, but a policy reported an error.
 */
import { CatalogError } from '../environments/load.ts';
import { parseFlags, USAGE, UsageError } from './args.ts';
import { synth } from './commands/synth.ts';
import { check } from './commands/check.ts';

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    console.log(USAGE);
    return 0;
  }
  switch (flags.command) {
    case 'synth':
      return synth(flags);
    case 'check':
      return check(flags.out, flags.env, flags.format);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  // Messages name the file or field at fault; the stack is for debugging our own code only.
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof UsageError) console.error(`\n${USAGE}`);
  if (process.env.PLATFORM_DEBUG && err instanceof Error && !(err instanceof CatalogError)) console.error(err.stack);
  process.exitCode = 1;
}
