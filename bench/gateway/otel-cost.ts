// What the OpenTelemetry packages cost the gateway: bytes each adds to the single-file bundle
// (esbuild's metafile of the same build as gateway/bundle.ts), the time a fresh process takes
// to load each (in dependency order, median of RUNS), and the bundle's time to "gateway
// listening" with tracing off and on, interleaved (median of RUNS), and the span work per request in
// process (a server and a client span, started, attributed, ended) at the production default ratio
// and at 100 %: where the time goes when tracing is on. Run: npx tsx bench/gateway/otel-cost.ts
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { SAMPLE_RATIO_BY_TIER } from '../../constructs/observability/telemetry-plan.ts';
import { createJsonLogger } from '../../gateway/src/logger.ts';
import { parseTracingConfig } from '../../gateway/src/tracing-config.ts';
import { createSdkTracing } from '../../gateway/src/tracing-sdk.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const root = process.cwd();
const PACKAGES = [
  '@opentelemetry/api',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/otlp-transformer',
  '@opentelemetry/otlp-exporter-base',
  '@opentelemetry/exporter-trace-otlp-http',
];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function bundleBytes(): Promise<void> {
  const result = await build({
    entryPoints: [path.join(root, 'gateway', 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    write: false,
    metafile: true,
    outfile: path.join(tmpdir(), 'otel-cost.cjs'),
    external: ['bufferutil', 'utf-8-validate'],
    logLevel: 'error',
  });
  const output = Object.values(result.metafile.outputs)[0];
  if (output === undefined) throw new Error('no esbuild output');
  const byPackage = new Map<string, number>();
  for (const [file, info] of Object.entries(output.inputs)) {
    // Top-level copies only: @google-cloud/pubsub bundles its own (older) api and core already.
    const pkg = /^node_modules\/(@opentelemetry\/[^/]+)/.exec(file)?.[1];
    if (pkg !== undefined) byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
  }
  const ownTracing = Object.entries(output.inputs)
    .filter(([file]) => /gateway\/src\/tracing[^/]*\.ts$/.test(file))
    .reduce((sum, [, info]) => sum + info.bytesInOutput, 0);
  const total = [...byPackage.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`bundle: ${output.bytes} bytes, of which @opentelemetry/* ${total} and gateway/src/tracing*.ts ${ownTracing}\n`);
  for (const [pkg, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${pkg.padEnd(42)} ${String(bytes).padStart(7)} bytes\n`);
}

function loadTimes(): void {
  const script = `const t={};for(const p of ${JSON.stringify(PACKAGES)}){const s=performance.now();require(p);t[p]=performance.now()-s;}process.stdout.write(JSON.stringify(t));`;
  const runs: Array<Record<string, number>> = [];
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    runs.push(JSON.parse(run.stdout) as Record<string, number>);
  }
  process.stdout.write(`\nload time in a fresh process, in dependency order (median of ${RUNS}; each excludes what the rows above loaded):\n`);
  for (const pkg of PACKAGES) process.stdout.write(`  ${pkg.padEnd(42)} ${median(runs.map((r) => r[pkg] as number)).toFixed(1).padStart(6)} ms\n`);
}

function timeToListening(bundle: string, routes: string, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, '--routes', routes, '--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--admin-port', '0'], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let out = '';
    let elapsed: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (elapsed === undefined && out.includes('gateway listening')) {
        elapsed = performance.now() - started;
        child.kill('SIGKILL');
      }
    });
    child.once('exit', () => (elapsed === undefined ? reject(new Error(`gateway did not start:\n${out}`)) : resolve(elapsed)));
  });
}

async function startUp(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'otel-cost-'));
  try {
    const routes = path.join(dir, 'routes.json');
    await writeFile(
      routes,
      JSON.stringify({ version: 1, routes: [{ name: 'x', match: { pathPrefix: '/' }, kind: 'http', upstream: { url: 'http://127.0.0.1:9' }, timeouts: { connectMs: 1000, headersMs: 1000, idleMs: 1000 }, auth: { type: 'none' }, maxBodyBytes: 1024 }] }),
    );
    const bundle = path.join(dir, 'gateway.cjs');
    const { bundleGateway } = await import('../../gateway/bundle.ts');
    await bundleGateway(bundle);
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      off.push(await timeToListening(bundle, routes, {}));
      on.push(await timeToListening(bundle, routes, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }));
    }
    process.stdout.write(
      `\nbundle start to "gateway listening" (median of ${RUNS}, interleaved): tracing off ${median(off).toFixed(0)} ms, on ${median(on).toFixed(0)} ms (${(median(on) - median(off)).toFixed(0)} ms)\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** µs of span work per request (median of RUNS passes of 50,000); export is queued, batched off this path. */
async function spanWork(): Promise<void> {
  process.stdout.write('\nspan work per request in process (server + client span with their attributes; export batched apart):\n');
  for (const ratio of [SAMPLE_RATIO_BY_TIER.production, 1]) {
    const config = parseTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(ratio) });
    if (config === undefined) throw new Error('tracing config expected');
    const tracing = createSdkTracing(config, createJsonLogger('error', () => undefined), 'bench');
    const attributes = () => ({ 'http.request.method': 'GET', 'url.path': '/x', 'http.route': '/', 'gateway.route': 'bench', 'client.address': '127.0.0.1' });
    const passes: number[] = [];
    for (let pass = 0; pass < RUNS; pass++) {
      const n = 50_000;
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        const server = tracing.startServer('GET /', undefined, attributes);
        const client = server.startClient('GET', 'client', attributes);
        client.setAttributes({ 'http.response.status_code': 200 });
        client.end();
        server.setAttributes({ 'http.response.status_code': 200 });
        server.end();
      }
      passes.push(((performance.now() - started) * 1000) / n);
    }
    await tracing.shutdown(100);
    process.stdout.write(`  ratio ${ratio}: ${median(passes).toFixed(2)} µs per request\n`);
  }
}

await bundleBytes();
loadTimes();
await startUp();
await spanWork();
