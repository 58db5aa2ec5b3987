/**
 * nginx.conf diffed per block: each block (`http`, `server …`, `location /v1/orders`, `map …`,
 * `upstream kong`) is an entry keyed by its path from the top, `http > server (listen 8080) >
 * location /v1/orders`, whose attributes are its own simple directives (`proxy_read_timeout`,
 * `proxy_set_header Upgrade`). Removing a server or location is ranked with the destroys.
 * A file that cannot be read as nginx syntax is line-diffed instead (text-diff.ts).
 */
import type { DiffEntry } from './diff-model.ts';
import { diffKeyed } from './keyed-entries.ts';
import { parseNginxConfig, type NginxDirective } from './nginx-config.ts';

const MAIN = '(main)';

function blockLabel(d: NginxDirective): string {
  if (d.name === 'server' && d.args.length === 0 && d.block) {
    const listen = d.block.filter((x) => x.name === 'listen' && !x.block).map((x) => x.args.join(' '));
    const names = d.block.filter((x) => x.name === 'server_name' && !x.block).flatMap((x) => x.args);
    const parts = [listen.length > 0 ? `listen ${listen.join(', ')}` : '', names.length > 0 ? `server_name ${names.join(' ')}` : ''].filter(Boolean);
    return parts.length > 0 ? `server (${parts.join('; ')})` : 'server';
  }
  return [d.name, ...d.args].join(' ');
}

/** A block's simple directives as attributes: by name, by name and first argument when repeated, numbered when still ambiguous. */
function directivesOf(block: readonly NginxDirective[]): Record<string, string> {
  const simple = block.filter((d) => !d.block);
  const count = (key: (d: NginxDirective) => string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const d of simple) m.set(key(d), (m.get(key(d)) ?? 0) + 1);
    return m;
  };
  const byName = count((d) => d.name);
  const byFirst = count((d) => `${d.name} ${d.args[0] ?? ''}`.trim());
  const out: Record<string, string> = {};
  for (const d of simple) {
    let key = d.name;
    let value = d.args.join(' ');
    if ((byName.get(d.name) ?? 0) > 1) {
      key = `${d.name} ${d.args[0] ?? ''}`.trim();
      value = d.args.slice(1).join(' ');
      if ((byFirst.get(key) ?? 0) > 1) {
        let n = 1;
        while (`${key} #${n}` in out) n++;
        key = `${key} #${n}`;
      }
    }
    out[key] = value;
  }
  return out;
}

export function nginxBlocks(text: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const visit = (block: readonly NginxDirective[], key: string): void => {
    let k = key;
    for (let n = 2; out.has(k); n++) k = `${key} #${n}`;
    out.set(k, directivesOf(block));
    for (const d of block) if (d.block) visit(d.block, k === MAIN ? blockLabel(d) : `${k} > ${blockLabel(d)}`);
  };
  visit(parseNginxConfig(text), MAIN);
  return out;
}

export function diffNginx(before: string | undefined, after: string | undefined): DiffEntry[] {
  const b = before === undefined ? new Map<string, unknown>() : nginxBlocks(before);
  const a = after === undefined ? new Map<string, unknown>() : nginxBlocks(after);
  return diffKeyed(b, a, {
    removal: (key) => {
      const last = key.split(' > ').pop() ?? '';
      if (last.startsWith('location ')) return { risk: 'destroy', reason: 'location removed — nginx no longer routes these requests' };
      if (last.startsWith('server')) return { risk: 'destroy', reason: 'server removed — nginx no longer listens for it' };
      return { risk: 'normal' };
    },
  });
}
