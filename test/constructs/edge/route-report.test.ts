import { describe, expect, it } from 'vitest';
import type { RoutePlan } from '../../../constructs/edge/route-plan.ts';
import {
  ROUTE_TABLE_HEADERS,
  escapeMermaidLabel,
  mermaidId,
  reportEntry,
  routeRows,
  routesJson,
  routesMermaid,
} from '../../../constructs/edge/route-report.ts';
import { timeoutChain } from '../../../constructs/edge/timeout-chain.ts';
import { planOf } from '../../plan-fixtures.ts';

const prodRoutes = planOf('prod').routes;

/** A route built by hand, for shapes the real catalog does not have. */
function route(over: Partial<RoutePlan> & Pick<RoutePlan, 'name' | 'pathPrefix'>): RoutePlan {
  return {
    host: 'api.test.example',
    protocol: 'http',
    via: 'kong',
    upstream: { service: over.name, namespace: 'apps', url: `http://${over.name}.apps.svc.cluster.local:8080` },
    auth: { type: 'key-auth' },
    maxBodyBytes: 0,
    timeouts: timeoutChain({ protocol: 'http', timeouts: { requestSec: 30, idleSec: 30, maxStreamSec: 30 } }),
    ...over,
  };
}

interface Parsed {
  nodes: Map<string, { shape: string; label: string }>;
  edges: { from: string; to: string; label?: string }[];
}

/**
 * A strict reader for the subset of Mermaid flowchart syntax the report emits: every line is
 * a node definition or an edge, ids are plain identifiers, every label is quoted and holds no
 * raw quote. Anything else fails, so the output stays inside what GitHub's renderer parses.
 */
function parseMermaid(text: string): Parsed {
  const [first, ...lines] = text.split('\n');
  expect(first).toBe('flowchart LR');
  const nodes = new Map<string, { shape: string; label: string }>();
  const edges: Parsed['edges'] = [];
  for (const line of lines) {
    const node = /^ {2}([A-Za-z][A-Za-z0-9_]*)(\(\[|\[\(|\[)"([^"]*)"(\]\)|\)\]|\])$/.exec(line);
    const edge = /^ {2}([A-Za-z][A-Za-z0-9_]*) -->(?:\|"([^"|]*)"\|)? ([A-Za-z][A-Za-z0-9_]*)$/.exec(line);
    if (node) {
      const [, id = '', open = '', label = '', close = ''] = node;
      expect({ '([': '])', '[(': ')]', '[': ']' }[open], `shape of ${line}`).toBe(close);
      expect(nodes.has(id), `node ${id} defined twice`).toBe(false);
      nodes.set(id, { shape: open, label });
    } else if (edge) {
      const [, from = '', label, to = ''] = edge;
      edges.push({ from, to, ...(label === undefined ? {} : { label }) });
    } else {
      throw new Error(`not a node or edge line: ${JSON.stringify(line)}`);
    }
  }
  for (const e of edges) {
    expect(nodes.has(e.from), `edge from undefined node ${e.from}`).toBe(true);
    expect(nodes.has(e.to), `edge to undefined node ${e.to}`).toBe(true);
  }
  return { nodes, edges };
}

describe('route report: JSON', () => {
  it('lists every prod route in plan order with every documented key, timeouts in seconds from the outside in', () => {
    const json = JSON.parse(routesJson(prodRoutes)) as Record<string, unknown>[];
    expect(json.map((r) => r.name)).toEqual(prodRoutes.map((r) => r.name));
    for (const entry of json) {
      expect(Object.keys(entry)).toEqual([
        'name', 'host', 'pathPrefix', 'protocol', 'via', 'glbBackend', 'upstream', 'timeouts', 'auth', 'rateLimit', 'maxBodyBytes',
      ]);
      expect(Object.keys(entry.timeouts as object)).toEqual(['glb', 'nginx', 'proxy', 'service']);
    }
    const chat = json.find((r) => r.name === 'chat');
    const chatBodyLimit = prodRoutes.find((r) => r.name === 'chat')?.maxBodyBytes;
    expect(chat).toEqual({
      name: 'chat',
      host: 'api.acme.example',
      pathPrefix: '/ws/chat',
      protocol: 'websocket',
      via: 'gateway',
      glbBackend: 'HTTP/1.1',
      upstream: { kind: 'service', service: 'chat', namespace: 'realtime', port: 8080, address: 'chat.realtime:8080' },
      timeouts: {
        glb: { totalSec: 7215, idleSec: 315 },
        nginx: { totalSec: 7210, idleSec: 310 },
        proxy: { totalSec: 7205, idleSec: 305 },
        service: { totalSec: 7200, idleSec: 300 },
      },
      auth: {
        type: 'jwt',
        issuer: 'https://auth.acme.example/',
        audiences: ['https://api.acme.example'],
        jwksUri: 'https://auth.acme.example/.well-known/jwks.json',
      },
      rateLimit: null,
      maxBodyBytes: chatBodyLimit ? chatBodyLimit : null,
    });
  });

  it('names the Pub/Sub topic as the upstream of an ingest route and gRPC rides the HTTP/2-TLS backend', () => {
    const byName = new Map(prodRoutes.map((r) => [r.name, reportEntry(r)]));
    expect(byName.get('ingest-ingest')).toMatchObject({
      protocol: 'events',
      via: 'gateway',
      upstream: { kind: 'pubsub-topic', topic: 'projects/acme-platform-prod/topics/ingest' },
      rateLimit: { requestsPerMinute: 1200, burst: 200 },
      maxBodyBytes: 1048576,
    });
    expect(byName.get('llm-inference')).toMatchObject({ glbBackend: 'HTTP/2-TLS', upstream: { address: 'llm-inference.ml:8443' } });
    expect(byName.get('market-feed')?.rateLimit).toEqual({ requestsPerMinute: 60, burst: null });
  });

  it('reports an unauthenticated route with its reason, and refuses a route with no upstream at all', () => {
    const open = route({ name: 'status', pathPrefix: '/status', auth: { type: 'none', reason: 'public status page, no data' } });
    expect(reportEntry(open).auth).toEqual({ type: 'none', reason: 'public status page, no data' });
    expect(reportEntry(open).maxBodyBytes, 'the plan says 0 for no limit').toBeNull();
    expect(reportEntry({ ...open, maxBodyBytes: 65536 }).maxBodyBytes).toBe(65536);
    const { upstream: _dropped, ...orphan } = open;
    expect(() => reportEntry(orphan)).toThrow('route status: has neither an upstream service nor a Pub/Sub topic');
  });
});

describe('route report: table rows', () => {
  it('gives one row per route in plan order, cells under the documented headers', () => {
    const rows = routeRows(prodRoutes);
    expect(rows.map((r) => r[0])).toEqual(prodRoutes.map((r) => r.pathPrefix));
    for (const row of rows) expect(row).toHaveLength(ROUTE_TABLE_HEADERS.length);
    const orders = rows.find((r) => r[0] === '/v1/orders');
    expect(orders).toEqual([
      '/v1/orders', 'api.acme.example', 'http', 'kong', 'orders-api.commerce:8080',
      '45/45', '40/40', '35/35', '30/30', 'jwt https://auth.acme.example/', '600/min burst 100',
    ]);
    const feed = rows.find((r) => r[0] === '/v1/feed/stream');
    expect(feed?.slice(9)).toEqual(['key-auth', '60/min']);
    expect(rows.find((r) => r[0] === '/ws/chat')?.[10]).toBe('-');
    expect(rows.find((r) => r[0] === '/v1/events')?.[4]).toBe('projects/acme-platform-prod/topics/ingest');
  });

  it('shows the reason of an unauthenticated route', () => {
    const [row] = routeRows([route({ name: 'status', pathPrefix: '/status', auth: { type: 'none', reason: 'public status page' } })]);
    expect(row?.[9]).toBe('none: public status page');
  });
});

describe('route report: mermaid', () => {
  it('draws client → GLB (both backends) → Nginx → Kong / gateway → each prod service or topic', () => {
    const text = routesMermaid(prodRoutes);
    const { nodes, edges } = parseMermaid(text);
    expect(nodes.get('glb')?.label).toBe(
      'GCP global external ALB<br/>Cloud Armor WAF, managed TLS<br/>backend HTTP/1.1: REST, WebSocket, SSE, ingest<br/>backend HTTP/2-TLS: gRPC',
    );
    const edge = (from: string, to: string) => edges.filter((e) => e.from === from && e.to === to).map((e) => e.label);
    expect(edge('client', 'glb')).toEqual(['HTTPS api.acme.example']);
    expect(edge('glb', 'nginx')).toEqual(['HTTP/1.1', 'HTTP/2-TLS']);
    expect(edge('nginx', 'kong')).toEqual([undefined]);
    expect(edge('nginx', 'gateway')).toEqual([undefined]);
    expect(edge('gateway', 'svc_realtime_chat')).toEqual(['/ws/chat · websocket · idle 310s/life 7215s']);
    expect(edge('kong', 'svc_commerce_orders_api')).toEqual(['/v1/orders · http · total 45s']);
    expect(edge('gateway', 'svc_ml_llm_inference')).toEqual(['/inference.v1.Generator · grpc · idle 70s/life 915s']);
    expect(edge('gateway', 'topic_ingest')).toEqual(['/v1/events · events · total 25s']);
    expect(nodes.get('topic_ingest')).toEqual({ shape: '[(', label: 'Pub/Sub topic<br/>projects/acme-platform-prod/topics/ingest' });
    expect(nodes.get('svc_realtime_market_feed')?.label).toBe('market-feed.realtime:8080');
    // One route edge per route, in plan order.
    const routeEdges = edges.filter((e) => e.from === 'kong' || e.from === 'gateway');
    expect(routeEdges.map((e) => e.label?.split(' · ')[0])).toEqual(prodRoutes.map((r) => r.pathPrefix));
    expect(routesMermaid(prodRoutes)).toBe(text);
  });

  it('leaves out the proxies and backends no route uses', () => {
    const { nodes, edges } = parseMermaid(routesMermaid([route({ name: 'orders', pathPrefix: '/orders' })]));
    expect([...nodes.keys()]).toEqual(['client', 'glb', 'nginx', 'kong', 'svc_apps_orders']);
    expect(edges.filter((e) => e.from === 'glb').map((e) => e.label)).toEqual(['HTTP/1.1']);
    expect(parseMermaid(routesMermaid([])).edges).toEqual([{ from: 'client', to: 'glb', label: 'HTTPS' }]);
  });

  it('sanitises ids and escapes labels so odd names cannot break the diagram', () => {
    expect(mermaidId('svc', 'a-b.c/d')).toBe('svc_a_b_c_d');
    expect(escapeMermaidLabel('a"b|c<d>e&f#g`h\ni')).toBe('a#quot;b#124;c#lt;d#gt;e#amp;f#35;g#96;h i');
    const odd = route({
      name: 'odd',
      pathPrefix: '/a"b|c<script>#1',
      upstream: { service: 'odd', namespace: 'x.y', url: 'http://odd.x.y.svc.cluster.local:9000' },
    });
    // A different service whose sanitised id would collide with odd's.
    const twin = route({ name: 'y-odd', pathPrefix: '/twin', upstream: { service: 'y-odd', namespace: 'x', url: 'http://y-odd.x.svc:80' } });
    const { nodes, edges } = parseMermaid(routesMermaid([odd, twin]));
    expect(nodes.get('svc_x_y_odd')?.label).toBe('odd.x.y:9000');
    expect(nodes.get('svc_x_y_odd_2')?.label).toBe('y-odd.x:80');
    expect(edges.find((e) => e.to === 'svc_x_y_odd')?.label).toBe('/a#quot;b#124;c#lt;script#gt;#35;1 · http · total 45s');
  });

  it('draws one node per service even when two routes reach it', () => {
    const a = route({ name: 'orders', pathPrefix: '/orders' });
    const b = route({ name: 'orders-v2', pathPrefix: '/v2/orders', upstream: a.upstream });
    const { nodes, edges } = parseMermaid(routesMermaid([b, a]));
    expect([...nodes.keys()].filter((id) => id.startsWith('svc_'))).toEqual(['svc_apps_orders']);
    expect(edges.filter((e) => e.to === 'svc_apps_orders')).toHaveLength(2);
  });
});
