import { FaasportError, payloadTooLarge, type OutgoingMessage, type QueueDefinition, type SendResult, type Transport } from 'faasport';
import { CONTENT_TYPE_ATTRIBUTE, JSON_CONTENT_TYPE } from './decode-pubsub.js';
import { PUBSUB_MAX_MESSAGE_BYTES } from './adapter.js';
import { gcpNames } from './names.js';
import { createPubsubPublisher, type PubsubClientOptions, type PubsubOutgoingMessage, type PubsubPublisher } from './pubsub-publisher.js';

/** Pub/Sub's per-message attribute limits. */
export const PUBSUB_MAX_ATTRIBUTES = 100;
export const PUBSUB_MAX_ATTRIBUTE_KEY_BYTES = 256;
export const PUBSUB_MAX_ATTRIBUTE_VALUE_BYTES = 1024;

export interface PubsubTransportOptions extends PubsubClientOptions {
  /** The app whose queues and topics are published to (names are prefixed with it). */
  appName: string;
  /** Where messages go; defaults to `@google-cloud/pubsub` with `projectId` / `apiEndpoint`. */
  publisher?: PubsubPublisher;
}

/** A Transport that also lets its owner flush and close the client. */
export interface PubsubTransport extends Transport {
  readonly publisher: PubsubPublisher;
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * The Pub/Sub producer behind `queue.send` and `topic.publish` on Google Cloud: a queue
 * and a topic are both a Pub/Sub topic named `<app>-<name>`. Every message is checked
 * against Pub/Sub's limits before any network call; what Pub/Sub cannot do (delayed
 * delivery, deduplication ids) is refused rather than dropped.
 *
 * @example
 * ```ts
 * import { attachTransport, createApp } from 'faasport';
 * import { createPubsubTransport } from 'faasport/gcp';
 *
 * const app = createApp('shop');
 * attachTransport(app, createPubsubTransport({ appName: app.name, projectId: 'my-project' }));
 * ```
 */
export function createPubsubTransport(options: PubsubTransportOptions): PubsubTransport {
  const names = gcpNames(options.appName);
  const publisher = options.publisher ?? createPubsubPublisher(options);
  const deliver = async (source: QueueDefinition, operation: string, messages: readonly OutgoingMessage[]): Promise<SendResult[]> => {
    const outgoing = messages.map((m, i) => toPubsubMessage(messages.length > 1 ? `${operation} [${i}]` : operation, m));
    const topic = names.topic(source.name);
    try {
      const ids = await publisher.publish(topic, outgoing);
      return ids.map((id) => ({ id }));
    } catch (err) {
      throw new FaasportError(
        'SEND_FAILED',
        `${operation}: Pub/Sub publish to topic "${topic}" failed (${(err as Error).message}); check that the topic exists (deploy.sh creates it) and that the function's service account may publish to it`,
        {
          cause: err,
          details: { topic },
        },
      );
    }
  };
  return {
    provider: 'gcp',
    maxMessageBytes: PUBSUB_MAX_MESSAGE_BYTES,
    publisher,
    send: (queue, messages) => deliver(queue, `queue "${queue.name}": send`, messages),
    publish: (topic, messages) => deliver(topic, `topic "${topic.name}": publish`, messages),
    close: () => publisher.close(),
  };
}

/** Checks one message against Pub/Sub and encodes it; throws before anything is sent. */
export function toPubsubMessage(operation: string, message: OutgoingMessage): PubsubOutgoingMessage {
  if (message.delaySeconds > 0) {
    throw new FaasportError(
      'CAPABILITY_UNSUPPORTED',
      `${operation}: delaySeconds ${message.delaySeconds} is not supported on gcp (Pub/Sub has no delayed delivery); send without a delay or schedule the work`,
      {
        details: { adapter: 'gcp', need: 'delaySeconds' },
      },
    );
  }
  if (message.deduplicationId !== undefined) {
    throw new FaasportError(
      'CAPABILITY_UNSUPPORTED',
      `${operation}: deduplicationId is not supported on gcp (Pub/Sub does not deduplicate published messages); drop it and make the consumer idempotent on the message body`,
      {
        details: { adapter: 'gcp', need: 'deduplicationId' },
      },
    );
  }
  const attributes: Record<string, string> = { ...message.attributes, [CONTENT_TYPE_ATTRIBUTE]: JSON_CONTENT_TYPE };
  const keys = Object.keys(attributes);
  if (keys.length > PUBSUB_MAX_ATTRIBUTES) {
    throw new FaasportError(
      'MESSAGE_INVALID',
      `${operation}: ${keys.length} attributes (faasport adds one); Pub/Sub accepts at most ${PUBSUB_MAX_ATTRIBUTES}`,
      { details: { attributes: keys.length } },
    );
  }
  let bytes = 0;
  for (const key of keys) {
    const k = encoder.encode(key).length;
    const v = encoder.encode(attributes[key]!).length;
    if (k > PUBSUB_MAX_ATTRIBUTE_KEY_BYTES || v > PUBSUB_MAX_ATTRIBUTE_VALUE_BYTES) {
      throw new FaasportError(
        'MESSAGE_INVALID',
        `${operation}: attribute "${key.slice(0, 40)}" is ${k} + ${v} bytes; Pub/Sub accepts keys up to ${PUBSUB_MAX_ATTRIBUTE_KEY_BYTES} and values up to ${PUBSUB_MAX_ATTRIBUTE_VALUE_BYTES} bytes`,
        {
          details: { attribute: key },
        },
      );
    }
    bytes += k + v;
  }
  const data = encoder.encode(message.payload);
  bytes += data.length;
  if (message.groupId !== undefined) bytes += encoder.encode(message.groupId).length;
  if (bytes > PUBSUB_MAX_MESSAGE_BYTES) {
    throw payloadTooLarge(operation, bytes, PUBSUB_MAX_MESSAGE_BYTES, 'Pub/Sub messages', 'send a smaller message or a reference to data in Cloud Storage');
  }
  return message.groupId === undefined ? { data, attributes } : { data, attributes, orderingKey: message.groupId };
}
