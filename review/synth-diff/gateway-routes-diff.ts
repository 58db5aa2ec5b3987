/**
 * The edge gateway's route table (gateway-routes.json: `{ version, routes: [{ name, … }] }`)
 * diffed by route name; any other top-level field by its key. A removed route is ranked with
 * the destroys: the gateway stops serving it.
 */
import { z } from 'zod';
import type { DiffEntry } from './diff-model.ts';
import type { PlainObject } from './attribute-diff.ts';
import { diffKeyed } from './keyed-entries.ts';

const GatewayRoutes = z.looseObject({
  routes: z.array(z.looseObject({ name: z.string().min(1) })),
});

export function parseGatewayRoutes(text: string, file: string): PlainObject {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = GatewayRoutes.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a gateway route table: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`);
  }
  return parsed.data;
}

function entities(config: PlainObject | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!config) return out;
  for (const [key, value] of Object.entries(config)) {
    if (key === 'routes' && Array.isArray(value)) {
      for (const r of value as PlainObject[]) {
        // A duplicate name (the gateway would reject it) is kept visible, not overwritten.
        let key = `route ${String(r.name)}`;
        for (let n = 2; out.has(key); n++) key = `route ${String(r.name)} #${n}`;
        out.set(key, r);
      }
    } else {
      out.set(key, value);
    }
  }
  return out;
}

export function diffGatewayRoutes(before: PlainObject | undefined, after: PlainObject | undefined): DiffEntry[] {
  return diffKeyed(entities(before), entities(after), {
    removal: (key) =>
      key.startsWith('route ') ? { risk: 'destroy', reason: 'route removed — the edge gateway no longer serves it' } : { risk: 'normal' },
  });
}
