/**
 * Kong's declarative config (kong.yml) diffed by entity: `service <name>`, `route <name>`,
 * `plugin <name> @ route <r>` (or `@ service`, `@ consumer`, global), `consumer <username>`,
 * and any other top-level collection by its name or id. A route nested under a service
 * carries that service as an attribute, so moving it shows. Removing a service, route or
 * plugin is ranked with the destroys: traffic stops matching, or a check stops running.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import type { DiffEntry } from './diff-model.ts';
import { isPlainObject, type PlainObject } from './attribute-diff.ts';
import { diffKeyed } from './keyed-entries.ts';
import type { PathSegment } from './value-path.ts';

const KongConfig = z.looseObject({
  services: z.array(z.looseObject({ name: z.string() })).optional(),
  routes: z.array(z.looseObject({})).optional(),
  plugins: z.array(z.looseObject({ name: z.string() })).optional(),
  consumers: z.array(z.looseObject({})).optional(),
});

export function parseKongConfig(text: string, file: string): PlainObject {
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const parsed = KongConfig.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a Kong declarative config: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`);
  }
  return parsed.data;
}

const NESTED = ['routes', 'plugins'];

/** An entity without the child collections that are diffed as entities of their own. */
function own(entity: PlainObject, extra: PlainObject = {}): PlainObject {
  return { ...Object.fromEntries(Object.entries(entity).filter(([k]) => !NESTED.includes(k))), ...extra };
}

function ref(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isPlainObject(v)) for (const f of ['name', 'username', 'id']) if (typeof v[f] === 'string') return v[f];
  return undefined;
}

function entityName(e: PlainObject, i: number): string {
  for (const f of ['name', 'username', 'custom_id', 'id', 'target', 'prefix']) if (typeof e[f] === 'string' || typeof e[f] === 'number') return String(e[f]);
  return `#${i + 1}`;
}

/** Every entity of a Kong config, keyed. */
export function kongEntities(config: PlainObject): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const put = (key: string, value: unknown): void => {
    let k = key;
    for (let n = 2; out.has(k); n++) k = `${key} #${n}`;
    out.set(k, value);
  };
  const plugins = (list: unknown, scope: string): void => {
    if (!Array.isArray(list)) return;
    for (const [i, p] of list.entries()) {
      if (!isPlainObject(p)) continue;
      const on =
        scope ||
        (ref(p.route) ? ` @ route ${ref(p.route)}` : ref(p.service) ? ` @ service ${ref(p.service)}` : ref(p.consumer) ? ` @ consumer ${ref(p.consumer)}` : '');
      put(`plugin ${entityName(p, i)}${on}`, p);
    }
  };
  const routes = (list: unknown, service?: string): void => {
    if (!Array.isArray(list)) return;
    for (const [i, r] of list.entries()) {
      if (!isPlainObject(r)) continue;
      const name = entityName(r, i);
      put(`route ${name}`, own(r, service ? { service } : {}));
      plugins(r.plugins, ` @ route ${name}`);
    }
  };
  for (const [key, value] of Object.entries(config)) {
    if (key === 'services' && Array.isArray(value)) {
      for (const [i, s] of value.entries()) {
        if (!isPlainObject(s)) continue;
        const name = entityName(s, i);
        put(`service ${name}`, own(s));
        routes(s.routes, name);
        plugins(s.plugins, ` @ service ${name}`);
      }
    } else if (key === 'routes') {
      routes(value);
    } else if (key === 'plugins') {
      plugins(value, '');
    } else if (key === 'consumers' && Array.isArray(value)) {
      for (const [i, c] of value.entries()) {
        if (!isPlainObject(c)) continue;
        const name = entityName(c, i);
        put(`consumer ${name}`, own(c));
        plugins(c.plugins, ` @ consumer ${name}`);
      }
    } else if (Array.isArray(value) && value.every(isPlainObject)) {
      const singular = key.replace(/ies$/, 'y').replace(/s$/, '');
      for (const [i, e] of value.entries()) put(`${singular} ${entityName(e, i)}`, e);
    } else {
      put(key, value);
    }
  }
  return out;
}

/** A certificate's `key` is its private key. */
const certificateKey = (entityKey: string) => (path: readonly PathSegment[]): boolean =>
  /^(ca_)?certificate /.test(entityKey) && path[0] === 'key';

function removal(key: string): { risk: 'destroy' | 'normal'; reason?: string } {
  if (key.startsWith('route ')) return { risk: 'destroy', reason: 'route removed — its requests no longer match at Kong' };
  if (key.startsWith('service ')) return { risk: 'destroy', reason: 'service removed — Kong no longer proxies to it' };
  if (key.startsWith('plugin ')) return { risk: 'destroy', reason: 'plugin removed — its check or transformation no longer runs there' };
  if (key.startsWith('consumer ')) return { risk: 'destroy', reason: 'consumer removed — its credentials stop working' };
  return { risk: 'normal' };
}

export function diffKong(before: PlainObject | undefined, after: PlainObject | undefined): DiffEntry[] {
  const b = before ? kongEntities(before) : new Map<string, unknown>();
  const a = after ? kongEntities(after) : new Map<string, unknown>();
  // Per-entity secret rules need the entity key: diff one key at a time.
  return [...new Set([...b.keys(), ...a.keys()])].flatMap((key) =>
    diffKeyed(pick(b, key), pick(a, key), { removal, isSecret: certificateKey(key) }),
  );
}

function pick(map: ReadonlyMap<string, unknown>, key: string): Map<string, unknown> {
  return map.has(key) ? new Map([[key, map.get(key)]]) : new Map();
}
