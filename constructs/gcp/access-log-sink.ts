/**
 * The edge's access logs kept in BigQuery: a dataset whose tables are partitioned by day and
 * expire partition by partition after the retention, a project sink routing the edge namespace's
 * request lines into it, and the sink's own writer identity granted on that dataset alone (never a
 * project-wide role). Plus the exclusion keeping health-check lines out of Cloud Logging's
 * ingestion (they are most of a quiet edge's volume, and no one reads them).
 */
import { Construct } from 'constructs';
import { BigqueryDataset } from '@cdktf/provider-google/lib/bigquery-dataset/index.js';
import { BigqueryDatasetIamMember } from '@cdktf/provider-google/lib/bigquery-dataset-iam-member/index.js';
import { LoggingProjectExclusion } from '@cdktf/provider-google/lib/logging-project-exclusion/index.js';
import { LoggingProjectSink } from '@cdktf/provider-google/lib/logging-project-sink/index.js';
import type { AccessLogPlan } from '../observability/telemetry-plan.ts';

export interface AccessLogSinkProps {
  readonly plan: AccessLogPlan;
  readonly labels: Readonly<Record<string, string>>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class AccessLogSink extends Construct {
  readonly dataset: BigqueryDataset;
  readonly sink: LoggingProjectSink;

  constructor(scope: Construct, id: string, props: AccessLogSinkProps) {
    super(scope, id);
    const { plan } = props;
    this.dataset = new BigqueryDataset(this, 'dataset', {
      datasetId: plan.datasetId,
      location: plan.location,
      description: 'Edge access logs (nginx, Kong, edge gateway) routed by the Cloud Logging sink; one partition per day.',
      // The sink writes partitioned tables: each day's partition is dropped after the retention.
      defaultPartitionExpirationMs: plan.retentionDays * DAY_MS,
      deleteContentsOnDestroy: false,
      labels: { ...props.labels },
    });
    this.sink = new LoggingProjectSink(this, 'sink', {
      name: plan.sinkName,
      description: 'Edge access lines (namespace edge), health checks excluded, into BigQuery.',
      destination: `bigquery.googleapis.com/projects/${this.dataset.project}/datasets/${this.dataset.datasetId}`,
      filter: plan.sinkFilter,
      uniqueWriterIdentity: true,
      bigqueryOptions: { usePartitionedTables: true },
    });
    // The sink's service account may write this dataset's tables, and nothing else.
    new BigqueryDatasetIamMember(this, 'sink-writer', {
      datasetId: this.dataset.datasetId,
      role: 'roles/bigquery.dataEditor',
      member: this.sink.writerIdentity,
    });
    new LoggingProjectExclusion(this, 'health-check-exclusion', {
      name: plan.exclusionName,
      description: 'Probe and health-check request lines: not ingested (they would dominate the bill and no one reads them).',
      filter: plan.exclusionFilter,
    });
  }
}
