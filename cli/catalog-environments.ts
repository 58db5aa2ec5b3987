/**
 * The environments a command names with `--env`, from the catalog module given by `--catalog`:
 * a name the catalog lacks is a UsageError naming the flag and the environments there are (exit 1),
 * a catalog that does not parse a CatalogError with every problem. Shared by routes, events, slos.
 */
import type { Environment } from '../environments/schema.ts';
import { importCatalog, parseEnvironments } from '../environments/load.ts';
import { UsageError } from './args.ts';

/** `names` undefined: every environment of the catalog. */
export async function catalogEnvironments(catalog: string, names: readonly (string | undefined)[] | undefined, usage: string): Promise<Environment[]> {
  const raw = await importCatalog(catalog);
  for (const name of names ?? []) {
    if (name === undefined || !Object.hasOwn(raw, name)) {
      const known = Object.keys(raw);
      throw new UsageError(`--env: no environment "${name}" in ${catalog} (it has ${known.length > 0 ? known.join(', ') : 'none'})`, usage);
    }
  }
  return parseEnvironments(raw, names as readonly string[] | undefined);
}
