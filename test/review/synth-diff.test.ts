import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { diffTrees } from '../../review/synth-diff/synth-diff.ts';
import type { DiffEntry, SynthDiff } from '../../review/synth-diff/diff-model.ts';
import type { SynthTree } from '../../review/synth-diff/synth-tree.ts';
import { MASK } from '../../review/synth-diff/secret-mask.ts';
import { renderMarkdown } from '../../review/synth-diff/render-markdown.ts';
import { renderText } from '../../review/synth-diff/render-text.ts';

/** `{ dev: { 'stacks/platform-dev/cdk.tf.json': {...}, 'dist/0001.yaml': [objects] } }` → a SynthTree. */
function tree(envs: Record<string, Record<string, unknown>>): SynthTree {
  const environments = new Map(
    Object.entries(envs).map(([env, files]) => [
      env,
      {
        files: new Map(
          Object.entries(files).map(([path, content]) => [
            path,
            typeof content === 'string'
              ? content
              : path.endsWith('.json')
                ? JSON.stringify(content, null, 2)
                : (content as unknown[]).map((doc) => stringify(doc)).join('---\n'),
          ]),
        ),
      },
    ]),
  );
  return { environments };
}

const TF = 'stacks/platform-dev/cdk.tf.json';

const pool = (machineType: string, maxNodes = 3): Record<string, unknown> => ({
  '//': { metadata: { path: 'platform-dev/gke/pool-general/pool' } },
  name: 'general',
  location: '${google_container_cluster.gke_cluster.location}',
  autoscaling: { total_min_node_count: 1, total_max_node_count: maxNodes },
  node_config: { machine_type: machineType, disk_size_gb: 100, spot: false, oauth_scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
});

const tf = (resources: Record<string, Record<string, unknown>>, terraform: Record<string, unknown> = {}): Record<string, unknown> => ({
  '//': { metadata: { stackName: 'platform-dev' } },
  terraform: { required_providers: { google: { source: 'google', version: '6.50.0' } }, ...terraform },
  resource: resources,
});

const entries = (diff: SynthDiff, env = 'dev'): DiffEntry[] =>
  diff.environments.find((e) => e.env === env)?.artifacts.flatMap((a) => a.entries) ?? [];

const entry = (diff: SynthDiff, key: string): DiffEntry => {
  const found = entries(diff).find((e) => e.key === key);
  if (!found) throw new Error(`no entry ${key} in ${entries(diff).map((e) => e.key).join(', ')}`);
  return found;
};

describe('synth diff: Terraform', () => {
  it('ranks a node pool machine type change as a replacement, with the attribute and the reason', () => {
    const base = tree({ dev: { [TF]: tf({ google_container_node_pool: { general: pool('e2-standard-4') } }) } });
    const head = tree({ dev: { [TF]: tf({ google_container_node_pool: { general: pool('e2-standard-8') } }) } });
    const diff = diffTrees(base, head);
    const e = entry(diff, 'google_container_node_pool.general');
    expect(e).toMatchObject({ change: 'update', risk: 'replace' });
    expect(e.attributes).toEqual([{ path: 'node_config.machine_type', before: 'e2-standard-4', after: 'e2-standard-8' }]);
    expect(e.reason).toMatch(/^node_config\.machine_type: GKE recreates every node of the pool/);
    expect(diff.environments[0]?.summary).toEqual({ adds: 0, updates: 0, replacements: 1, destroys: 0 });
  });

  it('keeps an autoscaling change a normal update and ignores cdktf metadata', () => {
    const moved = { ...pool('e2-standard-4', 6), '//': { metadata: { path: 'platform-dev/elsewhere' } } };
    const diff = diffTrees(
      tree({ dev: { [TF]: tf({ google_container_node_pool: { general: pool('e2-standard-4') } }) } }),
      tree({ dev: { [TF]: tf({ google_container_node_pool: { general: moved } }) } }),
    );
    expect(entries(diff)).toEqual([
      {
        key: 'google_container_node_pool.general',
        change: 'update',
        risk: 'normal',
        attributes: [{ path: 'autoscaling.total_max_node_count', before: 3, after: 6 }],
      },
    ]);
  });

  it('flags ForceNew attributes of clusters, subnetworks, topics and IAM members', () => {
    const base = tree({
      dev: {
        [TF]: tf({
          google_container_cluster: { c: { name: 'platform-dev', network: 'vpc-a', private_cluster_config: { master_ipv4_cidr_block: '172.16.0.0/28' } } },
          google_compute_subnetwork: { s: { name: 'nodes', secondary_ip_range: [{ range_name: 'pods', ip_cidr_range: '10.12.0.0/16' }] } },
          google_pubsub_subscription: { sub: { name: 'orders', topic: 'orders', ack_deadline_seconds: 10 } },
          google_project_iam_member: { m: { role: 'roles/logging.logWriter', member: 'serviceAccount:a' } },
        }),
      },
    });
    const head = tree({
      dev: {
        [TF]: tf({
          google_container_cluster: { c: { name: 'platform-dev', network: 'vpc-a', private_cluster_config: { master_ipv4_cidr_block: '172.16.1.0/28' } } },
          google_compute_subnetwork: { s: { name: 'nodes', secondary_ip_range: [{ range_name: 'pods', ip_cidr_range: '10.14.0.0/16' }] } },
          google_pubsub_subscription: { sub: { name: 'orders', topic: 'orders', ack_deadline_seconds: 30 } },
          google_project_iam_member: { m: { role: 'roles/logging.admin', member: 'serviceAccount:a' } },
        }),
      },
    });
    const diff = diffTrees(base, head);
    expect(entry(diff, 'google_container_cluster.c')).toMatchObject({
      risk: 'replace',
      reason: 'private_cluster_config.master_ipv4_cidr_block: forces a new resource (destroyed and recreated)',
    });
    expect(entry(diff, 'google_compute_subnetwork.s').risk).toBe('replace');
    expect(entry(diff, 'google_compute_subnetwork.s').attributes[0]?.path).toBe('secondary_ip_range[0].ip_cidr_range');
    expect(entry(diff, 'google_pubsub_subscription.sub').risk).toBe('normal');
    expect(entry(diff, 'google_project_iam_member.m')).toMatchObject({ risk: 'replace', reason: 'role: forces a new resource (destroyed and recreated)' });
  });

  it('reports a removed resource as a destroy and a changed construct id as destroy + create', () => {
    const base = tree({
      dev: {
        [TF]: tf({
          google_pubsub_topic: { topic_orders_1A: { name: 'orders' }, topic_audit_2B: { name: 'audit' } },
        }),
      },
    });
    const head = tree({ dev: { [TF]: tf({ google_pubsub_topic: { topic_orders_9Z: { name: 'orders' } } }) } });
    const diff = diffTrees(base, head);
    expect(entry(diff, 'google_pubsub_topic.topic_audit_2B')).toMatchObject({
      change: 'remove',
      risk: 'destroy',
      reason: 'removed from the configuration — Terraform will destroy it',
    });
    const old = entry(diff, 'google_pubsub_topic.topic_orders_1A');
    expect(old).toMatchObject({ change: 'remove', risk: 'destroy' });
    expect(old.reason).toContain('address changed (now google_pubsub_topic.topic_orders_9Z) — will be destroyed and recreated');
    expect(entry(diff, 'google_pubsub_topic.topic_orders_9Z')).toMatchObject({
      change: 'add',
      reason: 'address changed (was google_pubsub_topic.topic_orders_1A) — will be destroyed and recreated',
    });
  });

  it('shows an empty block appearing, and a list element known only by its name, as changes', () => {
    const diff = diffTrees(
      tree({ dev: { [TF]: tf({ google_compute_router: { r: { name: 'r', bgp: [{ name: 'a' }] } } }) } }),
      tree({ dev: { [TF]: tf({ google_compute_router: { r: { name: 'r', bgp: [{ name: 'a' }, { name: 'b' }], timeouts: {} } } }) } }),
    );
    expect(entry(diff, 'google_compute_router.r').attributes).toEqual([
      { path: 'bgp[name=b]', after: { name: 'b' } },
      { path: 'timeouts', after: {} },
    ]);
  });

  it('treats a state backend change as replacement-prone and outputs as plain updates', () => {
    const base = tree({ dev: { [TF]: { ...tf({}, { backend: { local: { path: 'a.tfstate' } } }), output: { url: { value: 'a' } } } } });
    const head = tree({ dev: { [TF]: { ...tf({}, { backend: { gcs: { bucket: 'b', prefix: 'platform/dev' } } }), output: { url: { value: 'b' } } } } });
    const diff = diffTrees(base, head);
    expect(entry(diff, 'terraform.backend').risk).toBe('replace');
    expect(entry(diff, 'terraform.backend').reason).toContain('terraform init -migrate-state');
    expect(entry(diff, 'output.url')).toMatchObject({ risk: 'normal', attributes: [{ path: 'value', before: 'a', after: 'b' }] });
  });
});

const deployment = (selector: string, image: string, ns = 'commerce'): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'orders-api', namespace: ns },
  spec: {
    selector: { matchLabels: { app: selector } },
    template: { spec: { automountServiceAccountToken: false, containers: [{ name: 'api', image }, { name: 'sidecar', image: 'proxy:1' }] } },
  },
});
const hpa = (apiVersion: string, max: number): Record<string, unknown> => ({
  apiVersion,
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'orders-api', namespace: 'commerce' },
  spec: { minReplicas: 1, maxReplicas: max },
});

describe('synth diff: Kubernetes', () => {
  it('keys objects by apiVersion/kind/namespace/name, matches containers by name and flags an immutable selector', () => {
    const base = tree({ dev: { 'dist/0001-workloads.yaml': [deployment('orders', 'orders:1'), hpa('autoscaling/v2', 3)] } });
    const head = tree({ dev: { 'dist/0001-workloads.yaml': [deployment('orders-v2', 'orders:2'), hpa('autoscaling/v2', 5)] } });
    const diff = diffTrees(base, head);
    const d = entry(diff, 'apps/v1/Deployment/commerce/orders-api');
    expect(d.risk).toBe('replace');
    expect(d.reason).toBe('spec.selector: immutable: the API server rejects the update, the object must be deleted and recreated');
    expect(d.attributes).toEqual([
      { path: 'spec.selector.matchLabels.app', before: 'orders', after: 'orders-v2' },
      { path: 'spec.template.spec.containers[name=api].image', before: 'orders:1', after: 'orders:2' },
    ]);
    expect(entry(diff, 'autoscaling/v2/HorizontalPodAutoscaler/commerce/orders-api')).toMatchObject({
      risk: 'normal',
      attributes: [{ path: 'spec.maxReplicas', before: 3, after: 5 }],
    });
    expect(entries(diff).map((e) => e.risk)).toEqual(['replace', 'normal']);
  });

  it('sees no change when an object moves between files, and an apiVersion bump as an update', () => {
    const base = tree({ dev: { 'dist/0001-a.yaml': [hpa('autoscaling/v2beta2', 3)], 'dist/0002-b.yaml': [deployment('o', 'i')] } });
    const head = tree({ dev: { 'dist/0001-a.yaml': [deployment('o', 'i'), hpa('autoscaling/v2', 3)] } });
    const diff = diffTrees(base, head);
    expect(entries(diff)).toEqual([
      {
        key: 'autoscaling/v2/HorizontalPodAutoscaler/commerce/orders-api',
        change: 'update',
        risk: 'normal',
        attributes: [{ path: 'apiVersion', before: 'autoscaling/v2beta2', after: 'autoscaling/v2' }],
      },
    ]);
  });

  it('shows a namespace change as remove + add, and a removed Namespace with what it takes along', () => {
    const ns = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const base = tree({ dev: { 'dist/0000.yaml': [ns('commerce'), deployment('o', 'i')] } });
    const head = tree({ dev: { 'dist/0000.yaml': [deployment('o', 'i', 'shop')] } });
    const diff = diffTrees(base, head);
    expect(entries(diff).map((e) => [e.key, e.change, e.risk])).toEqual([
      ['apps/v1/Deployment/commerce/orders-api', 'remove', 'destroy'],
      ['v1/Namespace/_cluster/commerce', 'remove', 'destroy'],
      ['apps/v1/Deployment/shop/orders-api', 'add', 'normal'],
    ]);
    expect(entry(diff, 'v1/Namespace/_cluster/commerce').reason).toContain('deletes every object in it');
  });

  it('line-diffs a YAML file that is not Kubernetes, saying why', () => {
    const diff = diffTrees(tree({ dev: { 'dist/values.yaml': 'a: 1\n' } }), tree({ dev: { 'dist/values.yaml': 'a: 2\n' } }));
    const e = entry(diff, 'dist/dev/values.yaml');
    expect(e.reason).toMatch(/could not be read as Kubernetes YAML \(dist\/dev\/values\.yaml: document 1 is not a Kubernetes object/);
    expect(e.attributes).toEqual([{ path: 'lines -1,1 +1,1', before: 'a: 1', after: 'a: 2' }]);
  });
});

const NGINX = (read: string, extra = ''): string => `worker_processes auto;
http {
  keepalive_timeout 620s;
  server {
    listen 8080;
    server_name api.example;
    location /v1/orders/ {
      proxy_pass http://kong_http;
      proxy_read_timeout ${read};
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;${extra}
    }
    location /ws/chat/ { proxy_pass http://gateway_http; }
  }
}
`;

describe('synth diff: edge configs', () => {
  const kong = (timeout: number, plugins: string[], routes = ['orders-api', 'orders-admin']): string =>
    stringify({
      _format_version: '3.0',
      services: [
        {
          name: 'orders-api',
          read_timeout: timeout,
          routes: routes.map((r) => ({ name: r, paths: [`/${r}`], plugins: plugins.map((p) => ({ name: p })) })),
        },
      ],
      plugins: [{ name: 'correlation-id' }],
    });

  it('diffs kong.yml by service, route and plugin, ranking removals with the destroys', () => {
    const diff = diffTrees(
      tree({ dev: { 'dist/edge/kong.yml': kong(30000, ['jwt', 'rate-limiting']) } }),
      tree({ dev: { 'dist/edge/kong.yml': kong(35000, ['rate-limiting'], ['orders-api']) } }),
    );
    expect(entries(diff).map((e) => [e.key, e.change, e.risk])).toEqual([
      ['plugin jwt @ route orders-admin', 'remove', 'destroy'],
      ['plugin jwt @ route orders-api', 'remove', 'destroy'],
      ['plugin rate-limiting @ route orders-admin', 'remove', 'destroy'],
      ['route orders-admin', 'remove', 'destroy'],
      ['service orders-api', 'update', 'normal'],
    ]);
    expect(entry(diff, 'service orders-api').attributes).toEqual([{ path: 'read_timeout', before: 30000, after: 35000 }]);
    expect(entry(diff, 'route orders-admin').reason).toBe('route removed — its requests no longer match at Kong');
  });

  it('diffs gateway-routes.json by route name', () => {
    const routes = (idle: number, names: string[]): Record<string, unknown> => ({
      version: 1,
      routes: names.map((name) => ({ name, match: { pathPrefix: `/${name}` }, kind: 'websocket', timeouts: { idleMs: idle } })),
    });
    const diff = diffTrees(
      tree({ dev: { 'dist/edge/gateway-routes.json': routes(300000, ['chat', 'feed']) } }),
      tree({ dev: { 'dist/edge/gateway-routes.json': routes(600000, ['chat']) } }),
    );
    expect(entries(diff)).toEqual([
      { key: 'route feed', change: 'remove', risk: 'destroy', reason: 'route removed — the edge gateway no longer serves it', attributes: expect.any(Array) },
      { key: 'route chat', change: 'update', risk: 'normal', attributes: [{ path: 'timeouts.idleMs', before: 300000, after: 600000 }] },
    ]);
  });

  it('diffs nginx.conf per block with directives as attributes', () => {
    const diff = diffTrees(
      tree({ dev: { 'dist/edge/nginx.conf': NGINX('40s') } }),
      tree({ dev: { 'dist/edge/nginx.conf': NGINX('60s').replace(/\s*location \/ws\/chat\/ \{[^}]*\}/, '') } }),
    );
    const server = 'http > server (listen 8080; server_name api.example)';
    expect(entries(diff)).toEqual([
      {
        key: `${server} > location /ws/chat/`,
        change: 'remove',
        risk: 'destroy',
        reason: 'location removed — nginx no longer routes these requests',
        attributes: [{ path: 'proxy_pass', before: 'http://gateway_http' }],
      },
      { key: `${server} > location /v1/orders/`, change: 'update', risk: 'normal', attributes: [{ path: 'proxy_read_timeout', before: '40s', after: '60s' }] },
    ]);
  });

  it('falls back to a line diff for an nginx.conf it cannot read', () => {
    const diff = diffTrees(
      tree({ dev: { 'dist/edge/nginx.conf': 'http {\n  gzip off;\n' } }),
      tree({ dev: { 'dist/edge/nginx.conf': 'http {\n  gzip on;\n' } }),
    );
    expect(entries(diff)).toEqual([
      {
        key: 'dist/dev/edge/nginx.conf',
        change: 'update',
        risk: 'normal',
        reason: 'could not be read as nginx (line 1: block is never closed); compared line by line',
        attributes: [{ path: 'lines -2,1 +2,1', before: '  gzip off;', after: '  gzip on;' }],
      },
    ]);
  });
});

describe('synth diff: ranking and environments', () => {
  it('puts destroys first, then replacements, then the rest, across artifacts', () => {
    const base = tree({
      dev: {
        [TF]: tf({ google_container_node_pool: { general: pool('e2-standard-4') } }),
        'dist/0001.yaml': [hpa('autoscaling/v2', 3), deployment('o', 'i')],
        'dist/notes.txt': 'one\n',
      },
    });
    const head = tree({
      dev: {
        [TF]: tf({ google_container_node_pool: { general: pool('e2-standard-8', 9) } }),
        'dist/0001.yaml': [hpa('autoscaling/v2', 4)],
        'dist/notes.txt': 'two\n',
      },
    });
    const diff = diffTrees(base, head);
    const env = diff.environments[0];
    expect(env?.artifacts.map((a) => a.kind)).toEqual(['kubernetes', 'terraform', 'text']);
    expect(entries(diff).map((e) => [e.risk, e.key])).toEqual([
      ['destroy', 'apps/v1/Deployment/commerce/orders-api'],
      ['normal', 'autoscaling/v2/HorizontalPodAutoscaler/commerce/orders-api'],
      ['replace', 'google_container_node_pool.general'],
      ['normal', 'dist/dev/notes.txt'],
    ]);
    expect(env?.summary).toEqual({ adds: 0, updates: 2, replacements: 1, destroys: 1 });
  });

  it('marks environments that exist on one side only and filters by --env', () => {
    const base = tree({ dev: { 'dist/a.txt': 'x' }, qa: { 'dist/a.txt': 'x' } });
    const head = tree({ dev: { 'dist/a.txt': 'x' }, prod: { 'dist/a.txt': 'x' } });
    const all = diffTrees(base, head);
    expect(all.environments.map((e) => [e.env, e.change])).toEqual([
      ['dev', undefined],
      ['prod', 'add'],
      ['qa', 'remove'],
    ]);
    expect(diffTrees(base, head, { envs: ['prod'] }).environments.map((e) => e.env)).toEqual(['prod']);
  });
});

describe('synth diff: secrets are masked in every output', () => {
  const SECRETS = ['hunter2-db', 'sk_live_123', 'abc-api-key-value', 'tok-en-9', 'c2VjcmV0'];
  const base = tree({
    dev: {
      [TF]: tf({ google_sql_user: { app: { name: 'app', password: 'old-pass-1' } } }),
      'dist/0001.yaml': [
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'commerce' }, data: { anything: 'b2xk' } },
        deployment('o', 'i'),
      ],
      'dist/edge/kong.yml': stringify({ consumers: [{ username: 'partner', keyauth_credentials: [{ key: 'old-key' }] }] }),
      'dist/edge/nginx.conf': 'http {\n  proxy_set_header X-Api-Key old;\n}\n',
      'dist/app.properties': 'db.user=app\n',
    },
  });
  const withEnv = deployment('o', 'i');
  ((withEnv.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0] ?? {}).env = [
    { name: 'DB_PASSWORD', value: 'hunter2-db' },
    { name: 'LOG_LEVEL', value: 'debug' },
  ];
  const head = tree({
    dev: {
      [TF]: tf({ google_sql_user: { app: { name: 'app', password: 'sk_live_123' } } }),
      'dist/0001.yaml': [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'commerce' }, data: { anything: 'c2VjcmV0' } }, withEnv],
      'dist/edge/kong.yml': stringify({ consumers: [{ username: 'partner', keyauth_credentials: [{ key: 'abc-api-key-value' }] }] }),
      'dist/edge/nginx.conf': 'http {\n  proxy_set_header X-Api-Key abc-api-key-value;\n}\n',
      'dist/app.properties': 'db.user=app\napi_token = tok-en-9\n',
    },
  });
  const diff = diffTrees(base, head);
  const labels = { base: 'main', head: 'working tree' };

  it('masks secret-looking keys, Secret data, secret env vars, credentials and secret text', () => {
    expect(entry(diff, 'google_sql_user.app').attributes).toEqual([{ path: 'password', before: MASK, after: MASK }]);
    expect(entry(diff, 'v1/Secret/commerce/s').attributes).toEqual([{ path: 'data.anything', before: MASK, after: MASK }]);
    expect(entry(diff, 'apps/v1/Deployment/commerce/orders-api').attributes).toEqual([
      { path: 'spec.template.spec.containers[name=api].env[name=DB_PASSWORD]', after: MASK },
      { path: 'spec.template.spec.containers[name=api].env[name=LOG_LEVEL].value', after: 'debug' },
    ]);
    expect(entry(diff, 'dist/dev/app.properties').attributes).toEqual([{ path: 'lines -2,0 +2,1', after: `api_token = ${MASK}` }]);
    for (const output of [JSON.stringify(diff), renderMarkdown(diff, labels), renderText(diff, labels)]) {
      for (const secret of SECRETS) expect(output).not.toContain(secret);
    }
  });

  it('does not mask keys that only refer to secrets', () => {
    const b = tree({ dev: { 'dist/0001.yaml': [deployment('o', 'i')] } });
    const changed = deployment('o', 'i');
    const spec = (changed.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    spec.automountServiceAccountToken = true;
    spec.volumes = [{ name: 'tls', secret: { secretName: 'nginx-tls' } }];
    const d = diffTrees(b, tree({ dev: { 'dist/0001.yaml': [changed] } }));
    expect(entry(d, 'apps/v1/Deployment/commerce/orders-api').attributes).toEqual([
      { path: 'spec.template.spec.automountServiceAccountToken', before: false, after: true },
      { path: 'spec.template.spec.volumes[name=tls].secret.secretName', after: 'nginx-tls' },
    ]);
  });
});
