// The ingest scenario of bench:gateway: what checking a body against its topic's contract costs.
// Two events routes of one gateway (the shipped bundle) publish the same valid order event to
// the same schema-less topic of the real Pub/Sub emulator; one route carries the Avro contract,
// the other none. So Pub/Sub's side is the same for both and the ratio is the gateway's check.
// Also, in this process: the compiled validator alone, per event, against JSON.parse alone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileAvroValidator } from '../../gateway/src/event-avro-validator.ts';
import { avroCorpus } from '../../test/gateway/fixtures/event-corpus.ts';
import { startPubSubEmulator } from '../../test/gateway/fixtures/pubsub-emulator.ts';
import { parseWrk, type WrkResult } from './wrk-report.ts';

export interface IngestDeps {
  readonly root: string;
  readonly dir: string;
  readonly bundle: string;
  readonly seconds: number;
  readonly connections: number;
  readonly start: (command: string, args: string[], ready: RegExp, timeoutMs?: number, env?: NodeJS.ProcessEnv) => Promise<{ child: ChildProcess; match: RegExpExecArray }>;
  readonly stop: (child: ChildProcess | undefined) => Promise<void>;
}

function wrkPost(url: string, seconds: number, connections: number, script: string): WrkResult {
  const run = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  return parseWrk(run.stdout);
}

/** ns per call of `fn`, best of 5 rounds of `n` calls. */
function nsPerCall(n: number, fn: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t0) * 1e6) / n);
  }
  return best;
}

export async function ingestScenario(deps: IngestDeps): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v gcloud']).status !== 0) {
    process.stdout.write('\ningest: skipped (gcloud is not on PATH: the Pub/Sub emulator is needed)\n');
    return;
  }
  const definition = await readFile(path.join(deps.root, 'environments/events/order-events.avsc'), 'utf8');
  const event = avroCorpus(definition)[0]?.body as string;
  const validator = compileAvroValidator(definition);
  if (validator(Buffer.from(event)) !== undefined) throw new Error('the bench event does not match its contract');

  // In process: the check alone, per event, next to the JSON.parse it includes.
  const body = Buffer.from(event);
  const parseNs = nsPerCall(200_000, () => JSON.parse(body.toString('utf8')));
  const validateNs = nsPerCall(200_000, () => validator(body));
  process.stdout.write(
    `\ningest contract check in process (order-events, ${body.length} bytes): ${validateNs.toFixed(0)} ns/event, of which JSON.parse ${parseNs.toFixed(0)} ns (the schema walk: ${(validateNs - parseNs).toFixed(0)} ns)\n`,
  );

  const emulator = await startPubSubEmulator();
  let gateway: ChildProcess | undefined;
  try {
    process.env.PUBSUB_EMULATOR_HOST = emulator.hostPort;
    const { PubSub } = await import('@google-cloud/pubsub');
    const pubsub = new PubSub({ projectId: 'bench-project' });
    await pubsub.createTopic('bench-ingest');
    await pubsub.close();
    const topic = 'projects/bench-project/topics/bench-ingest';
    const route = (name: string) => ({
      name,
      match: { pathPrefix: `/${name}` },
      kind: 'events',
      topic,
      timeouts: { connectMs: 2000, headersMs: 10000, idleMs: 10000 },
      auth: { type: 'none' },
      maxBodyBytes: 65536,
    });
    const routesFile = path.join(deps.dir, 'ingest-routes.json');
    await writeFile(
      routesFile,
      JSON.stringify({ version: 1, routes: [{ ...route('with-schema'), schema: { type: 'avro', definition } }, route('without-schema')] }),
    );
    const script = path.join(deps.dir, 'post.lua');
    await writeFile(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(event)}\nwrk.headers["content-type"] = "application/json"\n`);
    const args = [deps.bundle, '--routes', routesFile, '--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--admin-port', '0', '--log-level', 'info', '--drain-delay-ms', '0', '--drain-timeout-ms', '2000'];
    const started = await deps.start(process.execPath, args, /"gateway listening".*"httpPort":(\d+)/, 20_000, { ...process.env, PUBSUB_EMULATOR_HOST: emulator.hostPort });
    gateway = started.child;
    const port = Number(started.match[1]);
    const url = (name: string): string => `http://127.0.0.1:${port}/${name}`;
    // Warm up the emulator (a JVM) and the gateway's publisher on both routes first, then measure
    // in the order A B B A, so what drift remains hits both routes alike; rates are averaged.
    for (const name of ['without-schema', 'with-schema']) wrkPost(url(name), 3, deps.connections, script);
    const runs: [string, WrkResult][] = [];
    for (const name of ['without-schema', 'with-schema', 'with-schema', 'without-schema']) runs.push([name, wrkPost(url(name), deps.seconds, deps.connections, script)]);
    const results = new Map<string, WrkResult>();
    for (const name of ['without-schema', 'with-schema']) {
      const mine = runs.filter(([n]) => n === name).map(([, r]) => r);
      const avg = (f: (r: WrkResult) => number): number => mine.reduce((sum, r) => sum + f(r), 0) / mine.length;
      results.set(name, {
        requestsPerSecond: avg((r) => r.requestsPerSecond),
        p50Ms: avg((r) => r.p50Ms),
        p99Ms: avg((r) => r.p99Ms),
        non2xx: mine.reduce((sum, r) => sum + r.non2xx, 0),
        socketErrors: mine.reduce((sum, r) => sum + r.socketErrors, 0),
      });
    }
    const without = results.get('without-schema') as WrkResult;
    const withSchema = results.get('with-schema') as WrkResult;
    console.table(
      [...results].map(([name, r]) => ({ route: `${name} (mean of 2)`, 'req/s': Math.round(r.requestsPerSecond), 'p50 ms': r.p50Ms.toFixed(2), 'p99 ms': r.p99Ms.toFixed(2), errors: r.non2xx + r.socketErrors })),
    );
    const ratio = withSchema.requestsPerSecond / without.requestsPerSecond;
    // The route without a schema never parses the body: the whole check is added per event. At
    // the rate measured without it, on the gateway's one event loop, that is this share of it.
    const share = (validateNs * without.requestsPerSecond) / 1e9;
    process.stdout.write(
      `ingest through the emulator, with / without the contract check: ${ratio.toFixed(3)}x throughput (target: cost at most 5 %, i.e. >= 0.95x): ${ratio >= 0.95 ? 'met' : 'NOT met'}\n` +
        `  the check's own cost at ${Math.round(without.requestsPerSecond)} events/s: ${(share * 100).toFixed(2)} % of one event loop (${validateNs.toFixed(0)} ns x events/s); the end-to-end ratio is within the emulator's run-to-run noise when this is far below 5 %\n`,
    );
  } finally {
    await deps.stop(gateway);
    await emulator.stop();
    delete process.env.PUBSUB_EMULATOR_HOST;
  }
}
