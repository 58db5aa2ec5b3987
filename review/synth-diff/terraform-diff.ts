/**
 * Terraform JSON (a cdktf stack's cdk.tf.json) diffed by address: `resource.<type>.<name>`
 * becomes `<type>.<name>`, data sources `data.<type>.<name>`, then `output.<name>`,
 * `provider.<name>`, `terraform.backend`, … cdktf's `//` metadata is not configuration and is
 * ignored. A removed resource is a destroy; an update touching a replacement-prone attribute
 * (replacement-rules.ts) is a replacement; a resource whose address changed (same type, same
 * name or same values) is called out on both halves, since Terraform will destroy and recreate it.
 */
import { z } from 'zod';
import type { AttributeChange, DiffEntry } from './diff-model.ts';
import { deepEqual, diffValues, isPlainObject, withoutKeys, type PlainObject } from './attribute-diff.ts';
import { TERRAFORM_REPLACEMENT_RULES, replacementReason } from './replacement-rules.ts';

const IGNORE = new Set(['//']);

const TerraformJson = z.looseObject({
  resource: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  data: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  terraform: z.record(z.string(), z.unknown()).optional(),
  provider: z.record(z.string(), z.unknown()).optional(),
});

/** Parses cdk.tf.json text; a malformed file is an error naming it. */
export function parseTerraformJson(text: string, file: string): PlainObject {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = TerraformJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a Terraform JSON configuration: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'}`);
  }
  return parsed.data;
}

interface Addressed {
  readonly key: string;
  /** `managed` resources are destroyed when removed; the rest (data, outputs, providers, settings) are not infrastructure. */
  readonly block: 'managed' | 'data' | 'backend' | 'other';
  readonly type?: string;
  readonly value: unknown;
}

/** Every addressable block of a configuration, keyed by its address. */
export function addressesOf(config: PlainObject): Map<string, Addressed> {
  const out = new Map<string, Addressed>();
  const put = (a: Addressed): void => void out.set(a.key, a);
  for (const [block, body] of Object.entries(config)) {
    if (block === '//') continue;
    if ((block === 'resource' || block === 'data') && isPlainObject(body)) {
      for (const [type, byName] of Object.entries(body)) {
        if (!isPlainObject(byName)) continue;
        for (const [name, value] of Object.entries(byName)) {
          put({ key: `${block === 'data' ? 'data.' : ''}${type}.${name}`, block: block === 'data' ? 'data' : 'managed', type, value });
        }
      }
    } else if (block === 'provider' && isPlainObject(body)) {
      for (const [name, configs] of Object.entries(body)) {
        const list = Array.isArray(configs) ? configs : [configs];
        for (const [i, cfg] of list.entries()) {
          const alias = isPlainObject(cfg) && typeof cfg.alias === 'string' ? cfg.alias : list.length > 1 ? String(i) : undefined;
          put({ key: `provider.${name}${alias === undefined ? '' : `.${alias}`}`, block: 'other', value: cfg });
        }
      }
    } else if (block === 'terraform' && isPlainObject(body)) {
      for (const [key, value] of Object.entries(body)) put({ key: `terraform.${key}`, block: key === 'backend' ? 'backend' : 'other', value });
    } else if (block === 'locals' && isPlainObject(body)) {
      for (const [name, value] of Object.entries(body)) put({ key: `local.${name}`, block: 'other', value });
    } else if (isPlainObject(body) && Object.values(body).every(isPlainObject)) {
      for (const [name, value] of Object.entries(body)) put({ key: `${block}.${name}`, block: 'other', value });
    } else {
      put({ key: block, block: 'other', value: body });
    }
  }
  return out;
}

/** What identifies a resource beyond its address, to recognise a renamed construct id. */
const IDENTITY_FIELDS: readonly (readonly string[])[] = [['name'], ['account_id'], ['repository_id'], ['service'], ['role', 'member']];

function sameIdentity(a: Addressed, b: Addressed): boolean {
  if (a.type !== b.type) return false;
  const av = withoutKeys(a.value, IGNORE);
  const bv = withoutKeys(b.value, IGNORE);
  if (deepEqual(av, bv)) return true;
  if (!isPlainObject(av) || !isPlainObject(bv)) return false;
  return IDENTITY_FIELDS.some(
    (fields) => fields.every((f) => typeof av[f] === 'string' && !String(av[f]).includes('${')) && fields.every((f) => av[f] === bv[f]),
  );
}

function backendReason(changes: readonly AttributeChange[]): string | undefined {
  return changes.length === 0
    ? undefined
    : 'state backend changed: migrate the state first (terraform init -migrate-state), or Terraform plans every resource as new';
}

export function diffTerraform(before: PlainObject | undefined, after: PlainObject | undefined): DiffEntry[] {
  const b = before ? addressesOf(before) : new Map<string, Addressed>();
  const a = after ? addressesOf(after) : new Map<string, Addressed>();
  const entries: DiffEntry[] = [];
  const removedManaged = [...b.values()].filter((x) => x.block === 'managed' && !a.has(x.key));
  const addedManaged = [...a.values()].filter((x) => x.block === 'managed' && !b.has(x.key));
  const renamedTo = new Map<string, string>();
  const renamedFrom = new Map<string, string>();
  for (const old of removedManaged) {
    const now = addedManaged.find((x) => !renamedFrom.has(x.key) && sameIdentity(old, x));
    if (now) {
      renamedTo.set(old.key, now.key);
      renamedFrom.set(now.key, old.key);
    }
  }

  for (const key of [...new Set([...b.keys(), ...a.keys()])]) {
    const was = b.get(key);
    const is = a.get(key);
    const attributes = diffValues(was?.value, is?.value, { ignoreKeys: IGNORE });
    if (was && !is) {
      const to = renamedTo.get(key);
      entries.push({
        key,
        change: 'remove',
        attributes,
        risk: was.block === 'managed' ? 'destroy' : 'normal',
        ...(was.block === 'managed'
          ? {
              reason: to
                ? `address changed (now ${to}) — will be destroyed and recreated; add a moved block from ${key} to ${to} if it should survive`
                : 'removed from the configuration — Terraform will destroy it',
            }
          : {}),
      });
    } else if (!was && is) {
      const from = renamedFrom.get(key);
      entries.push({
        key,
        change: 'add',
        attributes,
        risk: 'normal',
        ...(from ? { reason: `address changed (was ${from}) — will be destroyed and recreated` } : {}),
      });
    } else if (was && is && attributes.length > 0) {
      const reason =
        was.block === 'managed' && was.type
          ? replacementReason(TERRAFORM_REPLACEMENT_RULES[was.type], attributes)
          : was.block === 'backend'
            ? backendReason(attributes)
            : undefined;
      entries.push({ key, change: 'update', attributes, risk: reason ? 'replace' : 'normal', ...(reason ? { reason } : {}) });
    }
  }
  return entries;
}
