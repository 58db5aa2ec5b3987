// Gateway benchmark, one run, everything on 127.0.0.1, all servers started and stopped here:
//   wrk → direct upstream | bare node:http keep-alive proxy | nginx proxy | gateway (JWT auth,
//   rate limiter and metrics on, the esbuild bundle that ships in the image)
// then the gateway with tracing off / on at the production default ratio / on at 100 % (tracing-scenarios.ts),
// then the RSS of the gateway holding N idle WebSockets (clients in a child process), then the
// cost of the ingest contract check (ingest.ts; needs the Pub/Sub emulator, BENCH_INGEST=0 skips it,
// BENCH_ONLY=ingest runs only it).
// Env: BENCH_SECONDS (default 6), BENCH_CONNECTIONS (64), BENCH_WEBSOCKETS (10000, capped by the fd limit).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { parseWrk, type WrkResult } from './wrk-report.ts';
import { ingestScenario } from './ingest.ts';
import { runTracingScenarios } from './tracing-scenarios.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WANTED_WEBSOCKETS = Number(process.env.BENCH_WEBSOCKETS ?? 10_000);
const root = process.cwd();
const children: ChildProcess[] = [];

function need(binary: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0) {
    process.stderr.write(`bench:gateway needs ${binary} (Debian package ${pkg}): apt-get install -y ${pkg}\n`);
    process.exit(2);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Spawns a child and resolves with the first stdout line matching `ready`. */
function start(command: string, args: string[], ready: RegExp, timeoutMs = 20_000, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')} not ready:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${out}`));
    });
  }).then((r) => {
    child.removeAllListeners('exit');
    // Ready: stop keeping the output (the gateway writes an access line per request), keep draining it.
    child.stdout?.removeAllListeners('data').resume();
    child.stderr?.removeAllListeners('data').resume();
    return r as { child: ChildProcess; match: RegExpExecArray };
  });
}

function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

function wrk(url: string, seconds: number, headers: string[]): WrkResult {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  const run = spawnSync('wrk', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  return parseWrk(run.stdout);
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

async function main(): Promise<void> {
  need('wrk', 'wrk');
  need('nginx', 'nginx-light');
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-gateway-'));
  try {
    // The gateway runs as shipped: the single-file bundle.
    const build = spawnSync(process.execPath, ['--import', 'tsx', 'gateway/build.ts'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`bundle failed: ${build.stderr}`);
    const bundle = path.join(root, 'gateway', 'dist', 'gateway.cjs');
    if (process.env.BENCH_ONLY === 'ingest') {
      await ingestScenario({ root, dir, bundle, seconds: SECONDS, connections: CONNECTIONS, start, stop });
      return;
    }

    // JWKS for the gateway's JWT check (fetched once, then cached; verified tokens cached briefly).
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256' };
    const jwksServer = http.createServer((_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', () => r()));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as net.AddressInfo).port}/jwks.json`;
    const token = await new SignJWT({ sub: 'bench' }).setProtectedHeader({ alg: 'RS256', kid: 'bench' }).setIssuer('https://issuer.bench').setAudience('api://bench').setExpirationTime('1h').sign(privateKey);
    const auth = `authorization: Bearer ${token}`;

    const tsx = ['--import', 'tsx'];
    const upstream = await start(process.execPath, [...tsx, 'bench/gateway/upstream-server.ts'], /listening (\d+)/);
    const upstreamPort = Number(upstream.match[1]);
    const bare = await start(process.execPath, [...tsx, 'bench/gateway/bare-proxy.ts', String(upstreamPort)], /listening (\d+)/);
    const barePort = Number(bare.match[1]);

    const nginxPort = await freePort();
    for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(path.join(dir, d));
    await writeFile(
      path.join(dir, 'nginx.conf'),
      `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream bench_upstream { server 127.0.0.1:${upstreamPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${nginxPort};
    keepalive_requests 1000000;
    location / { proxy_pass http://bench_upstream; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`,
    );
    const nginx = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
    children.push(nginx);

    const routesFile = path.join(dir, 'gateway-routes.json');
    await writeFile(
      routesFile,
      JSON.stringify({
        version: 1,
        routes: [
          {
            name: 'bench',
            match: { pathPrefix: '/' },
            kind: 'http',
            upstream: { url: `http://127.0.0.1:${upstreamPort}` },
            timeouts: { connectMs: 2000, headersMs: 10000, idleMs: 60000 },
            auth: { type: 'jwt', jwksUri, issuer: 'https://issuer.bench', audiences: ['api://bench'], algorithms: ['RS256'] },
            rateLimit: { requestsPerSecond: 10_000_000, burst: 10_000_000 },
            maxBodyBytes: 1048576,
          },
          {
            name: 'ws',
            match: { pathPrefix: '/ws' },
            kind: 'websocket',
            upstream: { url: `http://127.0.0.1:${upstreamPort}` },
            timeouts: { connectMs: 5000, headersMs: 10000, idleMs: 600000 },
            auth: { type: 'none' },
            maxBodyBytes: 65536,
          },
        ],
      }),
    );
    // Log level info: lifecycle lines and one access line per request (written once per event-loop turn), as shipped.
    const gatewayArgs = [bundle, '--routes', routesFile, '--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--admin-port', '0', '--log-level', 'info', '--upstream-connections', String(CONNECTIONS * 2), '--drain-delay-ms', '0', '--drain-timeout-ms', '2000'];
    const gateway = await start(process.execPath, gatewayArgs, /"gateway listening".*"httpPort":(\d+).*"adminPort":(\d+)/);
    const gatewayPort = Number(gateway.match[1]);
    const adminPort = Number(gateway.match[2]);

    // Sanity: auth really is on.
    const withToken = await get(`http://127.0.0.1:${gatewayPort}/x`, { authorization: `Bearer ${token}` });
    const withoutToken = await get(`http://127.0.0.1:${gatewayPort}/x`, {});
    if (withToken !== 200 || withoutToken !== 401) throw new Error(`gateway auth sanity failed: ${withToken}/${withoutToken}`);
    const nginxStatus = await get(`http://127.0.0.1:${nginxPort}/x`, {});
    if (nginxStatus !== 200) throw new Error(`nginx answered ${nginxStatus}`);

    const targets: Array<[string, string]> = [
      ['direct upstream (node:http)', `http://127.0.0.1:${upstreamPort}/x`],
      ['bare node:http keep-alive proxy', `http://127.0.0.1:${barePort}/x`],
      ['nginx 1.22 proxy (1 worker, keepalive)', `http://127.0.0.1:${nginxPort}/x`],
      ['gateway (JWT + rate limit + metrics)', `http://127.0.0.1:${gatewayPort}/x`],
    ];
    const results = new Map<string, WrkResult>();
    process.stdout.write(`wrk -t1 -c${CONNECTIONS} -d${SECONDS}s (1 s warm-up each), 2 cores shared by wrk, proxy and upstream\n`);
    for (const [name, url] of targets) {
      wrk(url, 1, [auth]);
      const result = wrk(url, SECONDS, [auth]);
      results.set(name, result);
      process.stdout.write(`  measured ${name}: ${result.requestsPerSecond.toFixed(0)} req/s\n`);
    }
    const bareResult = results.get(targets[1]?.[0] as string) as WrkResult;
    const nginxResult = results.get(targets[2]?.[0] as string) as WrkResult;
    const gatewayResult = results.get(targets[3]?.[0] as string) as WrkResult;
    const rows = [...results].map(([name, r]) => ({
      target: name,
      'req/s': Math.round(r.requestsPerSecond),
      'p50 ms': r.p50Ms.toFixed(2),
      'p99 ms': r.p99Ms.toFixed(2),
      'vs bare': (r.requestsPerSecond / bareResult.requestsPerSecond).toFixed(2),
      'vs nginx': (r.requestsPerSecond / nginxResult.requestsPerSecond).toFixed(2),
      errors: r.non2xx + r.socketErrors,
    }));
    console.table(rows);
    const metricsText = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    const served = /gateway_requests_total\{route="bench",protocol="http",code="200"\} (\d+)/.exec(metricsText)?.[1];
    process.stdout.write(`gateway_requests_total{route="bench",code="200"} = ${served ?? 'missing'} (metrics were recorded)\n`);
    await stop(gateway.child);

    // Tracing: off, on at the production default ratio, on at 100 %, as ratios to off.
    process.stdout.write(`\ntracing (spans exported over OTLP/HTTP to a local receiver), wrk as above:\n`);
    await runTracingScenarios(
      { start: (command, args, ready, env) => start(command, args, ready, 20_000, env), stop: (child) => stop(child), wrk },
      gatewayArgs,
      [auth],
      SECONDS,
    );

    // Idle WebSockets: a fresh gateway; clients in a child process; RSS read from /proc.
    // Each session holds two sockets in the gateway (client + upstream), so the per-process fd
    // hard limit caps the count (this machine: 20000, and it cannot be raised without privileges).
    const hardLimit = Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim());
    const fdCap = Number.isFinite(hardLimit) ? Math.floor((hardLimit - 150) / 2) : WANTED_WEBSOCKETS;
    const wsCount = Math.min(WANTED_WEBSOCKETS, fdCap);
    const wsGateway = await start(process.execPath, gatewayArgs, /"gateway listening".*"httpPort":(\d+)/);
    const wsPort = Number(wsGateway.match[1]);
    const pid = wsGateway.child.pid as number;
    await new Promise((r) => setTimeout(r, 500));
    const idleRss = await rssMb(pid);
    const clients = await start(process.execPath, [...tsx, 'bench/gateway/ws-idle-client.ts', `ws://127.0.0.1:${wsPort}/ws/idle`, String(wsCount)], /open (\d+) failed (\d+)/, 120_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const wsRss = await rssMb(pid);
    const opened = Number(clients.match[1]);
    const perSessionKb = ((wsRss - idleRss) * 1024) / Math.max(1, opened);
    // Below 10k (fd cap), add the missing sessions at the average cost per session measured.
    const wsTotal = opened >= 10_000 ? wsRss : wsRss + (perSessionKb * (10_000 - opened)) / 1024;
    process.stdout.write(
      `\nidle WebSockets through the gateway: ${opened} open, ${clients.match[2]} failed (each holds a client and an upstream socket in the gateway)\n` +
        `  gateway RSS: ${idleRss.toFixed(1)} MB before, ${wsRss.toFixed(1)} MB with ${opened} idle sessions (${perSessionKb.toFixed(1)} KB/session on average)\n` +
        (opened < 10_000 && wsCount === fdCap ? `  the fd hard limit (${hardLimit}) caps this run at ${wsCount} sessions; 10,000 sessions: ~${wsTotal.toFixed(0)} MB (${10_000 - opened} added at the average cost)\n` : ''),
    );
    await stop(clients.child);
    await stop(wsGateway.child);

    const throughputOk = gatewayResult.requestsPerSecond >= bareResult.requestsPerSecond;
    const p99Ok = gatewayResult.p99Ms <= 1.5 * bareResult.p99Ms;
    const nginxOk = gatewayResult.requestsPerSecond >= 0.3 * nginxResult.requestsPerSecond;
    const wsVerdict =
      opened >= 10_000 || wsCount === fdCap
        ? `${wsTotal < 300 ? 'met' : 'NOT met'} (${wsTotal.toFixed(0)} MB${opened >= 10_000 ? '' : `; ${opened} measured, the rest at the average cost`})`
        : `not assessed (only ${opened} sessions requested)`;
    process.stdout.write(
      `\nDESIGN §7 targets:\n` +
        `  throughput >= bare proxy:    ${throughputOk ? 'met' : 'NOT met'} (${(gatewayResult.requestsPerSecond / bareResult.requestsPerSecond).toFixed(2)}x)\n` +
        `  p99 <= 1.5x bare proxy:      ${p99Ok ? 'met' : 'NOT met'} (${(gatewayResult.p99Ms / bareResult.p99Ms).toFixed(2)}x)\n` +
        `  throughput >= 0.3x nginx:    ${nginxOk ? 'met' : 'NOT met'} (${(gatewayResult.requestsPerSecond / nginxResult.requestsPerSecond).toFixed(2)}x)\n` +
        `  10k idle WebSockets < 300 MB: ${wsVerdict}\n`,
    );
    jwksServer.close();
    if (process.env.BENCH_INGEST !== '0') await ingestScenario({ root, dir, bundle, seconds: SECONDS, connections: CONNECTIONS, start, stop });
  } finally {
    for (const child of children) await stop(child, child.spawnfile === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch(async (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  for (const child of children) await stop(child, 'SIGKILL');
  process.exit(1);
});
