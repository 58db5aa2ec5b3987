// plan-review surfaces what a plan means for topic contracts: a schema revision is listed with
// the destroys and replacements, and a replaced topic says its subscriptions' backlog is lost.
// (The google provider cannot run here, so the plan is written in `terraform show -json`'s own
// resource_changes shape, with the attributes the provider reports for these two types.)
import { describe, expect, it } from 'vitest';
import { reviewPlan } from '../../review/plan-review/plan-review.ts';
import { buildReviewModel, reviewItems } from '../../review/plan-review/review-model.ts';
import { PlanJson } from '../../review/plan-review/plan-json.ts';

const schema = (definition: string) => ({ name: 'order-events', type: 'AVRO', definition, project: 'acme-platform-prod' });
const plan = PlanJson.parse({
  format_version: '1.2',
  terraform_version: '1.11.4',
  resource_changes: [
    {
      address: 'google_pubsub_subscription.topic-ingest_sub-ingest-enricher_subscription_1',
      type: 'google_pubsub_subscription',
      change: { actions: ['update'], before: { name: 'ingest-enricher', ack_deadline_seconds: 30 }, after: { name: 'ingest-enricher', ack_deadline_seconds: 60 } },
    },
    {
      address: 'google_pubsub_schema.topic-order-events_schema_AFBA6664',
      type: 'google_pubsub_schema',
      change: { actions: ['update'], before: schema('{"type":"record","name":"A","fields":[]}'), after: schema('{"type":"record","name":"A","fields":[{"name":"x","type":"int","default":0}]}') },
    },
    {
      address: 'google_pubsub_topic.topic-ingest_topic_60A00B45',
      type: 'google_pubsub_topic',
      change: { actions: ['delete', 'create'], before: { name: 'ingest' }, after: { name: 'ingest-v2' }, replace_paths: [['name']] },
      action_reason: 'replace_because_cannot_update',
    },
  ],
});

describe('plan-review: topic contracts', () => {
  it('lists the schema revision with the replacements, before ordinary updates, with its note', () => {
    const model = buildReviewModel(plan);
    const order = reviewItems(model).flatMap((i) => (i.kind === 'resource' ? [i.entry.address] : []));
    expect(order).toEqual([
      'google_pubsub_topic.topic-ingest_topic_60A00B45',
      'google_pubsub_schema.topic-order-events_schema_AFBA6664',
      'google_pubsub_subscription.topic-ingest_sub-ingest-enricher_subscription_1',
    ]);
    const notes = Object.fromEntries(model.resources.map((e) => [e.address, e.contractNotes]));
    expect(notes['google_pubsub_schema.topic-order-events_schema_AFBA6664']).toEqual([expect.stringMatching(/^commits a new revision of schema "order-events" \(in place/)]);
    expect(notes['google_pubsub_topic.topic-ingest_topic_60A00B45']).toEqual([
      'replacing topic "ingest-v2" detaches its subscriptions: their backlog (undelivered messages) is lost',
    ]);
    expect(notes['google_pubsub_subscription.topic-ingest_sub-ingest-enricher_subscription_1']).toEqual([]);
  });

  it('renders the notes in the Markdown comment and in text', () => {
    const [md] = reviewPlan(plan, { format: 'markdown', maxChars: 65_536, maxComments: 10 });
    expect(md).toMatch(/\*\*Contract:\*\* replacing topic (&quot;|")ingest-v2(&quot;|") detaches its subscriptions: their backlog \(undelivered messages\) is lost/);
    expect(md).toMatch(/\*\*Contract:\*\* commits a new revision of schema/);
    const [text] = reviewPlan(plan, { format: 'text', maxChars: 65_536, maxComments: 10 });
    expect(text).toContain('contract: commits a new revision of schema "order-events"');
  });
});
