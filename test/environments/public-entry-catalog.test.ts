/**
 * The catalog's public-entry fields: bad values are rejected with the path of the field, before
 * anything is synthesized (and, through the CLI, with exit 1 and nothing written).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import catalog from '../../environments/index.ts';
import dev from '../../environments/dev.ts';
import prod from '../../environments/prod.ts';
import type { EnvironmentInput } from '../../environments/schema.ts';
import { CatalogError, parseEnvironment, parseEnvironments } from '../../environments/load.ts';
import { checkAcrossEnvironments } from '../../environments/schema/checks.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function problemsOf(base: EnvironmentInput, change: (env: EnvironmentInput) => void): string[] {
  const copy = structuredClone(base);
  change(copy);
  const result = parseEnvironment(copy.name, copy);
  if (result.ok) throw new Error('expected the environment to be rejected');
  return result.problems;
}
const service = (env: EnvironmentInput, name: string): NonNullable<EnvironmentInput['services']>[number] => {
  const found = env.services?.find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

describe('public entry fields of the catalog', () => {
  const cases: [string, EnvironmentInput, (env: EnvironmentInput) => void, string][] = [
    ['a sensitivity the rule set has no signatures at', prod, (e) => { e.edge.armor.owasp![2] = { ruleSet: 'lfi-v33-stable', sensitivity: 2 }; }, 'prod.edge.armor.owasp[2].sensitivity: lfi-v33-stable has signatures at sensitivity 1 only; 2 would enable nothing more'],
    ['a sensitivity above the set\'s highest', prod, (e) => { e.edge.armor.owasp![1] = { ruleSet: 'xss-v33-stable', sensitivity: 3 }; }, 'prod.edge.armor.owasp[1].sensitivity: xss-v33-stable has signatures at sensitivity 1–2; 3 would enable nothing more'],
    ['a rule set twice', prod, (e) => { e.edge.armor.owasp!.push({ ruleSet: 'sqli-v33-stable', sensitivity: 1 }); }, 'prod.edge.armor.owasp[7].ruleSet: duplicate rule set "sqli-v33-stable"'],
    ['a region code that is not ISO 3166-1', prod, (e) => { e.edge.armor.denyCountries = ['KP', 'UK']; }, 'prod.edge.armor.denyCountries[1]: is not an ISO 3166-1 alpha-2 region code (the United Kingdom is "GB")'],
    ['a region code that is not two capitals', prod, (e) => { e.edge.armor.denyCountries = ['kp']; }, 'prod.edge.armor.denyCountries[0]: must be an ISO 3166-1 alpha-2 code like "KP"'],
    ['a proxy-only subnet overlapping the node range', prod, (e) => { e.network.proxyOnlyCidr = '10.30.8.0/23'; }, 'prod.network.proxyOnlyCidr: 10.30.8.0/23 overlaps nodeCidr 10.30.0.0/20'],
    ['a proxy-only subnet overlapping the pod range', dev, (e) => { e.network.proxyOnlyCidr = '10.12.0.0/23'; }, 'dev.network.proxyOnlyCidr: 10.12.0.0/23 overlaps podCidr 10.12.0.0/16'],
    ['a proxy-only subnet smaller than a /26', prod, (e) => { e.network.proxyOnlyCidr = '10.37.0.0/27'; }, 'prod.network.proxyOnlyCidr: must be a /26 or larger'],
    ['exposure: internal on a public-api', prod, (e) => { service(e, 'orders-api').exposure = 'internal'; }, 'prod.services[0].exposure: a public-api is served through the public GLB'],
    ['exposure: internal with a public route', prod, (e) => { service(e, 'chat').exposure = 'internal'; }, 'prod.services[2].route: an exposure: internal service is never on the public GLB; remove the route'],
    ['exposure: public on an internal-api', prod, (e) => { service(e, 'inventory').exposure = 'public'; }, 'prod.services[1].exposure: an internal-api has no public route'],
    ['an internal ALB without a proxy-only subnet', prod, (e) => { delete e.network.proxyOnlyCidr; const chat = service(e, 'chat'); chat.exposure = 'internal'; delete chat.route; delete chat.auth; }, 'prod.services[2].exposure: an internal Application Load Balancer (websocket) needs a proxy-only subnet in europe-west4: set network.proxyOnlyCidr'],
    ['a stream whose GLB hop would pass 86400 s', prod, (e) => { service(e, 'market-feed').timeouts = { maxStreamSec: 86_390 }; }, 'prod.services[3].timeouts.maxStreamSec: must be ≤ 86385'],
    ['a request whose GLB hop would pass 86400 s', prod, (e) => { service(e, 'orders-api').timeouts = { requestSec: 86_390 }; }, 'prod.services[0].timeouts.requestSec: must be ≤ 86385: the GLB hop would wait 86405 s, above the 86400 s a GLB backend allows'],
    ['TLS below 1.2', prod, (e) => { (e.edge.sslPolicy as Record<string, unknown>).minTlsVersion = 'TLS_1_1'; }, 'prod.edge.sslPolicy.minTlsVersion: must be "TLS_1_2"'],
    ['the COMPATIBLE SSL profile', prod, (e) => { (e.edge.sslPolicy as Record<string, unknown>).profile = 'COMPATIBLE'; }, 'prod.edge.sslPolicy.profile: must be "MODERN" or "RESTRICTED"'],
    ['a wildcard certificate domain', prod, (e) => { e.edge.domains = ['api.acme.example', '*.acme.example']; }, 'prod.edge.domains[1]: a Google-managed certificate cannot cover a wildcard name'],
    ['a GLB log sample rate above 1', prod, (e) => { e.edge.logSampleRate = 2; }, 'prod.edge.logSampleRate:'],
  ];
  it.each(cases)('rejects %s', (_what, base, change, expected) => {
    expect(problemsOf(base, change).join('\n')).toContain(expected);
  });

  it('accepts the catalog as it is, with a proxy-only subnet in every environment', () => {
    const envs = parseEnvironments(catalog);
    expect(envs.map((e) => [e.name, e.network.proxyOnlyCidr])).toEqual([
      ['dev', '10.14.0.0/23'],
      ['staging', '10.24.0.0/23'],
      ['prod', '10.37.0.0/23'],
    ]);
    expect(checkAcrossEnvironments(envs)).toEqual([]);
  });
});

describe('lower environments carry what production enforces', () => {
  it('names each lower environment that lacks a rule set production enforces', () => {
    const input = structuredClone(catalog) as Record<string, EnvironmentInput>;
    input.dev!.edge.armor.owasp = [{ ruleSet: 'sqli-v33-stable', sensitivity: 1 }, { ruleSet: 'xss-v33-stable', sensitivity: 1 }];
    input.staging!.edge.armor.owasp = input.staging!.edge.armor.owasp!.filter((r) => r.ruleSet !== 'rce-v33-stable');
    const dev = 'dev.edge.armor.owasp: lacks lfi-v33-stable, rfi-v33-stable, rce-v33-stable, protocolattack-v33-stable, scannerdetection-v33-stable, which prod (production) enforces; lower environments carry every rule set production enforces (in preview or at a lower sensitivity if need be)';
    const staging = 'staging.edge.armor.owasp: lacks rce-v33-stable, which prod (production) enforces; lower environments carry every rule set production enforces (in preview or at a lower sensitivity if need be)';
    const problems = (only?: string[]): readonly string[] => {
      try {
        parseEnvironments(input, only);
      } catch (err) {
        if (err instanceof CatalogError) return err.problems;
        throw err;
      }
      return [];
    };
    // The loader runs the check: on the whole catalog, and also when only dev is synthesized.
    expect(problems()).toEqual([dev, staging]);
    expect(problems(['dev'])).toEqual([dev]);
    expect(problems(['prod'])).toEqual([]);
  });

  it('lets a lower environment preview a set at a lower sensitivity, or carry more sets than production', () => {
    const input = structuredClone(catalog) as Record<string, EnvironmentInput>;
    input.dev!.edge.armor.owasp = input.prod!.edge.armor.owasp!.map((r) => ({ ...r, sensitivity: 1 }));
    input.dev!.edge.armor.owasp.push({ ruleSet: 'sessionfixation-v33-stable', sensitivity: 1 });
    expect(() => parseEnvironments(input)).not.toThrow();
  });
});

describe('the CLI on a bad public entry', () => {
  it('exits 1 naming the field, and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'entry-catalog-'));
    try {
      const file = join(dir, 'catalog.ts');
      const real = pathToFileURL(join(ROOT, 'environments/index.ts')).href;
      await writeFile(
        file,
        `import real from '${real}';\nconst prod = structuredClone(real.prod);\nprod.edge.armor.denyCountries = ['XX'];\nprod.network.proxyOnlyCidr = '10.36.0.0/23';\nexport default { ...real, prod };\n`,
      );
      const out = join(dir, 'out');
      const run = await new Promise<{ code: number; stderr: string }>((done) => {
        execFile(join(ROOT, 'node_modules/.bin/tsx'), ['cli/main.ts', 'synth', '--out', out, '--catalog', file], { cwd: ROOT, timeout: 120_000 }, (err, _stdout, stderr) =>
          done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
        );
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('prod.edge.armor.denyCountries[0]: is not an ISO 3166-1 alpha-2 region code');
      expect(run.stderr).toContain('prod.network.proxyOnlyCidr: 10.36.0.0/23 overlaps serviceCidr 10.36.0.0/20');
      expect(await readdir(dir)).toEqual(['catalog.ts']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
