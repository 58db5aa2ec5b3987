/**
 * Where each result is, for reports that link to files (SARIF): the synthesized file and the
 * line of the target in it, and the catalog line that produced it. Waiver results are in the
 * catalog themselves, so their primary location is the waiver's line in the environment file.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { Rule } from './engine.ts';
import type { CatalogSources } from './catalog-sources.ts';
import type { SarifContext } from './report-sarif.ts';
import { SynthesizedLines } from './synthesized-lines.ts';
import { WAIVER_RULES, type Result } from './waivers.ts';

const WAIVER_IDS = new Set(WAIVER_RULES.map((r) => r.id));

export function resultLocations(
  outRoot: string,
  sources: CatalogSources,
  rules: readonly Rule[],
  cwd: string = process.cwd(),
): Required<Pick<SarifContext, 'locate' | 'catalogLine'>> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const lines = new SynthesizedLines((file) => {
    try {
      return readFileSync(resolve(cwd, outRoot, file), 'utf8');
    } catch {
      return undefined;
    }
  });
  const repoPath = (path: string): string => relative(cwd, resolve(cwd, path)).split(sep).join('/');
  return {
    locate: (r) => {
      if (WAIVER_IDS.has(r.ruleId)) {
        return { uri: repoPath(r.target.file), line: sources.locate(r)?.line };
      }
      return { uri: repoPath(resolve(cwd, outRoot, r.target.file)), line: lines.line(r.target.file, r.target.address) };
    },
    catalogLine: (r) => (WAIVER_IDS.has(r.ruleId) ? undefined : sources.locate(r, byId.get(r.ruleId))),
  };
}
