/**
 * EventPlan: topics, subscriptions, dead-letter topics (each with its own subscription, so
 * dead letters can be inspected and replayed) and who publishes or subscribes. Pure.
 */
import type { Environment, Subscription } from '../../environments/schema.ts';
import { workloadAccountId } from '../k8s/workload-plan.ts';

export interface SubscriptionPlan extends Subscription {
  readonly topic: string;
  readonly deadLetterTopic?: string;
  /** Workload account ids that pull from this subscription. */
  readonly subscribers: readonly string[];
}

/** A topic's contract as every layer reads it: Pub/Sub's schema, the gateway's validator, the generated types. */
export interface ContractPlan {
  readonly type: 'avro' | 'protobuf';
  readonly encoding: 'json' | 'binary';
  /** Where the definition lives in the repository. */
  readonly file: string;
  /** The definition's text, as read (and parsed) when the catalog loaded. */
  readonly definition: string;
  /** The Pub/Sub schema's id (`projects/<p>/schemas/<schemaName>`): the topic's name. */
  readonly schemaName: string;
}

export interface TopicPlan {
  readonly name: string;
  readonly contract?: ContractPlan;
  readonly messageRetentionSec: number;
  /** Dead-letter topics are topics too; `deadLetterFor` names the topic they serve. */
  readonly deadLetterFor?: string;
  /** Workload account ids allowed to publish (the edge gateway is added for ingest topics). */
  readonly publishers: readonly string[];
  readonly subscriptions: readonly SubscriptionPlan[];
}

export const EDGE_GATEWAY_ACCOUNT = 'wl-edge-gateway';

export function deadLetterTopicName(topic: string): string {
  return `${topic}-dead-letter`;
}

export function planEvents(env: Environment): TopicPlan[] {
  const plans: TopicPlan[] = [];
  for (const topic of env.topics) {
    const publishers = env.services.filter((s) => s.publishes.includes(topic.name)).map((s) => workloadAccountId(s.name));
    if (topic.ingest) publishers.push(EDGE_GATEWAY_ACCOUNT);
    const needsDeadLetter = topic.subscriptions.some((s) => s.deadLetter);
    plans.push({
      name: topic.name,
      ...(topic.schema
        ? {
            contract: {
              type: topic.schema.type,
              encoding: topic.schema.encoding,
              file: topic.schema.file,
              definition: topic.schema.definition,
              schemaName: topic.name,
            },
          }
        : {}),
      messageRetentionSec: topic.messageRetentionSec,
      publishers,
      subscriptions: topic.subscriptions.map((sub) => ({
        ...sub,
        topic: topic.name,
        ...(sub.deadLetter ? { deadLetterTopic: deadLetterTopicName(topic.name) } : {}),
        subscribers: env.services.filter((s) => s.subscribes.includes(sub.name)).map((s) => workloadAccountId(s.name)),
      })),
    });
    if (needsDeadLetter) {
      const dlq = deadLetterTopicName(topic.name);
      plans.push({
        name: dlq,
        messageRetentionSec: 7 * 86_400,
        deadLetterFor: topic.name,
        publishers: [],
        subscriptions: [
          {
            name: `${dlq}-inspect`,
            topic: dlq,
            ackDeadlineSec: 60,
            retryBackoff: { minSec: 10, maxSec: 600 },
            ordering: false,
            exactlyOnce: false,
            retentionSec: 604_800,
            subscribers: [],
          },
        ],
      });
    }
  }
  return plans;
}
