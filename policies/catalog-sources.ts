/**
 * Where in the catalog a finding comes from, as a file and line, for reports that link back
 * to source (SARIF's related locations): the line of `name: 'orders-api'` in
 * environments/services.ts for a service's objects, or a key of the environment file
 * (`authorizedNetworks:`) for cluster settings. Found by searching the text of the catalog
 * module's directory; a finding with no recognisable source gets no link.
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Finding, Rule } from './engine.ts';

export interface SourceLine {
  /** Relative to the working directory, with `/` separators (a repository path). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
}

interface SourceFile {
  readonly file: string;
  readonly lines: readonly string[];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function lineOf(source: SourceFile, pattern: RegExp, after = 0): number | undefined {
  for (let i = after; i < source.lines.length; i++) if (pattern.test(source.lines[i] ?? '')) return i + 1;
  return undefined;
}

export class CatalogSources {
  private constructor(private readonly files: readonly SourceFile[]) {}

  /** Reads the catalog module's directory (`environments/` for `environments/index.ts`). */
  static async read(catalogModule: string, cwd: string = process.cwd()): Promise<CatalogSources> {
    const dir = dirname(resolve(cwd, catalogModule));
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => /\.(ts|mts|js|mjs)$/.test(n)).sort();
    } catch {
      return new CatalogSources([]);
    }
    const files = await Promise.all(
      names.map(async (n) => ({
        file: relative(cwd, join(dir, n)).split(sep).join('/'),
        lines: (await readFile(join(dir, n), 'utf8')).split('\n'),
      })),
    );
    return new CatalogSources(files);
  }

  /** The file that declares environment `env` (it has `name: '<env>'` and a `tier:`). */
  envFile(env: string): string | undefined {
    return this.envSource(env)?.file;
  }

  private envSource(env: string): SourceFile | undefined {
    const name = new RegExp(`\\bname:\\s*['"]${escape(env)}['"]`);
    return this.files.find((f) => f.lines.some((l) => name.test(l)) && f.lines.some((l) => /^\s*tier:/.test(l)));
  }

  /** The line of `name: '<name>'`, searched in `first` and then every other catalog file. */
  private named(name: string, first: SourceFile | undefined): SourceLine | undefined {
    const pattern = new RegExp(`\\bname:\\s*['"]${escape(name)}['"]`);
    const order = first ? [first, ...this.files.filter((f) => f !== first)] : this.files;
    for (const f of order) {
      const line = lineOf(f, pattern);
      if (line !== undefined) return { file: f.file, line };
    }
    return undefined;
  }

  private keyed(keys: readonly string[], source: SourceFile | undefined): SourceLine | undefined {
    if (!source) return undefined;
    for (const key of keys) {
      const line = lineOf(source, new RegExp(`^\\s*${escape(key)}\\s*[:,]`));
      if (line !== undefined) return { file: source.file, line };
    }
    return undefined;
  }

  /** The catalog line behind a finding, or undefined when there is none to point at. */
  locate(finding: Finding, rule?: Rule): SourceLine | undefined {
    const env = this.envSource(finding.target.env);
    const address = finding.target.address;
    const waiver = /^waivers\[(\d+)\]$/.exec(address);
    if (waiver) return this.waiverLine(env, Number(waiver[1]));
    if (finding.catalog?.name) {
      const found = this.named(finding.catalog.name, env);
      if (found) return found;
    }
    const kubernetes = /^[A-Za-z]+\/[^/]+\/([^/#]+)/.exec(address);
    if (kubernetes?.[1]) {
      // A workload's objects are named after its catalog service, declared outside the environment file.
      const others = this.files.filter((f) => f !== env);
      const found = new CatalogSources(others).named(kubernetes[1], undefined) ?? this.named(kubernetes[1], env);
      if (found) return found;
    }
    return this.keyed(finding.catalog?.keys ?? rule?.catalogKeys ?? [], env);
  }

  /** The `rule:` line of the index-th waiver in the environment file. */
  private waiverLine(env: SourceFile | undefined, index: number): SourceLine | undefined {
    if (!env) return undefined;
    let line = lineOf(env, /^\s*waivers\s*:/);
    if (line === undefined) return undefined;
    for (let i = 0; i <= index; i++) {
      const next = lineOf(env, /\brule:\s*['"]/, line);
      if (next === undefined) return undefined;
      line = next;
    }
    return { file: env.file, line };
  }
}
