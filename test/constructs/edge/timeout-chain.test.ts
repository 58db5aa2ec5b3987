import { describe, expect, it } from 'vitest';
import catalog from '../../../environments/index.ts';
import { parseEnvironments } from '../../../environments/load.ts';
import { chainViolations, HOPS, timeoutChain, type TimeoutChain } from '../../../constructs/edge/timeout-chain.ts';
import { planRoutes } from '../../../constructs/edge/route-plan.ts';

describe('timeout chain', () => {
  it('makes every outer hop wait longer than the hop inside, for every route of every environment', () => {
    for (const env of parseEnvironments(catalog)) {
      for (const route of planRoutes(env)) {
        expect(chainViolations(route.timeouts), `${env.name} ${route.name}`).toEqual([]);
        const totals = HOPS.map((h) => route.timeouts[h].totalSec);
        expect([...totals].sort((a, b) => a - b)).toEqual(totals);
        expect(route.timeouts.glb.totalSec).toBeLessThanOrEqual(86_400);
      }
    }
  });

  it('derives the GLB timeout from the stream lifetime for WebSockets (it is a lifetime, not idle)', () => {
    const chain = timeoutChain({ protocol: 'websocket', timeouts: { requestSec: 10, idleSec: 300, maxStreamSec: 7200 } });
    expect(chain.service).toEqual({ totalSec: 7200, idleSec: 300 });
    expect(chain.glb.totalSec).toBeGreaterThan(chain.nginx.totalSec);
    expect(chain.nginx.idleSec).toBeGreaterThan(chain.proxy.idleSec);
  });

  it('reports a hand-broken chain', () => {
    const ok = timeoutChain({ protocol: 'http', timeouts: { requestSec: 30, idleSec: 30, maxStreamSec: 30 } });
    const broken: TimeoutChain = { ...ok, nginx: { totalSec: 20, idleSec: 60 } };
    expect(chainViolations(broken)).toEqual(['nginx.totalSec (20) < proxy.totalSec (35)', 'glb.idleSec (45) < nginx.idleSec (60)']);
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
