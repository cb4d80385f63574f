import { FaasportError } from 'faasport';
import { PUBSUB_MAX_BATCH } from './adapter.js';

/** One message as Pub/Sub's publish API takes it. */
export interface PubsubOutgoingMessage {
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey?: string;
}

/** Publishes to Pub/Sub topics by short name; resolves with the server-assigned message ids, in order. */
export interface PubsubPublisher {
  publish(topic: string, messages: readonly PubsubOutgoingMessage[]): Promise<string[]>;
  close(): Promise<void>;
}

export interface PubsubClientOptions {
  /** Defaults to what the client library detects (GOOGLE_CLOUD_PROJECT, the metadata server). */
  projectId?: string;
  /** `host:port` of an emulator or a regional endpoint; PUBSUB_EMULATOR_HOST is honoured by the library itself. */
  apiEndpoint?: string;
}

type PubSubModule = typeof import('@google-cloud/pubsub');
type PubSubClient = InstanceType<PubSubModule['PubSub']>;
type TopicHandle = ReturnType<PubSubClient['topic']>;

/**
 * A publisher on `@google-cloud/pubsub`, loaded on the first publish (it is an optional
 * peer and the heaviest dependency a function can have). The library batches messages sent
 * together into one request per topic, within Pub/Sub's 1000-message and 10 MB limits.
 */
export function createPubsubPublisher(options: PubsubClientOptions = {}): PubsubPublisher {
  let client: Promise<PubSubClient> | undefined;
  const topics = new Map<string, TopicHandle>();
  const connect = (): Promise<PubSubClient> =>
    (client ??= import('@google-cloud/pubsub').then(
      ({ PubSub }) =>
        new PubSub({
          ...(options.projectId ? { projectId: options.projectId } : {}),
          ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint, emulatorMode: isLocal(options.apiEndpoint) } : {}),
        }),
      (err: unknown) => {
        client = undefined;
        throw new FaasportError(
          'CONFIG_INVALID',
          "Pub/Sub publish: cannot load @google-cloud/pubsub; add it to the function's dependencies (npm install @google-cloud/pubsub)",
          {
            cause: err,
          },
        );
      },
    ));
  const topicOf = (pubsub: PubSubClient, name: string): TopicHandle => {
    let topic = topics.get(name);
    if (!topic) {
      topic = pubsub.topic(name, { batching: { maxMessages: PUBSUB_MAX_BATCH, maxMilliseconds: 5, maxBytes: 9 * 1024 * 1024 } });
      topics.set(name, topic);
    }
    return topic;
  };
  return {
    async publish(name, messages) {
      const topic = topicOf(await connect(), name);
      return Promise.all(
        messages.map((m) =>
          topic.publishMessage({
            data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength),
            attributes: { ...m.attributes },
            ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
          }),
        ),
      );
    },
    async close() {
      if (!client) return;
      const pubsub = await client.catch(() => undefined);
      await Promise.all([...topics.values()].map((t) => t.flush().catch(() => undefined)));
      await pubsub?.close();
    },
  };
}

function isLocal(endpoint: string): boolean {
  return /^(localhost|127\.|\[::1\]|0\.0\.0\.0)/.test(endpoint);
}
