// The workload plan's drain, pull-policy and canary rules, and the label prefix flowing from the
// catalog into every platform label — pure functions over the real catalog and small variations.
import { describe, expect, it } from 'vitest';
import { Testing } from 'cdk8s';
import catalog from '../../../environments/index.ts';
import prod from '../../../environments/prod.ts';
import { parseEnvironment, parseEnvironments } from '../../../environments/load.ts';
import { canaryReplicas } from '../../../environments/schema/kubernetes.ts';
import { derivePlan } from '../../../constructs/platform-plan.ts';
import { drainFor, planWorkloads, pullPolicy } from '../../../constructs/k8s/workload-plan.ts';
import { buildChartsApp } from '../../../charts/platform-charts.ts';

describe('drainFor', () => {
  const t = (requestSec: number, idleSec: number, maxStreamSec: number) => ({ requestSec, idleSec, maxStreamSec });
  it('drains REST for its request time, streams for their idle limit (capped), after a 10 s preStop', () => {
    expect(drainFor({ protocol: 'http', timeouts: t(45, 45, 45) })).toEqual({ preStopSec: 10, drainSec: 45, terminationGracePeriodSec: 60 });
    expect(drainFor({ protocol: 'websocket', timeouts: t(10, 300, 7200) }).drainSec).toBe(300);
    expect(drainFor({ protocol: 'sse', timeouts: t(10, 120, 3600) }).drainSec).toBe(120);
    expect(drainFor({ protocol: 'grpc', timeouts: t(120, 60, 900) }).drainSec).toBe(120);
    // A rollout never waits on a two-hour WebSocket: clients reconnect.
    expect(drainFor({ protocol: 'websocket', timeouts: t(10, 3600, 7200) }).drainSec).toBe(300);
    // …nor longer than a stream can live.
    expect(drainFor({ protocol: 'sse', timeouts: t(10, 60, 45) }).drainSec).toBe(45);
  });
});

describe('pullPolicy and canaryReplicas', () => {
  it('pulls pinned references once per node, and only latest always', () => {
    expect(pullPolicy({ name: 'x', tag: '1.2.3' })).toBe('IfNotPresent');
    expect(pullPolicy({ name: 'x', digest: `sha256:${'a'.repeat(64)}` })).toBe('IfNotPresent');
    expect(pullPolicy({ name: 'x', tag: 'latest' })).toBe('Always');
  });

  it('sizes a canary by its weight, never below one replica (two in production)', () => {
    expect(canaryReplicas({ min: 3, max: 30 }, 10, true)).toEqual({ min: 2, max: 3 });
    expect(canaryReplicas({ min: 4, max: 20 }, 50, false)).toEqual({ min: 2, max: 10 });
    expect(canaryReplicas({ min: 2, max: 10 }, 0, false)).toEqual({ min: 1, max: 1 });
    expect(canaryReplicas({ min: 2, max: 10 }, 100, true)).toEqual({ min: 2, max: 10 });
  });

  it('plans a canary only where the environment declares one', () => {
    const [staging, prodEnv] = parseEnvironments(catalog, ['staging', 'prod']);
    if (!staging || !prodEnv) throw new Error('catalog');
    const chat = planWorkloads(staging).workloads.find((w) => w.name === 'chat');
    expect(chat?.canary).toMatchObject({ name: 'chat-canary', weight: 20, replicas: { min: 1, max: 2 }, imagePullPolicy: 'IfNotPresent' });
    expect(chat?.canary?.image).toMatch(/\/chat:0\.10\.0$/);
    expect(planWorkloads(prodEnv).workloads.filter((w) => w.canary)).toEqual([]);
  });
});

describe('the label prefix', () => {
  it('is one catalog value: every platform label and annotation of the charts carries it', () => {
    const custom = structuredClone(prod);
    custom.kubernetes = { ...custom.kubernetes, labelPrefix: 'platform.example.org' };
    const parsed = parseEnvironment('prod', custom);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const app = buildChartsApp(derivePlan(parsed.env), Testing.app().outdir);
    const text = JSON.stringify(app.charts.flatMap((c) => Testing.synth(c)));
    for (const key of ['environment', 'kind', 'track', 'config-checksum']) {
      expect(text, key).toContain(`"platform.example.org/${key}"`);
      expect(text, key).not.toContain(`"platform.acme.example/${key}"`);
    }
  });
});
