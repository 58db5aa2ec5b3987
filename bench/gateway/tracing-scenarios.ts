// The gateway with tracing off, on at the production default ratio, and on at 100 %, measured in
// the same run and reported as ratios to off. The three run in turn, ROUNDS times (env
// BENCH_TRACING_ROUNDS, default 3), and each reports its median round: on a shared machine a
// single pass mostly measures the neighbours. Spans go to a local OTLP/HTTP receiver (it answers
// 200 and counts), so export work is real. Requests carry no traceparent: each starts a trace at
// the gateway, where the ratio applies (parent-based sampling follows a caller's decision).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { SAMPLE_RATIO_BY_TIER } from '../../constructs/observability/telemetry-plan.ts';
import type { WrkResult } from './wrk-report.ts';

export interface ScenarioTools {
  start(command: string, args: string[], ready: RegExp, env?: Record<string, string>): Promise<{ child: ChildProcess; match: RegExpExecArray }>;
  stop(child: ChildProcess): Promise<void>;
  wrk(url: string, seconds: number, headers: string[]): WrkResult;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Receiver {
  url: string;
  posts: () => number;
  spans: () => number;
  close: () => Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  let posts = 0;
  let spans = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      posts++;
      spans += body.split('"spanId"').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts: () => posts,
    spans: () => spans,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export async function runTracingScenarios(tools: ScenarioTools, gatewayArgs: string[], headers: string[], seconds: number): Promise<void> {
  const receiver = await startReceiver();
  const ratio = SAMPLE_RATIO_BY_TIER.production;
  const scenarios: Array<[string, Record<string, string>]> = [
    ['tracing off', {}],
    [`tracing on, ${ratio * 100} % (production default)`, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(ratio) }],
    ['tracing on, 100 %', { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' }],
  ];
  const rounds = Number(process.env.BENCH_TRACING_ROUNDS ?? 3);
  const runs = new Map<string, Array<{ result: WrkResult; spans: number; cpuUsPerRequest: number }>>(scenarios.map(([name]) => [name, []]));
  try {
    for (let round = 0; round < rounds; round++) for (const [name, env] of scenarios) {
      const tracingEnv = Object.keys(env).length === 0 ? {} : { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'edge-gateway-bench' };
      const gateway = await tools.start(process.execPath, gatewayArgs, /"gateway listening".*"httpPort":(\d+)/, tracingEnv);
      const url = `http://127.0.0.1:${Number(gateway.match[1])}/x`;
      const sanity = await fetch(url, { headers: Object.fromEntries(headers.map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()])) });
      if (sanity.status !== 200) throw new Error(`gateway (${name}) answered ${sanity.status}: ${await sanity.text()}`);
      const before = receiver.spans();
      tools.wrk(url, 1, headers);
      const pid = gateway.child.pid as number;
      const cpuBefore = cpuSeconds(pid);
      const result = tools.wrk(url, seconds, headers);
      // The gateway's own CPU per request: far less sensitive to the machine's other load than req/s.
      const cpuUsPerRequest = ((cpuSeconds(pid) - cpuBefore) * 1e6) / (result.requestsPerSecond * seconds);
      await tools.stop(gateway.child); // drain flushes the queued spans
      runs.get(name)?.push({ result, spans: receiver.spans() - before, cpuUsPerRequest });
      process.stdout.write(`  round ${round + 1}, gateway ${name}: ${result.requestsPerSecond.toFixed(0)} req/s\n`);
    }
  } finally {
    await receiver.close();
  }
  const results = scenarios.map(([name]) => {
    const sorted = [...(runs.get(name) ?? [])].sort((a, b) => a.result.requestsPerSecond - b.result.requestsPerSecond);
    const cpu = (runs.get(name) ?? []).map((r) => r.cpuUsPerRequest).sort((a, b) => a - b);
    return { name, ...(sorted[Math.floor(sorted.length / 2)] as { result: WrkResult; spans: number }), cpuUsPerRequest: cpu[Math.floor(cpu.length / 2)] as number };
  });
  const off = results[0]?.result as WrkResult;
  const offCpu = results[0]?.cpuUsPerRequest as number;
  console.table(
    results.map(({ name, result, spans, cpuUsPerRequest }) => ({
      gateway: name,
      'req/s': Math.round(result.requestsPerSecond),
      'vs off': (result.requestsPerSecond / off.requestsPerSecond).toFixed(3),
      'CPU µs/req': cpuUsPerRequest.toFixed(1),
      'CPU vs off': (cpuUsPerRequest / offCpu).toFixed(3),
      'p99 ms': result.p99Ms.toFixed(2),
      'p99 vs off': (result.p99Ms / off.p99Ms).toFixed(2),
      'spans exported': spans,
      errors: result.non2xx + result.socketErrors,
    })),
  );
  const atDefault = results[1] as { result: WrkResult; cpuUsPerRequest: number };
  const loss = 1 - atDefault.result.requestsPerSecond / off.requestsPerSecond;
  // CPU-bound, throughput is the inverse of CPU per request: the CPU ratio is the steadier estimate.
  const cpuLoss = 1 - offCpu / atDefault.cpuUsPerRequest;
  process.stdout.write(
    `  goal: <= 5 % throughput loss at the production default ratio: ${loss <= 0.05 ? 'met' : 'NOT met'} by req/s (${(loss * 100).toFixed(1)} %), ` +
      `${cpuLoss <= 0.05 ? 'met' : 'NOT met'} by CPU per request (${(cpuLoss * 100).toFixed(1)} %)\n`,
  );
}
