/**
 * `events --env <name> [--out <dir>] [--format table|json] [--catalog <module>]`
 *
 * Every topic of one environment: its contract (type, encoding, file), who publishes and who
 * subscribes, and the contract's fields; and for each contract a TypeScript module in
 * `<out>/dist/<env>/events/<topic>.ts`, so a TypeScript producer or consumer compiles against
 * the contract the platform enforces (other languages use the .avsc/.proto file itself). The
 * directory is replaced whole (written beside it, then renamed); bad input writes nothing.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { planEvents, type TopicPlan } from '../../constructs/events/event-plan.ts';
import { contractModule, type ContractField } from '../../constructs/events/contract-types.ts';
import { DEFAULT_CATALOG } from '../../environments/load.ts';
import { catalogEnvironments } from '../catalog-environments.ts';
import type { Environment } from '../../environments/schema.ts';
import { parseCommandFlags } from '../command-flags.ts';
import { table } from '../report-table.ts';

export const EVENTS_FORMATS = ['table', 'json'] as const;

export const EVENTS_USAGE = `usage: platform events --env <name> [flags]

Every topic of one environment: its contract (Avro or Protobuf, encoding, definition file),
its publishers and subscribers, and the contract's fields. Writes one TypeScript module per
contract to <out>/dist/<env>/events/<topic>.ts (the event type as the topic's encoding sends it).

flags:
  --env <name>        the environment (exactly one)
  --out <dir>         output root (default: .)
  --format <f>        table (default) | json
  --catalog <file>    catalog module (default: ${DEFAULT_CATALOG})
  --help`;

const Flags = z.object({
  env: z
    .array(z.string().regex(/^[a-z][-a-z0-9]*$/, 'must be an environment name'), { message: 'is required: name one environment' })
    .length(1, 'name exactly one environment'),
  out: z.string().min(1).default('.'),
  format: z.enum(EVENTS_FORMATS, { message: `must be one of ${EVENTS_FORMATS.join(', ')}` }).default('table'),
  catalog: z.string().min(1, 'must name a catalog module').default(DEFAULT_CATALOG),
});
type Flags = z.infer<typeof Flags>;

function parseFlags(argv: readonly string[]): Flags | 'help' {
  return parseCommandFlags(argv, {
    usage: EVENTS_USAGE,
    options: { env: { type: 'string', multiple: true }, out: { type: 'string' }, format: { type: 'string' }, catalog: { type: 'string' } },
    schema: Flags,
  });
}

export interface TopicReport {
  readonly topic: string;
  readonly contract?: { readonly type: string; readonly encoding: string; readonly file: string; readonly types: string; readonly fields: readonly ContractField[] };
  /** Services, and `edge-gateway (POST <host><path>)` for an ingest route. */
  readonly publishers: readonly string[];
  /** `<service> via <subscription>`, or the subscription alone when nothing in the catalog pulls from it. */
  readonly subscribers: readonly string[];
  readonly deadLetterFor?: string;
}

/** What the command prints and writes, from the catalog through the event plan. Pure. */
export function topicReports(env: Environment, plans: readonly TopicPlan[]): { reports: TopicReport[]; modules: Map<string, string> } {
  const modules = new Map<string, string>();
  const reports = plans.map((plan): TopicReport => {
    const topic = env.topics.find((t) => t.name === plan.name);
    const publishers = [
      ...env.services.filter((s) => s.publishes.includes(plan.name)).map((s) => `${s.name} (${s.namespace})`),
      ...(topic?.ingest ? [`edge-gateway (POST ${topic.ingest.host}${topic.ingest.pathPrefix})`] : []),
      ...(plan.deadLetterFor ? [`Pub/Sub dead letters of ${plan.deadLetterFor}`] : []),
    ];
    const subscribers = plan.subscriptions.flatMap((sub) => {
      const services = env.services.filter((s) => s.subscribes.includes(sub.name));
      return services.length === 0 ? [`${sub.name} (no service)`] : services.map((s) => `${s.name} (${s.namespace}) via ${sub.name}`);
    });
    let contract: TopicReport['contract'];
    if (plan.contract) {
      const { text, types } = contractModule(plan.name, plan.contract);
      modules.set(`${plan.name}.ts`, text);
      contract = { type: plan.contract.type, encoding: plan.contract.encoding, file: plan.contract.file, types: `events/${plan.name}.ts`, fields: types.fields };
    }
    return { topic: plan.name, ...(contract ? { contract } : {}), publishers, subscribers, ...(plan.deadLetterFor ? { deadLetterFor: plan.deadLetterFor } : {}) };
  });
  return { reports, modules };
}

function render(envName: string, reports: readonly TopicReport[], dir: string): string {
  const out: string[] = [`${envName}: ${reports.length} topic${reports.length === 1 ? '' : 's'}`, ''];
  out.push(
    table(
      ['topic', 'contract', 'publishers', 'subscribers'],
      reports.map((r) => [
        r.topic,
        r.contract ? `${r.contract.type}/${r.contract.encoding} ${r.contract.file}` : r.deadLetterFor ? '(dead letters)' : 'none',
        r.publishers.join(', ') || '-',
        r.subscribers.join(', ') || '-',
      ]),
    ),
  );
  for (const r of reports) {
    if (!r.contract) continue;
    out.push('', `${r.topic} (${r.contract.type}, ${r.contract.file} → ${join(dir, `${r.topic}.ts`)}):`);
    out.push(table(['field', 'type', 'required'], r.contract.fields.map((f) => [f.path, f.type, f.required ? 'yes' : 'no'])).replace(/^/gm, '  '));
  }
  return out.join('\n');
}

/** Replaces `dir` with exactly `files`: written beside it, then renamed into place. */
async function replaceDirectory(dir: string, files: ReadonlyMap<string, string>): Promise<void> {
  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    for (const [name, text] of files) await writeFile(join(staging, name), text);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export async function run(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    console.log(EVENTS_USAGE);
    return 0;
  }
  const [envName] = flags.env;
  const [env] = await catalogEnvironments(flags.catalog, [envName], EVENTS_USAGE);
  if (!env) throw new Error(`environment ${envName} did not parse`);
  const { reports, modules } = topicReports(env, planEvents(env));
  const dir = join(flags.out, 'dist', env.name, 'events');
  await replaceDirectory(dir, modules);
  console.log(flags.format === 'json' ? JSON.stringify({ env: env.name, topics: reports }, null, 2) : render(env.name, reports, dir));
  return 0;
}
