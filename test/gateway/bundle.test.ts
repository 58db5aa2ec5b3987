// The image's artifact: the esbuild bundle runs with `node gateway.cjs` from a directory with no
// node_modules anywhere above it, proxies a request and drains on SIGTERM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, route, waitFor } from './fixtures/test-gateway.ts';
import { startHttpEcho, type EchoSeen } from './fixtures/upstream-servers.ts';

describe('single-file bundle', () => {
  let dir: string;
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    const build = spawnSync(process.execPath, ['--import', 'tsx', 'gateway/build.ts'], { cwd: process.cwd(), encoding: 'utf8', timeout: 60_000 });
    expect(build.status, build.stderr).toBe(0);
    dir = await makeTempDir();
    await copyFile(path.join('gateway', 'dist', 'gateway.cjs'), path.join(dir, 'gateway.cjs'));
    upstream = await startHttpEcho();
    await writeFile(path.join(dir, 'gateway-routes.json'), JSON.stringify({ version: 1, routes: [route({ name: 'api', kind: 'http', upstream: { url: upstream.url } })] }));
  });

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    await upstream?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('starts without node_modules, proxies, and exits 0 on SIGTERM', async () => {
    child = spawn(process.execPath, ['gateway.cjs', '--routes', 'gateway-routes.json', '--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--admin-port', '0', '--drain-delay-ms', '0'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
    await waitFor('bundle listening', () => output.includes('"gateway listening"'), 15_000);
    const { httpPort, adminPort } = JSON.parse(output.split('\n').find((l) => l.includes('"gateway listening"')) as string) as { httpPort: number; adminPort: number };
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/hello`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as EchoSeen).url).toBe('/api/hello');
    expect((await fetch(`http://127.0.0.1:${adminPort}/metrics`)).headers.get('content-type')).toContain('text/plain');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/Cannot find module/);
  });
});
