/**
 * `check`: run every policy over what is already synthesized in cdktf.out/ and dist/, with the
 * catalog's waivers (and tiers) as of today, and report in the chosen format — to stdout, or
 * atomically to `--output` (the exit code is the same either way: 2 on any open error).
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_CATALOG, importCatalog, parseEnvironments } from '../../environments/load.ts';
import type { Environment } from '../../environments/schema.ts';
import { CatalogSources } from '../../policies/catalog-sources.ts';
import { hasOpenErrors, runPolicies, type PolicyEnvironment } from '../../policies/policy-run.ts';
import { renderReport, summaryLine, type Format } from '../../policies/report.ts';
import { resultLocations } from '../../policies/result-locations.ts';
import { policyDate } from '../../policies/waiver-clock.ts';
import { UsageError } from '../args.ts';

export interface CheckOptions {
  /** The catalog module waivers and tiers are read from (default environments/index.ts). */
  readonly catalog?: string;
  /** Write the report here (atomically) instead of stdout. */
  readonly output?: string;
  /** The date waivers are judged against (default: PLATFORM_TODAY, else today). */
  readonly today?: string;
}

/** Environments present in the output: those with a platform stack. */
export async function synthesizedEnvironments(outRoot: string): Promise<string[]> {
  const stacks = join(outRoot, 'cdktf.out', 'stacks');
  if (!existsSync(stacks)) return [];
  return (await readdir(stacks)).filter((d) => d.startsWith('platform-')).map((d) => d.slice('platform-'.length)).sort();
}

/** What the policies need from a parsed environment: tier, waivers, and the file they are in. */
export function policyEnvironment(env: Environment, sources: CatalogSources, catalog: string): PolicyEnvironment {
  return { name: env.name, tier: env.tier, waivers: env.waivers, file: sources.envFile(env.name) ?? catalog };
}

/**
 * The catalog's view of the named environments. One that is not in the catalog gets no waivers
 * and no tier (tier-dependent rules judge it as production); a broken catalog is a CatalogError.
 */
export async function catalogEnvironments(
  catalog: string,
  names: readonly string[],
): Promise<{ environments: PolicyEnvironment[]; sources: CatalogSources }> {
  const [raw, sources] = await Promise.all([importCatalog(catalog), CatalogSources.read(catalog)]);
  const parsed = new Map(parseEnvironments(raw, names.filter((n) => n in raw)).map((e) => [e.name, e]));
  const environments = names.map((name): PolicyEnvironment => {
    const env = parsed.get(name);
    return env ? policyEnvironment(env, sources, catalog) : { name, waivers: [], file: catalog };
  });
  return { environments, sources };
}

const PackageJson = z.looseObject({ version: z.string() });

async function toolVersion(): Promise<string | undefined> {
  try {
    const parsed = PackageJson.safeParse(JSON.parse(await readFile(join(import.meta.dirname, '../../package.json'), 'utf8')));
    return parsed.success ? parsed.data.version : undefined;
  } catch {
    return undefined;
  }
}

/** Writes beside the target and renames over it, so a reader never sees half a report. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`--output ${file}: ${(err as Error).message}`);
  }
}

export async function check(outRoot: string, only: readonly string[], format: Format, options: CheckOptions = {}): Promise<number> {
  const available = await synthesizedEnvironments(outRoot);
  if (available.length === 0) throw new UsageError(`nothing synthesized under ${outRoot}: run "npm start" first`);
  const missing = only.filter((e) => !available.includes(e));
  if (missing.length > 0) throw new UsageError(`not synthesized: ${missing.join(', ')} (have ${available.join(', ')})`);
  const catalog = options.catalog ?? DEFAULT_CATALOG;
  const today = options.today ?? policyDate();
  const { environments, sources } = await catalogEnvironments(catalog, only.length > 0 ? only : available);
  const run = await runPolicies(outRoot, environments, today);
  const context = format === 'sarif' ? { ...resultLocations(outRoot, sources, run.rules), toolVersion: await toolVersion() } : undefined;
  const report = renderReport(run, format, context);
  if (options.output) {
    await writeAtomically(options.output, `${report}\n`);
    console.log(`${summaryLine(run)} → ${options.output} (${format})`);
  } else {
    console.log(report);
  }
  return hasOpenErrors(run) ? 2 : 0;
}
