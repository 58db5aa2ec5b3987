/**
 * MESH001–003 against the real synthesized prod output (the CLI's own synth) and minimal
 * mutations of it: each failing fixture breaks its rule and no other rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type EnvironmentArtifacts } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { mutateObject, readSynthesized, removeOutput, synthesize, type Json } from './synthesized.ts';

const explain = (a: EnvironmentArtifacts, ids?: readonly string[]): string[] =>
  evaluate(ids ? RULES.filter((r) => ids.includes(r.id)) : RULES, [a]).map((f) => `${f.ruleId} ${f.target.address}: ${f.message}`);

/** A copy with one object (kind, namespace, name) changed, or removed when `change` returns null. */
function mutate(a: EnvironmentArtifacts, kind: string, namespace: string, name: string, change: (o: Json) => void | null): EnvironmentArtifacts {
  const copy = structuredClone(a);
  const objects = copy.kubernetes as unknown as Json[];
  const i = objects.findIndex((k) => k.object.kind === kind && k.object.metadata.namespace === namespace && k.object.metadata.name === name);
  if (i < 0) throw new Error(`${kind}/${namespace}/${name} missing`);
  if (change((objects[i] as Json).object) === null) objects.splice(i, 1);
  return copy;
}

interface Case {
  readonly label: string;
  readonly fail: (good: EnvironmentArtifacts) => EnvironmentArtifacts;
  readonly finding: RegExp;
}

const CASES: readonly Case[] = [
  {
    label: 'MESH001: no mesh-wide PeerAuthentication',
    fail: (a) => mutate(a, 'PeerAuthentication', 'istio-system', 'default', () => null),
    finding: /^MESH001 PeerAuthentication\/istio-system\/default: no mesh-wide PeerAuthentication in istio-system/,
  },
  {
    label: 'MESH001: a PERMISSIVE mesh',
    fail: (a) => mutate(a, 'PeerAuthentication', 'istio-system', 'default', (o) => void (o.spec.mtls.mode = 'PERMISSIVE')),
    finding: /^MESH001 PeerAuthentication\/istio-system\/default: the mesh-wide mode is PERMISSIVE/,
  },
  {
    label: 'MESH001: a workload exception on every port',
    fail: (a) => mutate(a, 'PeerAuthentication', 'edge', 'nginx', (o) => void (o.spec.mtls.mode = 'PERMISSIVE')),
    finding: /^MESH001 PeerAuthentication\/edge\/nginx: weakens mTLS to PERMISSIVE for every port/,
  },
  {
    label: 'MESH001: a plaintext port in-mesh pods may reach',
    fail: (a) =>
      mutate(a, 'NetworkPolicy', 'edge', 'nginx', (o) =>
        void o.spec.ingress[0].from.push({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'commerce' } } }),
      ),
    finding: /^MESH001 PeerAuthentication\/edge\/nginx: NetworkPolicy nginx admits pods or namespaces on plaintext port 8080 of Deployment\/edge\/nginx/,
  },
  {
    label: 'MESH001: a port exception without a selector',
    fail: (a) => mutate(a, 'PeerAuthentication', 'edge', 'nginx', (o) => void delete o.spec.selector),
    finding: /^MESH001 PeerAuthentication\/edge\/nginx: port-level 8080, 8443 without a workload selector/,
  },
  {
    label: 'MESH002: a service no AuthorizationPolicy selects',
    fail: (a) => mutate(a, 'AuthorizationPolicy', 'commerce', 'inventory', () => null),
    finding: /^MESH002 Service\/commerce\/inventory: no ALLOW AuthorizationPolicy selects the pods of Deployment\/commerce\/inventory/,
  },
  {
    label: 'MESH002: a policy that selects other pods',
    fail: (a) => mutate(a, 'AuthorizationPolicy', 'realtime', 'market-feed', (o) => void (o.spec.selector.matchLabels['app.kubernetes.io/name'] = 'market-fed')),
    finding: /^MESH002 Service\/realtime\/market-feed: no ALLOW AuthorizationPolicy selects the pods of Deployment\/realtime\/market-feed/,
  },
  {
    label: 'MESH003: rules: [{}]',
    fail: (a) => mutate(a, 'AuthorizationPolicy', 'commerce', 'inventory', (o) => void (o.spec.rules = [{}])),
    finding: /^MESH003 AuthorizationPolicy\/commerce\/inventory: rule 0 has no from: it admits every source/,
  },
  {
    label: 'MESH003: a wildcard principal',
    fail: (a) => mutate(a, 'AuthorizationPolicy', 'commerce', 'inventory', (o) => void (o.spec.rules[0].from[0].source.principals = ['*'])),
    finding: /^MESH003 AuthorizationPolicy\/commerce\/inventory: rule 0 from\[0\] admits principals \*: it admits every source/,
  },
  {
    label: 'MESH003: a source that names nobody',
    fail: (a) => mutate(a, 'AuthorizationPolicy', 'realtime', 'chat', (o) => void (o.spec.rules[0].from[0].source = {})),
    finding: /^MESH003 AuthorizationPolicy\/realtime\/chat: rule 0 from\[0\] names no principal, namespace or address/,
  },
];

describe('mesh policy rules over synthesized prod', () => {
  let out: string | undefined;
  let good: EnvironmentArtifacts;

  beforeAll(async () => {
    out = await synthesize(['prod']);
    good = await readSynthesized(out, 'prod');
  }, 180_000);
  afterAll(() => removeOutput(out));

  it('finds nothing in prod as synthesized, and judges what is there (policies, peer authentications, services)', () => {
    expect(explain(good, ['MESH001', 'MESH002', 'MESH003'])).toEqual([]);
    const kinds = good.kubernetes.map((k) => k.object.kind);
    expect(kinds.filter((k) => k === 'AuthorizationPolicy').length).toBe(9);
    expect(kinds.filter((k) => k === 'PeerAuthentication').length).toBe(2);
  });

  for (const c of CASES) {
    it(`${c.label}: fails, and breaks only its rule`, () => {
      const before = new Set(explain(good));
      const added = explain(c.fail(good)).filter((f) => !before.has(f));
      expect(added).toContainEqual(expect.stringMatching(c.finding));
      const id = c.label.slice(0, 7);
      expect(added.filter((f) => !f.startsWith(`${id} `)), 'the mutation breaks only this rule').toEqual([]);
    });
  }

  it('MESH003 accepts a policy without rules (it admits nothing) and DENY policies', () => {
    const denyAll = mutate(good, 'AuthorizationPolicy', 'commerce', 'inventory', (o) => void delete o.spec.rules);
    expect(explain(denyAll, ['MESH003'])).toEqual([]);
    const deny = mutate(good, 'AuthorizationPolicy', 'commerce', 'inventory', (o) => {
      o.spec.action = 'DENY';
      o.spec.rules = [{}];
    });
    expect(explain(deny, ['MESH003'])).toEqual([]);
    // …but a DENY policy is no authorization: the service is then open (MESH002).
    expect(explain(deny, ['MESH002'])).toEqual([expect.stringMatching(/^MESH002 Service\/commerce\/inventory:/)]);
  });

  it('MESH002 accepts a namespace-wide ALLOW policy, and ignores Services outside the mesh', () => {
    const wide = mutate(good, 'AuthorizationPolicy', 'commerce', 'inventory', (o) => void delete o.spec.selector);
    expect(explain(wide, ['MESH002'])).toEqual([]);
    // The metrics adapter's namespace is outside the mesh (the API server calls it): no policy needed…
    expect(explain(good, ['MESH002']).filter((f) => f.includes('custom-metrics'))).toEqual([]);
    // …until its namespace is injected.
    const injected = mutateObject(good, 'Namespace', 'custom-metrics', (o) => void (o.metadata.labels['istio-injection'] = 'enabled'));
    expect(explain(injected, ['MESH002'])).toEqual([expect.stringMatching(/^MESH002 Service\/custom-metrics\/custom-metrics-stackdriver-adapter:/)]);
  });
});
