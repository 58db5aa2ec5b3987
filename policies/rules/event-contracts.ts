/**
 * Event contracts: a breaking change to a production topic's contract (one that consumers on
 * the old revision, or the events still in the backlog, cannot survive) needs a planned,
 * waived migration. Judged when a run has a base to compare with (`diff --base`): the
 * synthesized output alone has no previous revision.
 */
import type { Rule, TerraformResource } from '../engine.ts';
import { block } from '../engine.ts';
import { edgeTarget, gatewayRouteAddress } from './edge-addresses.ts';
import { catalogOf, edgeView } from './edge-configs.ts';

export const breakingContractChange: Rule = {
  id: 'EVENT001',
  severity: 'error',
  description: 'No unwaived breaking change to a production topic contract',
  rationale:
    'A topic decouples publishers from consumers in time: consumers still on the old revision read new events, and upgraded ones read the backlog written with the old revision. A change that breaks either side fails at 3 a.m. in a consumer, not at deploy time in review.',
  remediation:
    'make the change compatible (add fields with defaults; never change a type or remove a field without one), or plan the migration (a new topic, or consumers upgraded first) and waive EVENT001 on the schema address until it is done',
  equivalents: {},
  catalogKeys: ['topics'],
  check: (artifacts) => {
    if (artifacts.tier !== undefined && artifacts.tier !== 'production') return [];
    return (artifacts.contractChanges ?? [])
      .filter((c) => !c.compatible)
      .map((c) => ({
        target: { env: artifacts.env, file: c.file, address: c.address },
        message: `breaking change to the contract of topic "${c.name}": ${c.reasons.join('; ')}`,
        remediation: `make the change compatible, or waive EVENT001 on ${c.address} for a planned migration`,
        catalog: { name: c.name, keys: ['topics'] },
      }));
  },
};

/** The google_pubsub_schema a topic's `schema_settings.schema` names (`${google_pubsub_schema.<name>.id}`). */
function schemaOf(topic: TerraformResource, resources: readonly TerraformResource[]): TerraformResource | undefined {
  const ref = String(block(topic.values.schema_settings)?.schema ?? '');
  const name = /^\$\{google_pubsub_schema\.([^.}]+)\.id\}$/.exec(ref)?.[1];
  return resources.find((r) => r.type === 'google_pubsub_schema' && (r.name === name || `projects/${String(r.values.project ?? '')}/schemas/${String(r.values.name)}` === ref));
}

const canonicalJson = (text: string): string | undefined => {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return undefined;
  }
};

export const ingestContractEnforced: Rule = {
  id: 'EVENT002',
  severity: 'error',
  description: "Every topic the edge gateway publishes to has a Pub/Sub schema, and the gateway checks bodies against that same definition",
  rationale:
    "An ingest route publishes what the internet POSTs. Without a schema on the topic anything reaches the consumers; with one the gateway does not check (or checks a different definition), clients get 202 for events Pub/Sub then refuses, or 400 for events it would take.",
  remediation: "give the ingest topic a schema in the catalog (topics[].schema); the gateway route and the topic's google_pubsub_schema are both rendered from it",
  equivalents: {},
  catalogKeys: ['topics'],
  check: (artifacts) => {
    if (artifacts.tier !== undefined && artifacts.tier !== 'production') return [];
    const view = edgeView(artifacts.edge);
    const resources = artifacts.terraform.resources;
    return (view.gateway?.routes ?? [])
      .filter((r) => r.kind === 'events' && r.topic !== undefined)
      .flatMap((r) => {
        const topicName = r.topic?.split('/').pop();
        const topic = resources.find((t) => t.type === 'google_pubsub_topic' && t.values.name === topicName);
        const target = edgeTarget(artifacts, 'gatewayRoutes', gatewayRouteAddress(r.name));
        const catalog = catalogOf(view, r.name);
        if (!topic) return []; // a route to a topic of another stack: not judged here
        const schema = schemaOf(topic, resources);
        if (!schema) {
          return [{ target, catalog, message: `ingest route "${r.name}" publishes to topic "${String(topicName)}", which has no schema: anything POSTed reaches its consumers`, remediation: `add topics[].schema for "${String(topicName)}" in the catalog` }];
        }
        const encoding = String(block(topic.values.schema_settings)?.encoding ?? '');
        if (schema.values.type !== 'AVRO' || encoding !== 'JSON') return []; // the gateway checks JSON-encoded Avro; Pub/Sub checks the rest
        const routeSchema = r.schema;
        if (routeSchema === undefined) {
          return [{ target, catalog, message: `ingest route "${r.name}" does not check bodies against the contract of topic "${String(topicName)}"`, remediation: 'render the route from the catalog (it carries the topic schema)' }];
        }
        const same = canonicalJson(routeSchema.definition) === canonicalJson(String(schema.values.definition));
        return same
          ? []
          : [{ target, catalog, message: `ingest route "${r.name}" checks bodies against a different definition than topic "${String(topicName)}"'s google_pubsub_schema`, remediation: 'render both from the catalog: the same topics[].schema file' }];
      });
  },
};

export const EVENT_CONTRACT_RULES: readonly Rule[] = [breakingContractChange, ingestContractEnforced];
