// The request-duration histogram takes its buckets from the route table (where the renderer puts
// every route's latency objective), and a reload with other buckets replaces them.
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayRoutes } from '../../gateway/src/route-table.ts';
import { route, startTestGateway, waitFor, type TestGateway } from './fixtures/test-gateway.ts';
import { startHttpEcho } from './fixtures/upstream-servers.ts';

const bucketsOf = async (admin: string, routeName: string): Promise<string[]> =>
  [...(await (await fetch(`${admin}/metrics`)).text()).matchAll(new RegExp(`^gateway_request_duration_seconds_bucket\\{le="([^"]+)",route="${routeName}"`, 'gm'))].map((m) => m[1]!);

describe('gateway_request_duration_seconds buckets from the route table', () => {
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let gw: TestGateway;
  const one = (): ReturnType<typeof route> => route({ name: 'one', kind: 'http', upstream: { url: upstream.url } });

  beforeAll(async () => {
    upstream = await startHttpEcho();
    gw = await startTestGateway([]);
    await writeFile(gw.routesFile, JSON.stringify({ version: 1, metrics: { durationBucketsSeconds: [0.1, 0.33, 2] }, routes: [one()] }));
    await waitFor('the table with buckets', () => gw.logs.some((l) => l.includes('route table applied') && l.includes('"one"')));
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  it('observes with the table buckets: a route threshold of 330 ms is a boundary', async () => {
    expect((await fetch(`${gw.http}/one`)).status).toBe(200);
    expect(await bucketsOf(gw.admin, 'one')).toEqual(['0.1', '0.33', '2', '+Inf']);
  });

  it('replaces the buckets when a reloaded table names others, and keeps counting', async () => {
    await writeFile(gw.routesFile, JSON.stringify({ version: 1, metrics: { durationBucketsSeconds: [0.05, 0.75] }, routes: [one()] }));
    await waitFor('the new buckets', async () => {
      await fetch(`${gw.http}/one`);
      return (await bucketsOf(gw.admin, 'one')).join() === '0.05,0.75,+Inf';
    });
  });

  it('rejects buckets that are not strictly ascending, naming the field', () => {
    expect(() => parseGatewayRoutes({ version: 1, metrics: { durationBucketsSeconds: [0.5, 0.25] }, routes: [] }, 'gateway-routes.json')).toThrow(
      'gateway-routes.json: metrics.durationBucketsSeconds: must be strictly ascending',
    );
  });
});
