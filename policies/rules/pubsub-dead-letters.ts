/** Pub/Sub: every dead-letter topic has a subscription, or dead letters are dropped unseen. */
import { block, get, type Rule, type TerraformResource } from '../engine.ts';
import { eachResource } from '../rule-scopes.ts';

/**
 * The topic a reference names: `${google_pubsub_topic.<name>.id}` (or `.name`) → the resource
 * name; `projects/<p>/topics/<t>` or a bare topic name → matched on the topic's `name`.
 */
function topicMatcher(ref: unknown): (topic: TerraformResource) => boolean {
  const text = String(ref);
  const interpolated = /^\$\{google_pubsub_topic\.([^.}]+)\.(id|name)\}$/.exec(text);
  if (interpolated) return (t) => t.name === interpolated[1];
  const topicName = text.split('/').pop();
  return (t) => t.values.name === topicName;
}

export const deadLettersKept: Rule = {
  id: 'PUBSUB001',
  severity: 'error',
  description: 'Every dead-letter topic has a subscription (dead letters are kept, not dropped)',
  rationale:
    'Pub/Sub delivers a message published to a topic only to its existing subscriptions: a dead-letter topic without one discards every message that failed, with no trace.',
  remediation: 'add a subscription to the dead-letter topic (the catalog creates an "-inspect" one) with a long retention',
  equivalents: {},
  catalogKeys: ['topics'],
  check: (artifacts) => {
    const topics = artifacts.terraform.resources.filter((r) => r.type === 'google_pubsub_topic');
    const subscriptions = artifacts.terraform.resources.filter((r) => r.type === 'google_pubsub_subscription');
    const deadLetterTopics = new Set(
      subscriptions.flatMap((s) => {
        const ref = get(block(s.values.dead_letter_policy), 'dead_letter_topic');
        return ref === undefined ? [] : topics.filter(topicMatcher(ref));
      }),
    );
    return eachResource(['google_pubsub_topic'], (topic) => {
      if (!deadLetterTopics.has(topic)) return undefined;
      const subscribed = subscriptions.some((s) => topicMatcher(s.values.topic)(topic));
      return subscribed
        ? undefined
        : {
            message: `dead-letter topic "${String(topic.values.name)}" has no subscription: dead letters are dropped`,
            remediation: 'add a subscription on this topic to keep and inspect dead letters',
          };
    })(artifacts);
  },
};
