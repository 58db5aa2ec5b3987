/**
 * Flag parsing for the commands that own their flags (routes, diff, plan-review, golden,
 * footprint): node:util's parseArgs for the syntax, then zod for the values — a boundary like any
 * other. Bad flags throw a UsageError carrying the command's own usage text; `--help` is 'help'.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { UsageError } from './args.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandFlagSpec<S extends z.ZodType> {
  readonly usage: string;
  /** The command's options; `--help`/`-h` is added. */
  readonly options: Options;
  readonly schema: S;
  /** How many positional arguments the command takes (default 0). */
  readonly positionals?: { readonly max: number; readonly tooMany?: string };
  /** The schema's input from the parsed values and positionals (default: the values). */
  readonly input?: (values: Values, positionals: readonly string[]) => unknown;
  /**
   * The prefix naming the flag an issue is about (default `--<first path key>`); `''` prints the
   * message alone (for messages that already name their flag, or a positional).
   */
  readonly flagOf?: (path: readonly PropertyKey[], values: Values) => string;
}

const defaultFlagOf = (path: readonly PropertyKey[]): string => `--${String(path[0])}`;

export function parseCommandFlags<S extends z.ZodType>(argv: readonly string[], spec: CommandFlagSpec<S>): z.output<S> | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: (spec.positionals?.max ?? 0) > 0,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message, spec.usage);
  }
  const values = parsed.values as Values;
  if (values.help) return 'help';
  const max = spec.positionals?.max ?? 0;
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[max]}"${spec.positionals?.tooMany ?? ''}`, spec.usage);
  }
  const { help: _help, ...flags } = values;
  const result = spec.schema.safeParse(spec.input ? spec.input(flags, parsed.positionals) : flags);
  if (!result.success) {
    const flagOf = spec.flagOf ?? defaultFlagOf;
    const lines = result.error.issues.map((i) => {
      const flag = flagOf(i.path, flags);
      return flag === '' ? i.message : `${flag}: ${i.message}`;
    });
    throw new UsageError(lines.join('\n'), spec.usage);
  }
  return result.data;
}
