// Every environment's dist/<env>/ as synthEnvironment writes it, read back from the YAML files:
// each object is valid against its third-party schema (an unknown kind fails), and the cluster
// is isolated and disruption-safe as the catalog says — judged against the catalog itself, not
// against the plan the charts were rendered from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import catalog from '../../environments/index.ts';
import { parseEnvironments } from '../../environments/load.ts';
import type { Environment } from '../../environments/schema.ts';
import { derivePlan } from '../../constructs/platform-plan.ts';
import { synthEnvironment } from '../../charts/platform-charts.ts';
import { validatorFor } from './manifest-validators.ts';

type Json = Record<string, any>; // manifests read back from YAML are untyped; the tests read into them on purpose
type Labels = Record<string, string>;

const ENVS = parseEnvironments(catalog);
const GPU_TAINT_KEY = 'nvidia.com/gpu';
const GLB_RANGES = ['130.211.0.0/22', '35.191.0.0/16'];

const selects = (selector: Labels | undefined, labels: Labels): boolean => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
const podLabels = (o: Json): Labels => o.spec.template.metadata.labels ?? {};
const podSpec = (o: Json): Json => o.spec.template.spec;
const containers = (o: Json): Json[] => [...(podSpec(o).initContainers ?? []), ...podSpec(o).containers];

describe.each(ENVS.map((env) => [env.name, env] as const))('dist/%s', (name, env: Environment) => {
  let out: string;
  let objects: Json[];
  const of = (kind: string): Json[] => objects.filter((o) => o.kind === kind);
  const one = (kind: string, namespace: string, objectName: string): Json => {
    const found = objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === objectName);
    if (!found) throw new Error(`${kind}/${namespace}/${objectName} not in dist/${name}`);
    return found;
  };
  const principal = (namespace: string, sa: string): string => `${env.mesh.trustDomain}/ns/${namespace}/sa/${sa}`;
  const nsOf = (service: string): string => env.services.find((s) => s.name === service)?.namespace ?? '?';

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), `dist-${name}-`));
    await synthEnvironment(derivePlan(env), out);
    objects = [];
    for (const file of (await readdir(out)).filter((f) => f.endsWith('.yaml')).sort()) {
      for (const doc of parseAllDocuments(await readFile(join(out, file), 'utf8'))) {
        const value = doc.toJS() as Json | null;
        if (value) objects.push(value);
      }
    }
  }, 60_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('holds only objects valid against kubernetes-models, @kubernetes-models/istio and @kubernetes-models/gke (an unknown kind fails)', () => {
    expect(objects.length).toBeGreaterThan(100);
    for (const o of objects) {
      const validate = validatorFor(o as { apiVersion: string; kind: string });
      expect(validate, `no validator for ${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(() => validate?.(o), `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).not.toThrow();
    }
    expect(validatorFor({ apiVersion: 'example.com/v1', kind: 'Unknown' })).toBeUndefined();
  });

  it("gives each service one AuthorizationPolicy whose principals are exactly its callers and the edge proxy that fronts it", () => {
    for (const svc of env.services) {
      const policy = one('AuthorizationPolicy', svc.namespace, svc.name);
      expect(policy.spec.action).toBe('ALLOW');
      const rules: Json[] = policy.spec.rules ?? [];
      const principals = rules.flatMap((r) => r.from.flatMap((f: Json) => f.source.principals ?? []));
      const fronting = svc.route ? [principal('edge', svc.route.via === 'kong' ? 'kong' : 'edge-gateway')] : [];
      const callers = svc.callers.map((c) => principal(nsOf(c), c));
      expect(principals.sort(), svc.name).toEqual([...fronting, ...callers].sort());
      // Every rule is on the serving port only, and none admits every source.
      for (const r of rules) {
        expect(r.to).toEqual([{ operation: { ports: [String(svc.port)] } }]);
        for (const f of r.from) expect(Object.keys(f.source).length).toBeGreaterThan(0);
      }
      // Kong cannot check a JWKS: behind it, a JWT route admits Kong only with a token from the route's issuer.
      if (svc.route?.via === 'kong' && svc.auth?.type === 'jwt') {
        const kongRule = rules.find((r) => r.from[0].source.principals?.includes(principal('edge', 'kong')));
        expect(kongRule?.from[0].source.requestPrincipals).toEqual([`${svc.auth.issuer}/*`]);
        expect(one('RequestAuthentication', svc.namespace, svc.name).spec.jwtRules[0].jwksUri).toBe(svc.auth.jwksUri);
      }
    }
    // A service nobody calls admits nothing.
    expect(one('AuthorizationPolicy', 'events', 'event-enricher').spec.rules).toBeUndefined();
    expect(of('AuthorizationPolicy').filter((p) => p.metadata.namespace !== 'edge')).toHaveLength(env.services.length);
  });

  it('runs mTLS STRICT mesh-wide, with plaintext only on nginx\'s two GLB ports', () => {
    expect(of('PeerAuthentication').map((p) => [p.metadata.namespace, p.metadata.name, p.spec])).toEqual([
      ['istio-system', 'default', { mtls: { mode: 'STRICT' } }],
      ['edge', 'nginx', { selector: { matchLabels: { 'app.kubernetes.io/name': 'nginx' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' }, '8443': { mode: 'PERMISSIVE' } } }],
    ]);
    // Istio's namespace comes from its Helm release, not from here.
    expect(of('Namespace').map((n) => n.metadata.name)).not.toContain('istio-system');
  });

  it('tolerates the GPU taint only in GPU workloads, which request GPUs', () => {
    const gpuServices = new Set(env.services.filter((s) => s.gpu).flatMap((s) => [s.name, `${s.name}-canary`]));
    for (const d of of('Deployment')) {
      const tolerates = (podSpec(d).tolerations ?? []).some((t: Json) => t.key === GPU_TAINT_KEY || (t.key === undefined && t.operator === 'Exists'));
      const requests = podSpec(d).containers.some((c: Json) => Number(c.resources?.limits?.[GPU_TAINT_KEY] ?? 0) > 0);
      expect(tolerates, d.metadata.name).toBe(gpuServices.has(d.metadata.name));
      expect(requests, d.metadata.name).toBe(tolerates);
    }
  });

  it('selects every pod with an ingress NetworkPolicy, behind a default deny in every namespace', () => {
    const policies = of('NetworkPolicy').filter((p) => (p.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
    const podNamespaces = new Set(of('Deployment').map((d) => d.metadata.namespace));
    for (const ns of podNamespaces) {
      expect(one('NetworkPolicy', ns, 'default-deny-ingress').spec, ns).toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
    }
    for (const d of of('Deployment')) {
      const selecting = policies.filter((p) => p.metadata.namespace === d.metadata.namespace && selects(p.spec.podSelector.matchLabels, podLabels(d)));
      expect(selecting.length, `${d.metadata.namespace}/${d.metadata.name}`).toBeGreaterThan(0);
    }
  });

  it('allows exactly the paths the catalog implies', () => {
    const peers = (np: Json): string[] =>
      np.spec.ingress.flatMap((rule: Json) =>
        rule.from.map((f: Json) =>
          f.ipBlock ? f.ipBlock.cidr : `${f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']}/${f.podSelector?.matchLabels['app.kubernetes.io/name'] ?? '*'}`,
        ),
      );
    for (const svc of env.services) {
      const expected = [...(svc.route ? [`edge/${svc.route.via === 'kong' ? 'kong' : 'edge-gateway'}`] : []), ...svc.callers.map((c) => `${nsOf(c)}/${c}`)];
      const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === svc.namespace && o.metadata.name === svc.name);
      if (expected.length === 0) expect(np, svc.name).toBeUndefined();
      else expect(peers(np as Json).sort(), svc.name).toEqual(expected.sort());
    }
    expect(peers(one('NetworkPolicy', 'edge', 'nginx'))).toEqual(GLB_RANGES);
    expect(one('NetworkPolicy', 'edge', 'nginx').spec.ingress[0].ports.map((p: Json) => p.port)).toEqual([8080, 8443]);
    expect(peers(one('NetworkPolicy', 'edge', 'kong'))).toEqual(['edge/nginx', 'gmp-system/*']);
    expect(one('NetworkPolicy', 'edge', 'kong').spec.ingress[1].ports.map((p: Json) => p.port)).toEqual([8100]);
    // Alertmanager: GMP's rule-evaluator on its web port; its own replicas on the gossip port.
    const am = one('NetworkPolicy', 'monitoring', 'alertmanager');
    expect(am.spec.ingress.map((i: Json) => [peers({ spec: { ingress: [i] } } as Json), i.ports.map((p: Json) => p.port)])).toEqual([
      [['gmp-system/*'], [9093]],
      [['monitoring/alertmanager'], [9094]],
    ]);
    // Istio's metrics at the sidecars of mesh-measured services: GMP only, on 15090.
    for (const ns of new Set(env.services.filter((s) => !s.route && s.kind !== 'event-consumer').map((s) => s.namespace))) {
      const sidecars = one('NetworkPolicy', ns, 'istio-sidecar-metrics');
      expect(sidecars.spec.podSelector).toEqual({});
      expect(sidecars.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gmp-system' } } }], ports: [{ port: 15090, protocol: 'TCP' }] }]);
    }
    expect(peers(one('NetworkPolicy', 'edge', 'edge-gateway'))).toEqual(['edge/nginx', 'gmp-system/*']);
    // The collector: spans on its two OTLP ports, from the edge (gateway, Kong) and the namespaces whose sidecars send them; nothing else.
    const collector = one('NetworkPolicy', 'telemetry', 'otel-collector');
    const senders = [...new Set(['edge', ...env.services.map((s) => s.namespace)])].sort().map((ns) => `${ns}/*`);
    expect(collector.spec.ingress.map((i: Json) => [peers({ spec: { ingress: [i] } } as Json).sort(), i.ports.map((p: Json) => p.port)])).toEqual([[senders, [4317, 4318]]]);
    const adapter = one('NetworkPolicy', 'custom-metrics', 'custom-metrics-stackdriver-adapter');
    expect(adapter.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: env.network.controlPlaneCidr } }], ports: [{ port: 6443, protocol: 'TCP' }] }]);
  });

  it('gives every Deployment a PDB that allows at least one eviction at its HPA minimum', () => {
    for (const d of of('Deployment')) {
      const ns = d.metadata.namespace;
      const pdbs = of('PodDisruptionBudget').filter((p) => p.metadata.namespace === ns && selects(p.spec.selector.matchLabels, podLabels(d)));
      expect(pdbs.length, `${ns}/${d.metadata.name}`).toBe(1);
      const hpa = of('HorizontalPodAutoscaler').find((h) => h.metadata.namespace === ns && h.spec.scaleTargetRef.name === d.metadata.name);
      const lowest = hpa ? hpa.spec.minReplicas : (d.spec.replicas ?? 1);
      const pdb = pdbs[0] as Json;
      const allowed = pdb.spec.maxUnavailable !== undefined ? Math.min(pdb.spec.maxUnavailable, lowest) : lowest - pdb.spec.minAvailable;
      expect(allowed, `${ns}/${d.metadata.name}`).toBeGreaterThanOrEqual(1);
    }
  });

  it(`keeps ${name === 'prod' ? 'every production HPA at two replicas or more' : 'HPAs at their catalog minimum'}`, () => {
    for (const h of of('HorizontalPodAutoscaler')) {
      if (env.tier === 'production') expect(h.spec.minReplicas, h.metadata.name).toBeGreaterThanOrEqual(2);
      const svc = env.services.find((s) => s.name === h.metadata.name);
      if (svc) expect(h.spec.minReplicas).toBe(svc.autoscaling.minReplicas);
    }
  });

  it('drops every capability and confines every container with the RuntimeDefault seccomp profile, pulling pinned images once', () => {
    for (const d of of('Deployment')) {
      for (const c of containers(d)) {
        expect(c.securityContext.capabilities.drop, `${d.metadata.name}#${c.name}`).toEqual(['ALL']);
        expect(c.securityContext.capabilities.add ?? []).toEqual([]);
        expect(c.securityContext.seccompProfile ?? podSpec(d).securityContext?.seccompProfile, `${d.metadata.name}#${c.name}`).toEqual({ type: 'RuntimeDefault' });
        expect(c.imagePullPolicy, `${d.metadata.name}#${c.name}`).toBe('IfNotPresent');
      }
    }
  });

  it('spreads every Deployment over zones (a hard rule only with several zones) and nodes', () => {
    const zonal = env.gke.locationType === 'zonal' || env.gcp.zones.length === 1;
    for (const d of of('Deployment')) {
      const spread = podSpec(d).topologySpreadConstraints as Json[];
      expect(spread.map((c) => [c.topologyKey, c.whenUnsatisfiable]), d.metadata.name).toEqual([
        ['topology.kubernetes.io/zone', zonal ? 'ScheduleAnyway' : 'DoNotSchedule'],
        ['kubernetes.io/hostname', 'ScheduleAnyway'],
      ]);
      for (const c of spread) expect(selects(c.labelSelector.matchLabels, podLabels(d))).toBe(true);
    }
  });

  it('lets streams drain longer than REST, inside the grace period, after endpoints leave', () => {
    const grace = (service: string): number => {
      const svc = env.services.find((s) => s.name === service);
      const d = one('Deployment', svc?.namespace ?? '?', service);
      const c = podSpec(d).containers[0];
      expect(c.lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
      return podSpec(d).terminationGracePeriodSeconds - c.lifecycle.preStop.sleep.seconds;
    };
    const orders = env.services.find((s) => s.name === 'orders-api');
    expect(grace('orders-api')).toBeGreaterThan(orders?.timeouts.requestSec ?? Infinity);
    expect(grace('chat')).toBeGreaterThan(grace('orders-api'));
    expect(grace('market-feed')).toBeGreaterThan(grace('orders-api'));
  });

  it('sizes each namespace\'s quota for its workloads at full scale, with GPUs only where GPU workloads run', () => {
    for (const ns of new Set(env.services.map((s) => s.namespace))) {
      const hard = one('ResourceQuota', ns, 'workloads').spec.hard;
      const services = env.services.filter((s) => s.namespace === ns);
      expect(hard['requests.nvidia.com/gpu'] > 0, ns).toBe(services.some((s) => s.gpu));
      expect(hard.pods, ns).toBeGreaterThanOrEqual(services.reduce((n, s) => n + s.autoscaling.maxReplicas, 0));
      expect(one('LimitRange', ns, 'container-defaults').spec.limits[0].defaultRequest).toEqual({ cpu: '250m', memory: '256Mi' });
    }
  });
});

describe('canary releases (staging declares one for chat)', () => {
  let out: string;
  let objects: Json[];
  const one = (kind: string, objectName: string): Json => {
    const found = objects.find((o) => o.kind === kind && o.metadata.namespace === 'realtime' && o.metadata.name === objectName);
    if (!found) throw new Error(`${kind}/realtime/${objectName} missing`);
    return found;
  };

  beforeAll(async () => {
    const [staging] = parseEnvironments(catalog, ['staging']);
    if (!staging) throw new Error('no staging');
    out = await mkdtemp(join(tmpdir(), 'dist-canary-'));
    await synthEnvironment(derivePlan(staging), out);
    objects = [];
    for (const file of ['0001-workloads.yaml', '0005-mesh.yaml']) {
      for (const doc of parseAllDocuments(await readFile(join(out, file), 'utf8'))) objects.push(doc.toJS() as Json);
    }
  }, 60_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('runs a second Deployment of the canary image, autoscaled and budgeted like the stable one, behind the same Service and identity', () => {
    const canary = one('Deployment', 'chat-canary');
    const stable = one('Deployment', 'chat');
    expect(podSpec(canary).containers[0].image).toMatch(/\/chat:0\.10\.0$/);
    expect(podSpec(stable).containers[0].image).toMatch(/\/chat:0\.9\.4$/);
    expect(podSpec(canary).serviceAccountName).toBe('chat');
    expect(podLabels(canary)['platform.acme.example/track']).toBe('canary');
    expect(podLabels(stable)['platform.acme.example/track']).toBe('stable');
    expect(one('HorizontalPodAutoscaler', 'chat-canary').spec).toMatchObject({ minReplicas: 1, maxReplicas: 2, scaleTargetRef: { name: 'chat-canary' } });
    expect(one('PodDisruptionBudget', 'chat-canary').spec.maxUnavailable).toBe(1);
    const service = one('Service', 'chat');
    expect(selects(service.spec.selector, podLabels(canary)) && selects(service.spec.selector, podLabels(stable))).toBe(true);
  });

  it('splits in-mesh requests 80/20 between the stable and canary subsets', () => {
    const host = 'chat.realtime.svc.cluster.local';
    expect(one('DestinationRule', 'chat').spec.subsets).toEqual([
      { name: 'stable', labels: { 'platform.acme.example/track': 'stable' } },
      { name: 'canary', labels: { 'platform.acme.example/track': 'canary' } },
    ]);
    expect(one('VirtualService', 'chat').spec).toEqual({
      hosts: [host],
      http: [
        {
          name: 'canary-split',
          route: [
            { destination: { host, subset: 'stable', port: { number: 8080 } }, weight: 80 },
            { destination: { host, subset: 'canary', port: { number: 8080 } }, weight: 20 },
          ],
        },
      ],
    });
    // WebSocket upgrades must not ride an HTTP/2-upgraded connection between sidecars.
    expect(one('DestinationRule', 'chat').spec.trafficPolicy.connectionPool.http).toEqual({ h2UpgradePolicy: 'DO_NOT_UPGRADE' });
  });
});
