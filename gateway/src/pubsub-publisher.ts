// Pub/Sub ingest: publish and only then acknowledge. The client is loaded lazily (only a
// table with an `events` route pays for google-gax); it honours PUBSUB_EMULATOR_HOST.
import type { PubSub, Topic } from '@google-cloud/pubsub';

export class PublishTimeoutError extends Error {
  override readonly name = 'PublishTimeoutError';
  readonly code = 'PUBLISH_TIMEOUT';
}

export class PubSubPublisher {
  private client: Promise<PubSub> | undefined;
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly options: { timeoutMs: number; projectId: string | undefined }) {}

  /** Without a configured project, the first topic's project is used (no metadata-server lookup). */
  private pubsub(topicName: string): Promise<PubSub> {
    const projectId = this.options.projectId ?? /^projects\/([^/]+)\//.exec(topicName)?.[1];
    this.client ??= import('@google-cloud/pubsub').then(({ PubSub: Client }) => new Client(projectId === undefined ? {} : { projectId }));
    return this.client;
  }

  private async topic(name: string): Promise<Topic> {
    let topic = this.topics.get(name);
    if (topic === undefined) {
      const client = await this.pubsub(name);
      topic = client.topic(name, {
        batching: { maxMessages: 100, maxMilliseconds: 2 },
        gaxOpts: { timeout: this.options.timeoutMs },
      });
      this.topics.set(name, topic);
    }
    return topic;
  }

  /**
   * Resolves with the message id once Pub/Sub accepted the message; rejects on failure or
   * after `timeoutMs`. (After a timeout the publish may still land later: the client was
   * told 503 and retries, so at-least-once holds; nothing unpublished is ever acknowledged.)
   */
  async publish(topicName: string, data: Buffer, attributes: Record<string, string>): Promise<string> {
    const topic = await this.topic(topicName);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PublishTimeoutError(`publish timed out after ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    const publish = topic.publishMessage({ data, attributes });
    publish.catch(() => undefined); // may settle after the timeout; already answered 503 then
    try {
      return await Promise.race([publish, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Flushes and closes the client, bounded by the publish timeout (Pub/Sub may be unreachable). */
  async close(): Promise<void> {
    const topics = [...this.topics.values()];
    this.topics.clear();
    const client = this.client;
    const closing = (async () => {
      await Promise.all(topics.map((t) => t.flush().catch(() => undefined)));
      if (client !== undefined) await (await client).close().catch(() => undefined);
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closing, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.timeoutMs)))]);
    clearTimeout(timer);
  }
}
