/** `golden`: placeholder until its module lands (replaced, not extended). */
import { UsageError } from '../args.ts';

export async function run(_argv: readonly string[]): Promise<number> {
  throw new UsageError('golden is not built yet');
}
