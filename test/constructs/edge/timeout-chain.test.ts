import { describe, expect, it } from 'vitest';
import catalog from '../../../environments/index.ts';
import { parseEnvironments } from '../../../environments/load.ts';
import { HOPS, timeoutChain } from '../../../constructs/edge/timeout-chain.ts';
import { planRoutes } from '../../../constructs/edge/route-plan.ts';

describe('timeout chain', () => {
  it('makes every outer hop wait longer than the hop inside, for every route of every environment', () => {
    for (const env of parseEnvironments(catalog)) {
      for (const route of planRoutes(env)) {
        for (let i = 1; i < HOPS.length; i++) {
          const [inner, outer] = [route.timeouts[HOPS[i - 1]!], route.timeouts[HOPS[i]!]];
          expect(outer.totalSec, `${env.name} ${route.name} ${HOPS[i]}`).toBeGreaterThan(inner.totalSec);
          expect(outer.idleSec, `${env.name} ${route.name} ${HOPS[i]}`).toBeGreaterThan(inner.idleSec);
          expect(outer.firstByteSec, `${env.name} ${route.name} ${HOPS[i]}`).toBeGreaterThan(inner.firstByteSec);
        }
        expect(route.timeouts.glb.totalSec).toBeLessThanOrEqual(86_400);
      }
    }
  });

  it('derives the GLB timeout from the stream lifetime for WebSockets (it is a lifetime, not idle)', () => {
    const chain = timeoutChain({ protocol: 'websocket', timeouts: { requestSec: 10, idleSec: 300, maxStreamSec: 7200 } });
    expect(chain.service).toEqual({ totalSec: 7200, idleSec: 300, firstByteSec: 10 });
    expect(chain.proxy.firstByteSec).toBe(15);
    expect(chain.glb.totalSec).toBeGreaterThan(chain.nginx.totalSec);
    expect(chain.nginx.idleSec).toBeGreaterThan(chain.proxy.idleSec);
  });

  it('refuses a chain whose GLB hop would exceed the 86400 s ceiling', () => {
    expect(() => timeoutChain({ protocol: 'sse', timeouts: { requestSec: 10, idleSec: 60, maxStreamSec: 86_390 } })).toThrow(
      /exceeds the GLB ceiling of 86400 s \(86405 s\)/,
    );
  });

  it('orders routes longest prefix first', () => {
    const [prod] = parseEnvironments(catalog, ['prod']);
    const prefixes = planRoutes(prod!).map((r) => r.pathPrefix.length);
    expect([...prefixes].sort((a, b) => b - a)).toEqual(prefixes);
    expect(planRoutes(prod!).find((r) => r.protocol === 'events')).toMatchObject({
      via: 'gateway',
      topic: 'projects/acme-platform-prod/topics/ingest',
    });
  });
});
