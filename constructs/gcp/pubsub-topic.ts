/**
 * A Pub/Sub topic with its subscriptions. Relationships are methods, so wiring is checked by
 * the compiler: `topic.grantPublish(identity)`, `topic.addSubscription(plan, { deadLetter })`,
 * `subscription.grantSubscribe(identity)`.
 */
import { Construct } from 'constructs';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic/index.js';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member/index.js';
import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription/index.js';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member/index.js';
import { PubsubSchema } from '@cdktf/provider-google/lib/pubsub-schema/index.js';
import type { ContractPlan, SubscriptionPlan } from '../events/event-plan.ts';

/** Pub/Sub's names for the catalog's contract types and encodings. */
const SCHEMA_TYPE = { avro: 'AVRO', protobuf: 'PROTOCOL_BUFFER' } as const;
const SCHEMA_ENCODING = { json: 'JSON', binary: 'BINARY' } as const;

/** Anything with an IAM member string (a WorkloadIdentity, a service agent). */
export interface Grantee {
  readonly member: string;
}

export interface PubsubTopicProps {
  readonly name: string;
  readonly messageRetentionSec: number;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The topic's contract: a `google_pubsub_schema` (a new definition commits a new revision, in
   * place) and the topic's `schema_settings`, so Pub/Sub rejects a message that does not match.
   */
  readonly contract?: ContractPlan;
}

export class Topic extends Construct {
  readonly topic: PubsubTopic;
  readonly schema: PubsubSchema | undefined;
  private readonly grantedPublishers = new Set<string>();

  constructor(scope: Construct, id: string, props: PubsubTopicProps) {
    super(scope, id);
    const contract = props.contract;
    this.schema = contract
      ? new PubsubSchema(this, 'schema', { name: contract.schemaName, type: SCHEMA_TYPE[contract.type], definition: contract.definition })
      : undefined;
    this.topic = new PubsubTopic(this, 'topic', {
      name: props.name,
      messageRetentionDuration: `${props.messageRetentionSec}s`,
      labels: { ...props.labels },
      ...(contract && this.schema ? { schemaSettings: { schema: this.schema.id, encoding: SCHEMA_ENCODING[contract.encoding] } } : {}),
    });
  }

  /** Allows `who` to publish. Construct ids derive from `key`, a stable name for the grantee. */
  grantPublish(key: string, who: Grantee): void {
    if (this.grantedPublishers.has(key)) return;
    this.grantedPublishers.add(key);
    new PubsubTopicIamMember(this, `publisher-${key}`, { topic: this.topic.name, role: 'roles/pubsub.publisher', member: who.member });
  }

  addSubscription(plan: SubscriptionPlan, options: { deadLetter?: { topic: Topic; serviceAgent: Grantee } } = {}): TopicSubscription {
    return new TopicSubscription(this, `sub-${plan.name}`, { topic: this, plan, ...options });
  }
}

export interface TopicSubscriptionProps {
  readonly topic: Topic;
  readonly plan: SubscriptionPlan;
  readonly deadLetter?: { readonly topic: Topic; readonly serviceAgent: Grantee };
}

export class TopicSubscription extends Construct {
  readonly subscription: PubsubSubscription;

  constructor(scope: Construct, id: string, props: TopicSubscriptionProps) {
    super(scope, id);
    const { plan, deadLetter } = props;
    this.subscription = new PubsubSubscription(this, 'subscription', {
      name: plan.name,
      topic: props.topic.topic.id,
      ackDeadlineSeconds: plan.ackDeadlineSec,
      messageRetentionDuration: `${plan.retentionSec}s`,
      enableMessageOrdering: plan.ordering,
      enableExactlyOnceDelivery: plan.exactlyOnce,
      retryPolicy: { minimumBackoff: `${plan.retryBackoff.minSec}s`, maximumBackoff: `${plan.retryBackoff.maxSec}s` },
      expirationPolicy: { ttl: '' }, // never expire for inactivity
      ...(deadLetter && plan.deadLetter
        ? { deadLetterPolicy: { deadLetterTopic: deadLetter.topic.topic.id, maxDeliveryAttempts: plan.deadLetter.maxDeliveryAttempts } }
        : {}),
    });
    if (deadLetter) {
      // Pub/Sub's service agent forwards dead letters: it must publish there and ack here.
      deadLetter.topic.grantPublish('pubsub-service-agent', deadLetter.serviceAgent);
      this.grantSubscribe('pubsub-service-agent', deadLetter.serviceAgent);
    }
  }

  grantSubscribe(key: string, who: Grantee): void {
    new PubsubSubscriptionIamMember(this, `subscriber-${key}`, {
      subscription: this.subscription.name,
      role: 'roles/pubsub.subscriber',
      member: who.member,
    });
  }
}
