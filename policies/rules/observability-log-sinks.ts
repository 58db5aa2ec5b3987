/**
 * OBS: log sinks and where they write. A sink's destination is a dataset (or bucket, or topic)
 * this stack creates, its writer identity is its own and granted on that destination alone,
 * BigQuery destinations keep partitioned tables that expire, and no destination is readable by
 * the world.
 */
import { block, get, type EnvironmentArtifacts, type Rule, type TerraformResource } from '../engine.ts';
import { eachResource } from '../rule-scopes.ts';

const DESTINATION_TYPES = ['google_bigquery_dataset', 'google_storage_bucket', 'google_pubsub_topic', 'google_logging_project_bucket_config'];

/** The stack's resource a sink destination interpolates (`${google_bigquery_dataset.x.dataset_id}`), if any. */
function destinationResource(sink: TerraformResource, { terraform }: EnvironmentArtifacts): TerraformResource | undefined {
  const text = String(sink.values.destination ?? '');
  const refs = [...text.matchAll(/\$\{([a-z_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}/g)];
  for (const [, type, name] of refs) {
    if (!DESTINATION_TYPES.includes(type as string)) continue;
    const found = terraform.resources.find((r) => r.type === type && r.name === name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function sinks({ terraform }: EnvironmentArtifacts): TerraformResource[] {
  return terraform.resources.filter((r) => r.type === 'google_logging_project_sink');
}

export const sinkDestinationInStack: Rule = {
  id: 'OBS001',
  severity: 'error',
  description: 'Every log sink writes to a destination created by the same stack (referenced, not typed)',
  rationale:
    'A sink whose destination is a typed name writes wherever that name points: a dataset someone else owns (and reads), one deleted and recreated with other access, or nothing at all — the logs are then dropped without an error anyone sees.',
  remediation: 'create the dataset, bucket or topic in this stack and build the destination from its attributes',
  equivalents: {},
  check: eachResource(['google_logging_project_sink'], (sink, artifacts) =>
    destinationResource(sink, artifacts) !== undefined
      ? undefined
      : {
          message: `sink "${String(sink.values.name)}" writes to "${String(sink.values.destination)}", which no resource of this stack is`,
          remediation: 'reference a dataset, bucket or topic of this stack in the destination',
        },
  ),
};

const PUBLIC = ['allUsers', 'allAuthenticatedUsers'];

/** Ways a dataset is made world-readable: an access entry for a public group, or an IAM grant to the public. */
function publicAccess(dataset: TerraformResource, { terraform }: EnvironmentArtifacts): string | undefined {
  const access = dataset.values.access;
  for (const entry of Array.isArray(access) ? access : access === undefined ? [] : [access]) {
    const group = get(entry, 'special_group');
    const member = get(entry, 'iam_member');
    if (group === 'allAuthenticatedUsers' || PUBLIC.includes(String(member))) return `an access entry for ${String(group ?? member)}`;
  }
  const ref = new RegExp(`^\\$\\{google_bigquery_dataset\\.${dataset.name}\\.dataset_id\\}$`);
  for (const r of terraform.resources) {
    if (!r.type.startsWith('google_bigquery_dataset_iam_')) continue;
    if (!ref.test(String(r.values.dataset_id)) && r.values.dataset_id !== dataset.values.dataset_id) continue;
    const members = r.type.endsWith('_binding') ? (r.values.members as unknown[] | undefined) ?? [] : [r.values.member];
    const open = members.map(String).find((m) => PUBLIC.includes(m));
    if (open !== undefined) return `${r.address} granting ${String(r.values.role)} to ${open}`;
  }
  return undefined;
}

export const sinkDestinationNotPublic: Rule = {
  id: 'OBS002',
  severity: 'error',
  description: 'No log sink writes to a destination readable by allUsers or allAuthenticatedUsers',
  rationale:
    'Access logs hold client addresses, user agents, request paths and trace ids: a world-readable dataset publishes who called what, and when, to anyone with a Google account.',
  remediation: 'remove the public access entry or IAM grant; grant readers by group on the dataset',
  equivalents: { checkov: ['CKV_GCP_15'], trivy: ['AVD-GCP-0046'] },
  check: (artifacts) =>
    eachResource(['google_logging_project_sink'], (sink) => {
      const destination = destinationResource(sink, artifacts);
      if (destination?.type !== 'google_bigquery_dataset') return undefined;
      const open = publicAccess(destination, artifacts);
      return open === undefined
        ? undefined
        : {
            message: `sink "${String(sink.values.name)}" writes to dataset "${String(destination.values.dataset_id)}", made public by ${open}`,
            remediation: 'drop the public grant: readers get roles/bigquery.dataViewer by group on the dataset',
          };
    })(artifacts),
};

export const sinkWriterScoped: Rule = {
  id: 'OBS003',
  severity: 'error',
  description: "A log sink has its own writer identity, granted on its destination and nowhere project-wide",
  rationale:
    "A shared writer identity (unique_writer_identity off) is one account for every sink of the project; a project-level role for it lets the sink's account write any dataset or bucket, so one misrouted filter pollutes or overwrites data the sink was never meant to touch.",
  remediation: 'set unique_writer_identity and grant the writer role on the destination resource, from the sink\'s writer_identity attribute',
  equivalents: {},
  check: (artifacts) => {
    const grants = artifacts.terraform.resources.filter((r) => r.type.endsWith('_iam_member'));
    return eachResource(['google_logging_project_sink'], (sink) => {
      const ref = `\${google_logging_project_sink.${sink.name}.writer_identity}`;
      if (sink.values.unique_writer_identity !== true) {
        return { message: `sink "${String(sink.values.name)}" uses the project's shared writer identity`, remediation: 'set unique_writer_identity = true' };
      }
      const mine = grants.filter((g) => g.values.member === ref);
      const projectWide = mine.find((g) => g.type === 'google_project_iam_member' || g.type === 'google_organization_iam_member' || g.type === 'google_folder_iam_member');
      if (projectWide !== undefined) {
        return { message: `sink "${String(sink.values.name)}"'s writer identity holds ${String(projectWide.values.role)} on the whole ${projectWide.type.split('_')[1]}`, remediation: 'grant the role on the destination resource instead' };
      }
      const destination = destinationResource(sink, artifacts);
      if (destination === undefined) return undefined; // OBS001's finding
      const onDestination = mine.some((g) => Object.values(g.values).some((v) => typeof v === 'string' && v.startsWith(`\${${destination.type}.${destination.name}.`)));
      return onDestination
        ? undefined
        : { message: `sink "${String(sink.values.name)}"'s writer identity is granted nothing on its destination: every write fails`, remediation: 'grant the writer role on the destination from the sink\'s writer_identity' };
    })(artifacts);
  },
};

export const sinkTablesExpire: Rule = {
  id: 'OBS004',
  severity: 'warning',
  description: 'A BigQuery log sink writes partitioned tables whose partitions expire (the catalog\'s retention)',
  rationale:
    'Without partitioned tables the sink makes one table per day, which no partition expiry prunes; without an expiry, access logs (personal data: client addresses) are kept forever and their storage grows without bound.',
  remediation: 'set bigquery_options.use_partitioned_tables and the dataset\'s default_partition_expiration_ms (observability.accessLogs.retentionDays)',
  equivalents: {},
  catalogKeys: ['accessLogs', 'observability'],
  check: (artifacts) =>
    eachResource(['google_logging_project_sink'], (sink) => {
      const destination = destinationResource(sink, artifacts);
      if (destination?.type !== 'google_bigquery_dataset') return undefined;
      if (get(block(sink.values.bigquery_options), 'use_partitioned_tables') !== true) {
        return { message: `sink "${String(sink.values.name)}" writes date-sharded tables, not partitioned ones`, remediation: 'set bigquery_options.use_partitioned_tables = true' };
      }
      const expiry = Number(destination.values.default_partition_expiration_ms);
      return Number.isFinite(expiry) && expiry > 0
        ? undefined
        : { message: `dataset "${String(destination.values.dataset_id)}" keeps partitions forever`, remediation: 'set default_partition_expiration_ms from the catalog\'s retention' };
    })(artifacts),
};

export const OBSERVABILITY_SINK_RULES: readonly Rule[] = [sinkDestinationInStack, sinkDestinationNotPublic, sinkWriterScoped, sinkTablesExpire];
