/**
 * Turns raw environment values into validated `Environment`s, or into a list of messages that
 * each name the environment and the field: `prod.services[2].route.pathPrefix: must start with "/"`.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { EnvironmentSchema, type Environment } from './schema.ts';
import { checkAcrossEnvironments } from './schema/checks.ts';

export class CatalogError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the catalog has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
    this.name = 'CatalogError';
  }
}

/** `['services', 2, 'route', 'pathPrefix']` → `services[2].route.pathPrefix`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

export function formatIssues(envName: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    return `${envName}${path ? (path.startsWith('[') ? path : `.${path}`) : ''}: ${issue.message}`;
  });
}

export type ParseResult = { ok: true; env: Environment } | { ok: false; problems: string[] };

export function parseEnvironment(name: string, raw: unknown): ParseResult {
  const result = EnvironmentSchema.safeParse(raw);
  if (!result.success) return { ok: false, problems: formatIssues(name, result.error.issues) };
  if (result.data.name !== name) {
    return { ok: false, problems: [`${name}.name: is "${result.data.name}" but the catalog registers it as "${name}"`] };
  }
  return { ok: true, env: result.data };
}

/**
 * Parses every named environment and returns them all, or throws one CatalogError listing
 * every problem in every environment (so a user fixes them in one pass).
 */
export function parseEnvironments(raw: Readonly<Record<string, unknown>>, only?: readonly string[]): Environment[] {
  const names = only ?? Object.keys(raw);
  const problems: string[] = [];
  const envs: Environment[] = [];
  for (const name of names) {
    if (!(name in raw)) {
      problems.push(`${name}: no such environment (the catalog has ${Object.keys(raw).join(', ')})`);
      continue;
    }
    const result = parseEnvironment(name, raw[name]);
    if (result.ok) envs.push(result.env);
    else problems.push(...result.problems);
  }
  if (problems.length > 0) throw new CatalogError(problems);
  // Rules between environments (lower tiers carry what production enforces) look at the whole
  // catalog, also when only some environments are synthesized; one that does not parse is
  // reported when it is synthesized itself.
  const others = Object.keys(raw)
    .filter((name) => !names.includes(name))
    .flatMap((name) => {
      const result = parseEnvironment(name, raw[name]);
      return result.ok ? [result.env] : [];
    });
  const across = checkAcrossEnvironments([...envs, ...others]).filter((p) => envs.some((e) => p.startsWith(`${e.name}.`)));
  if (across.length > 0) throw new CatalogError(across);
  return envs;
}

/** The default catalog module: it default-exports `{ <env name>: <environment values> }`. */
export const DEFAULT_CATALOG = 'environments/index.ts';

/** Imports a catalog module (TypeScript through tsx, or JavaScript) and returns its raw values. */
export async function importCatalog(modulePath: string): Promise<Record<string, unknown>> {
  const file = resolve(modulePath);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new CatalogError([`${modulePath}: cannot be loaded: ${(err as Error).message}`]);
  }
  const catalog = mod.default;
  if (typeof catalog !== 'object' || catalog === null || Array.isArray(catalog)) {
    throw new CatalogError([`${modulePath}: must default-export an object of environments keyed by name`]);
  }
  return catalog as Record<string, unknown>;
}
