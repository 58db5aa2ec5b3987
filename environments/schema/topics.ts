/** The catalog's `topics` section: Pub/Sub topics, subscriptions, dead letters, public ingest routes. */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import avro from 'avsc';
import protobuf from 'protobufjs';
import { AuthSchema, RateLimitSchema, dnsLabel, hostname, pathPrefix } from './primitives.ts';

/** Pub/Sub ids are 3–255 characters. */
const pubsubId = dnsLabel.refine((v) => v.length >= 3, 'Pub/Sub ids are at least 3 characters');

const SubscriptionSchema = z
  .object({
    name: pubsubId,
    ackDeadlineSec: z.number().int().min(10).max(600).default(30),
    retryBackoff: z
      .object({ minSec: z.number().int().min(0).max(600).default(10), maxSec: z.number().int().min(0).max(600).default(600) })
      .prefault({}),
    /** Dead-letter topic `<topic>-dead-letter` (created, with its own subscription) after this many attempts. */
    deadLetter: z.object({ maxDeliveryAttempts: z.number().int().min(5).max(100).default(5) }).optional(),
    ordering: z.boolean().default(false),
    exactlyOnce: z.boolean().default(false),
    retentionSec: z.number().int().min(600).max(604_800).default(604_800),
  })
  .superRefine((sub, ctx) => {
    if (sub.retryBackoff.minSec > sub.retryBackoff.maxSec) {
      ctx.addIssue({ code: 'custom', path: ['retryBackoff', 'minSec'], message: `is above maxSec (${sub.retryBackoff.maxSec})` });
    }
  });

export const CONTRACT_TYPES = ['avro', 'protobuf'] as const;
export const CONTRACT_ENCODINGS = ['json', 'binary'] as const;
export type ContractType = (typeof CONTRACT_TYPES)[number];

/**
 * Why a definition does not parse, or undefined when it does. Avro: avsc (unions wrapped, as
 * Pub/Sub's JSON encoding writes them); Protobuf: protobufjs, with exactly one top-level message
 * and no imports (Pub/Sub's rule for a schema definition).
 */
export function definitionProblem(type: ContractType, text: string): string | undefined {
  try {
    if (type === 'avro') {
      avro.Type.forSchema(JSON.parse(text) as avro.Schema, { wrapUnions: true });
      return undefined;
    }
    const parsed = protobuf.parse(text, { keepCase: true });
    if ((parsed.imports ?? []).length > 0 || (parsed.weakImports ?? []).length > 0) return 'imports are not allowed in a Pub/Sub schema';
    const messages = topLevelMessages(parsed.root);
    if (messages.length !== 1) return `a Pub/Sub protobuf schema defines exactly one top-level message (found ${messages.length})`;
    parsed.root.resolveAll();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Messages declared at the file's top level (inside its package, if any). */
export function topLevelMessages(root: protobuf.Root): protobuf.Type[] {
  let ns: protobuf.NamespaceBase = root;
  // A package `a.b` nests namespaces a → b; the file's messages live in the innermost one.
  while (ns.nestedArray.length === 1 && ns.nestedArray[0] instanceof protobuf.Namespace && !(ns.nestedArray[0] instanceof protobuf.Type)) {
    ns = ns.nestedArray[0] as protobuf.Namespace;
  }
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

/**
 * `schema`: the topic's contract, a definition file in the repository (relative to the project
 * root, where the CLI runs). The file is read and parsed here, so a missing file or a definition
 * that does not parse is a path-named catalog error and nothing is synthesized.
 */
const ContractSchema = z
  .strictObject({
    type: z.enum(CONTRACT_TYPES),
    /** `environments/events/order-events.avsc` */
    file: z.string().min(1),
    /** How publishers encode messages: `json` (Avro JSON / proto3 JSON) or `binary`. */
    encoding: z.enum(CONTRACT_ENCODINGS).default('json'),
  })
  .transform((contract, ctx) => {
    const expected = contract.type === 'avro' ? '.avsc' : '.proto';
    if (!contract.file.endsWith(expected)) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: `a ${contract.type} definition is a ${expected} file (got ${contract.file})` });
      return z.NEVER;
    }
    let definition: string;
    try {
      definition = readFileSync(isAbsolute(contract.file) ? contract.file : resolve(contract.file), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      ctx.addIssue({ code: 'custom', path: ['file'], message: `${contract.file} cannot be read (${code ?? (err as Error).message})` });
      return z.NEVER;
    }
    const problem = definitionProblem(contract.type, definition);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: `${contract.file} is not a valid ${contract.type} definition: ${problem}` });
      return z.NEVER;
    }
    return { ...contract, definition };
  });
export type TopicContract = z.output<typeof ContractSchema>;

export const TopicSchema = z.object({
  name: pubsubId,
  messageRetentionSec: z.number().int().min(600).max(2_678_400).default(86_400),
  subscriptions: z.array(SubscriptionSchema).default([]),
  /** A public route whose POST bodies the edge gateway publishes to this topic (202 + message id). */
  ingest: z
    .object({
      /** Default: the environment's first edge domain. */
      host: hostname.optional(),
      pathPrefix,
      auth: AuthSchema,
      rateLimit: RateLimitSchema.optional(),
      maxBodyBytes: z.number().int().positive().max(10 * 1024 * 1024, 'Pub/Sub messages are at most 10 MiB').default(1024 * 1024),
    })
    .optional(),
  /** The topic's contract: Pub/Sub rejects messages that do not match it, and so does the edge gateway. */
  schema: ContractSchema.optional(),
}).superRefine((topic, ctx) => {
  // The gateway validates (and clients POST) JSON bodies: an ingest topic's contract is JSON-encoded.
  if (topic.ingest && topic.schema?.encoding === 'binary') {
    ctx.addIssue({
      code: 'custom',
      path: ['schema', 'encoding'],
      message: 'an ingest topic takes JSON bodies: binary is not supported here (use json, or publish binary from a service)',
    });
  }
});

/**
 * In production a topic is an API between teams when anyone outside one namespace touches it:
 * it has an ingest route (the public publishes), or its publishers and subscribers are not all
 * in one namespace. Such a topic must name its contract (`schema`).
 */
export function topicsNeedingContract(
  topics: readonly { name: string; ingest?: unknown; schema?: unknown; subscriptions: readonly { name: string }[] }[],
  services: readonly { namespace: string; publishes: readonly string[]; subscribes: readonly string[] }[],
): { index: number; why: string }[] {
  const out: { index: number; why: string }[] = [];
  topics.forEach((topic, index) => {
    if (topic.schema !== undefined) return;
    if (topic.ingest !== undefined) {
      out.push({ index, why: 'it has a public ingest route' });
      return;
    }
    const subs = new Set(topic.subscriptions.map((s) => s.name));
    const namespaces = new Set(
      services.filter((s) => s.publishes.includes(topic.name) || s.subscribes.some((n) => subs.has(n))).map((s) => s.namespace),
    );
    if (namespaces.size > 1) out.push({ index, why: `its publishers and subscribers span namespaces ${[...namespaces].sort().join(', ')}` });
  });
  return out;
}
