/**
 * Contract changes between two synthesized trees: each `google_pubsub_schema` (type and
 * definition, by schema name) on both sides, and per changed one whether the new revision is
 * compatible with the old, and why not. Breaking changes rank with destroys in the diff; the
 * policy EVENT001 fails an unwaived one in production.
 */
import type { DiffEntry } from './diff-model.ts';
import { avroCompatibility, protobufCompatibility, type Compatibility } from './contract-compat.ts';
import type { SynthTree } from './synth-tree.ts';

export interface Contract {
  /** The schema's Terraform address: `google_pubsub_schema.topic-order-events_schema_AFBA6664`. */
  readonly address: string;
  /** Pub/Sub's schema id (the topic's name). */
  readonly name: string;
  /** `AVRO` | `PROTOCOL_BUFFER` */
  readonly type: string;
  readonly definition: string;
  /** Where it is synthesized, relative to the output root. */
  readonly file: string;
}

export interface ContractChange {
  readonly env: string;
  readonly name: string;
  /** The head side's address (the base's when the contract was removed). */
  readonly address: string;
  readonly file: string;
  readonly change: 'add' | 'remove' | 'update';
  readonly type: string;
  readonly compatible: boolean;
  readonly reasons: readonly string[];
}

/** Every contract synthesized for one environment (its stacks' google_pubsub_schema resources). */
export function contractsOf(files: ReadonlyMap<string, string>): Contract[] {
  const out: Contract[] = [];
  for (const [logical, text] of files) {
    if (!/^stacks\/[^/]+\/cdk\.tf\.json$/.test(logical)) continue;
    let json: { resource?: Record<string, Record<string, Record<string, unknown>>> };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      continue; // the Terraform diff reports an unreadable file
    }
    for (const [name, values] of Object.entries(json.resource?.google_pubsub_schema ?? {})) {
      out.push({
        address: `google_pubsub_schema.${name}`,
        name: String(values.name),
        type: String(values.type ?? 'TYPE_UNSPECIFIED'),
        definition: String(values.definition ?? ''),
        file: `cdktf.out/${logical}`,
      });
    }
  }
  return out;
}

export interface ContractCheckOptions {
  /** The `buf` binary, for protobuf contracts. */
  readonly buf: string;
}

async function compatibility(before: Contract, after: Contract, options: ContractCheckOptions): Promise<Compatibility> {
  if (before.type !== after.type) return { compatible: false, reasons: [`the contract type changed from ${before.type} to ${after.type}: no consumer reads both`] };
  if (after.type === 'AVRO') return avroCompatibility(before.definition, after.definition);
  if (after.type === 'PROTOCOL_BUFFER') return protobufCompatibility(before.definition, after.definition, options.buf);
  return { compatible: false, reasons: [`unknown schema type ${after.type}`] };
}

/** Per environment (of either tree, or only `envs`), its changed contracts. */
export async function contractChanges(base: SynthTree, head: SynthTree, options: ContractCheckOptions, envs?: readonly string[]): Promise<Map<string, ContractChange[]>> {
  const names = envs ?? [...new Set([...base.environments.keys(), ...head.environments.keys()])];
  const result = new Map<string, ContractChange[]>();
  for (const env of names) {
    const before = new Map(contractsOf(base.environments.get(env)?.files ?? new Map()).map((c) => [c.name, c]));
    const after = new Map(contractsOf(head.environments.get(env)?.files ?? new Map()).map((c) => [c.name, c]));
    const changes: ContractChange[] = [];
    for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const b = before.get(name);
      const a = after.get(name);
      if (b && a) {
        if (b.type === a.type && b.definition === a.definition) continue;
        const verdict = await compatibility(b, a, options);
        changes.push({ env, name, address: a.address, file: a.file, change: 'update', type: a.type, ...verdict });
      } else if (a) {
        changes.push({ env, name, address: a.address, file: a.file, change: 'add', type: a.type, compatible: true, reasons: [] });
      } else if (b) {
        changes.push({
          env,
          name,
          address: b.address,
          file: b.file,
          change: 'remove',
          type: b.type,
          compatible: false,
          reasons: ['the contract is removed: publishers are no longer checked, and consumers can receive anything'],
        });
      }
    }
    if (changes.length > 0) result.set(env, changes);
  }
  return result;
}

/** The diff's view of a change: breaking ranks with destroys, and says why. */
export function contractEntry(change: ContractChange): DiffEntry {
  const key = `contract ${change.name} (${change.type === 'PROTOCOL_BUFFER' ? 'protobuf' : change.type.toLowerCase()})`;
  if (change.change === 'add') {
    return { key, change: 'add', attributes: [], risk: 'normal', reason: 'a new contract: from now on Pub/Sub and the gateway reject messages that do not match it' };
  }
  if (change.compatible) {
    return {
      key,
      change: 'update',
      attributes: [],
      risk: 'normal',
      reason: 'compatible: a new schema revision (in place); old and new consumers read both revisions',
    };
  }
  return { key, change: change.change, attributes: [], risk: 'breaking', reason: `breaking: ${change.reasons.join('; ')}` };
}
