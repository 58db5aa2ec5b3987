// Hot reload the way Kubernetes updates a mounted ConfigMap: a new timestamped directory and an
// atomic swap of the `..data` symlink. A bad file is rejected with a log line; the old table serves.
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayRoute } from '../../gateway/src/route-table.ts';
import { makeTempDir, metricValue, route, startTestGatewayOn, waitFor, type TestGateway } from './fixtures/test-gateway.ts';
import { startHttpEcho } from './fixtures/upstream-servers.ts';

describe('route table hot reload', () => {
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let gw: TestGateway;
  let mountDir: string;
  let version = 0;

  /** Writes `content` as a ConfigMap volume update would. */
  async function publish(content: string): Promise<void> {
    version++;
    const dataDir = path.join(mountDir, `..2026_11_22_00_00_0${version}`);
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, 'gateway-routes.json'), content);
    await symlink(path.basename(dataDir), path.join(mountDir, '..data_tmp'));
    await rename(path.join(mountDir, '..data_tmp'), path.join(mountDir, '..data'));
  }

  const table = (routes: GatewayRoute[]): string => JSON.stringify({ version: 1, routes });

  beforeAll(async () => {
    upstream = await startHttpEcho();
    mountDir = await makeTempDir();
    await publish(table([route({ name: 'one', kind: 'http', upstream: { url: upstream.url } })]));
    await symlink('..data/gateway-routes.json', path.join(mountDir, 'gateway-routes.json'));
    gw = await startTestGatewayOn(path.join(mountDir, 'gateway-routes.json'), mountDir);
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  it('applies a good new table after a symlink swap', async () => {
    expect((await fetch(`${gw.http}/one`)).status).toBe(200);
    expect((await fetch(`${gw.http}/two`)).status).toBe(404);
    await publish(
      table([
        route({ name: 'one', kind: 'http', upstream: { url: upstream.url } }),
        route({ name: 'two', kind: 'http', upstream: { url: upstream.url } }),
      ]),
    );
    await waitFor('route two', async () => (await fetch(`${gw.http}/two`)).status === 200);
    expect(await metricValue(gw.admin, 'gateway_route_table_reloads_total', { result: 'applied' })).toBe(2);
  });

  it('rejects a bad table with a log line naming the field, and keeps serving the old one', async () => {
    const bad = JSON.parse(table([route({ name: 'one', kind: 'http', upstream: { url: upstream.url } })])) as { routes: Array<{ timeouts: Record<string, unknown> }> };
    (bad.routes[0] as { timeouts: Record<string, unknown> }).timeouts.idleMs = 'forever';
    await publish(JSON.stringify(bad));
    await waitFor('rejection', async () => (await metricValue(gw.admin, 'gateway_route_table_reloads_total', { result: 'rejected' })) === 1);
    const line = gw.logs.find((l) => l.includes('route table rejected'));
    expect(line).toBeDefined();
    const entry = JSON.parse(line as string) as { severity: string; error: string };
    expect(entry.severity).toBe('ERROR');
    expect(entry.error).toContain('gateway-routes.json: routes[0].timeouts.idleMs');
    expect((await fetch(`${gw.http}/two`)).status).toBe(200);
    expect((await fetch(`${gw.admin}/readyz`)).status).toBe(200);
  });

  it('rejects a file that is not JSON and keeps serving', async () => {
    await publish('{"version": 1, "routes": [');
    await waitFor('second rejection', async () => (await metricValue(gw.admin, 'gateway_route_table_reloads_total', { result: 'rejected' })) === 2);
    expect(gw.logs.some((l) => l.includes('invalid JSON'))).toBe(true);
    expect((await fetch(`${gw.http}/one`)).status).toBe(200);
  });
});
