import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../../cli/args.ts';
import { ROUTES_USAGE, run as runRoutes } from '../../cli/commands/routes.ts';
import { ROOT, runCli, type CliRun } from '../cli-process.ts';


const cli = (...args: string[]): Promise<CliRun> => runCli(['routes', ...args], { timeoutMs: 60_000 });

describe('npm run routes', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'platform-routes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints every prod route as a table, longest prefix first, with hops, auth and rate limit', async () => {
    const run = await cli('--env', 'prod');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('prod: 5 public routes');
    expect(lines[2]).toMatch(/^path\s+host\s+protocol\s+via\s+upstream\s+glb\s+nginx\s+proxy\s+service\s+auth\s+rate limit$/);
    const rows = lines.slice(4, 9);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(['/inference.v1.Generator', '/v1/feed/stream', '/v1/events', '/v1/orders', '/ws/chat']);
    expect(rows[3]).toMatch(
      /^\/v1\/orders\s+api\.acme\.example\s+http\s+kong\s+orders-api\.commerce:8080\s+45\/45\s+40\/40\s+35\/35\s+30\/30\s+jwt https:\/\/auth\.acme\.example\/\s+600\/min burst 100$/,
    );
    expect(rows[2]).toContain('projects/acme-platform-prod/topics/ingest');
    expect(run.stdout).toContain('timeouts: total/idle seconds per hop');
  });

  it('prints the routes as JSON with timeouts in seconds', async () => {
    const run = await cli('--env', 'prod', '--format', 'json');
    expect(run.code).toBe(0);
    const routes = JSON.parse(run.stdout) as { name: string; timeouts: { glb: { totalSec: number } }; upstream: unknown }[];
    expect(routes.map((r) => r.name)).toEqual(['llm-inference', 'market-feed', 'ingest-ingest', 'orders-api', 'chat']);
    expect(routes.find((r) => r.name === 'chat')?.timeouts.glb.totalSec).toBe(7215);
    expect(routes.find((r) => r.name === 'ingest-ingest')?.upstream).toEqual({
      kind: 'pubsub-topic',
      topic: 'projects/acme-platform-prod/topics/ingest',
    });
  });

  it('prints a mermaid flowchart of the request paths', async () => {
    const run = await cli('--env', 'dev', '--format', 'mermaid');
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(run.stdout).toContain('client -->|"HTTPS api.dev.acme.example"| glb');
    expect(run.stdout).toContain('gateway -->|"/ws/chat · websocket · idle 310s/life 7215s"| svc_realtime_chat');
    expect(run.stdout).toContain('topic_ingest[("Pub/Sub topic<br/>projects/acme-platform-dev/topics/ingest")]');
  });

  it('shows what a catalog change does to the edge', async () => {
    const catalog = join(dir, 'longer-orders.ts');
    const real = pathToFileURL(join(ROOT, 'environments/index.ts')).href;
    await writeFile(
      catalog,
      `import catalog from '${real}';
const prod = structuredClone(catalog.prod);
const orders = prod.services.find((s) => s.name === 'orders-api');
orders.route.pathPrefix = '/v2/orders';
orders.timeouts = { requestSec: 50 };
export default { ...catalog, prod };
`,
    );
    const run = await cli('--env', 'prod', '--format', 'mermaid', '--catalog', catalog);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kong -->|"/v2/orders · http · total 65s"| svc_commerce_orders_api');
    expect(run.stdout).not.toContain('/v1/orders');
  });

  it('rejects a broken catalog with the path-precise catalog error, exit 1, nothing on stdout', async () => {
    const catalog = join(dir, 'broken.ts');
    const real = pathToFileURL(join(ROOT, 'environments/index.ts')).href;
    await writeFile(
      catalog,
      `import catalog from '${real}';
const prod = structuredClone(catalog.prod);
prod.services[0].route.pathPrefix = 'v1/orders';
export default { ...catalog, prod };
`,
    );
    const run = await cli('--env', 'prod', '--catalog', catalog);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('prod.services[0].route.pathPrefix: must start with "/"');
    expect(run.stdout).toBe('');
    // In-process: a catalog that cannot be loaded is the same CatalogError (exit 1 in main.ts).
    await expect(runRoutes(['--env', 'prod', '--catalog', join(dir, 'no-such-catalog.ts')])).rejects.toThrow(
      /no-such-catalog\.ts: cannot be loaded/,
    );
  });

  it('names the environments there are when --env names none of them', async () => {
    const run = await cli('--env', 'qa');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--env: no environment "qa" in environments/index.ts (it has dev, staging, prod)');
    expect(run.stderr).toContain('usage: platform routes --env <name>');
    expect(run.stdout).toBe('');
  });

  it('rejects a missing or repeated --env, an unknown format and unknown flags as usage errors', async () => {
    // In-process: the exit code of a UsageError (1, with the usage text) is checked above.
    const cases: [string[], string][] = [
      [[], '--env: is required: name one environment'],
      [['--env', 'prod', '--env', 'dev'], '--env: name exactly one environment'],
      [['--env', 'Prod'], '--env: must be an environment name'],
      [['--env', 'prod', '--format', 'svg'], '--format: must be one of table, json, mermaid'],
      [['--env', 'prod', '--frobnicate'], "Unknown option '--frobnicate'"],
      [['--env', 'prod', 'extra'], "Unexpected argument 'extra'"],
    ];
    for (const [args, message] of cases) {
      const failure = await runRoutes(args).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure, args.join(' ')).toBeInstanceOf(UsageError);
      expect((failure as UsageError).message).toContain(message);
      expect((failure as UsageError).usage).toBe(ROUTES_USAGE);
    }
  });
});
