import { invalidEventField, type DeadLetterEnvelope } from 'faasport';
import { decodeMessageBody } from './decode-pubsub.js';
import { DEAD_LETTER_ATTRIBUTES } from './encode-dead-letter.js';
import { shortName } from './names.js';

/** Attributes Pub/Sub adds to a message it forwards to a dead-letter topic. */
export const PUBSUB_DEAD_LETTER_ATTRIBUTES = {
  deliveryCount: 'CloudPubSubDeadLetterSourceDeliveryCount',
  subscription: 'CloudPubSubDeadLetterSourceSubscription',
  subscriptionProject: 'CloudPubSubDeadLetterSourceSubscriptionProject',
  topicPublishTime: 'CloudPubSubDeadLetterSourceTopicPublishTime',
} as const;

/** A message read from a dead-letter topic (through its pull subscription). */
export interface DeadLetterMessage {
  readonly id: string;
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  readonly publishTime: Date;
  readonly orderingKey?: string;
}

export interface DeadLetterSource {
  /** The queue or topic the message was dead-lettered from. */
  readonly queue: string;
  /** The consuming function, from the subscription Pub/Sub names (for messages Pub/Sub forwarded itself). */
  functionFor(subscription: string | undefined): string;
}

/**
 * The portable envelope for a dead-lettered Pub/Sub message. Two writers reach a dead-letter
 * topic: faasport itself, which on a message's last failed attempt forwards it with the
 * original id and the handler's last error; and Pub/Sub, which forwards after
 * `maxDeliveryAttempts` when faasport could not (no delivery count on the event, or the
 * publish failed). Pub/Sub's forward keeps data, attributes and ordering key and adds the
 * delivery count, the source subscription and the original publish time, but not the
 * original message id or why the deliveries failed: the envelope then carries the
 * dead-letter message's own id and says where the errors are.
 */
export function decodeDeadLetter(message: DeadLetterMessage, source: DeadLetterSource): DeadLetterEnvelope {
  checkMessage(message, `queue "${source.queue}": reading dead letters`);
  const a = message.attributes;
  const attributes: Record<string, string> = {};
  for (const key of Object.keys(a)) {
    if (!key.startsWith('faasport-dead-letter-') && !key.startsWith('CloudPubSubDeadLetter')) attributes[key] = a[key]!;
  }
  const deadLetteredAt = message.publishTime.toISOString();
  const body = bodyOf(message, attributes);
  const own = a[DEAD_LETTER_ATTRIBUTES.messageId];
  if (own !== undefined) {
    const firstAttemptAt = a[DEAD_LETTER_ATTRIBUTES.firstAttemptAt] ?? deadLetteredAt;
    return {
      message: envelopeMessage(own, body, attributes, firstAttemptAt, message.orderingKey),
      queue: a[DEAD_LETTER_ATTRIBUTES.queue] ?? source.queue,
      functionName: a[DEAD_LETTER_ATTRIBUTES.functionName] ?? source.functionFor(undefined),
      attempts: Number(a[DEAD_LETTER_ATTRIBUTES.attempts] ?? 0),
      lastError: errorOf(a[DEAD_LETTER_ATTRIBUTES.error]),
      firstAttemptAt,
      deadLetteredAt,
    };
  }
  const attempts = Number(a[PUBSUB_DEAD_LETTER_ATTRIBUTES.deliveryCount] ?? 0);
  const published = a[PUBSUB_DEAD_LETTER_ATTRIBUTES.topicPublishTime];
  const firstAttemptAt = published && !Number.isNaN(Date.parse(published)) ? new Date(published).toISOString() : deadLetteredAt;
  const subscription = a[PUBSUB_DEAD_LETTER_ATTRIBUTES.subscription];
  return {
    message: envelopeMessage(message.id, body, attributes, firstAttemptAt, message.orderingKey),
    queue: source.queue,
    functionName: source.functionFor(subscription === undefined ? undefined : shortName(subscription)),
    attempts,
    lastError: {
      name: 'DeliveryFailed',
      message: `Pub/Sub dead-lettered the message after ${attempts} delivery attempts; the handler's errors are in the function's logs`,
    },
    firstAttemptAt,
    deadLetteredAt,
  };
}

function bodyOf(message: DeadLetterMessage, attributes: Record<string, string>): unknown {
  try {
    return decodeMessageBody(message.data, attributes, `dead letter ${message.id}`);
  } catch {
    // Kept as bytes: a dead-letter reader must see the payload that could not be processed.
    return message.data;
  }
}

function envelopeMessage(id: string, body: unknown, attributes: Record<string, string>, enqueuedAt: string, groupId?: string): DeadLetterEnvelope['message'] {
  return groupId ? { id, body, attributes, enqueuedAt, groupId } : { id, body, attributes, enqueuedAt };
}

function errorOf(json: string | undefined): DeadLetterEnvelope['lastError'] {
  try {
    const v = JSON.parse(json ?? '') as { name?: unknown; message?: unknown; code?: unknown };
    if (typeof v.name === 'string' && typeof v.message === 'string') {
      return typeof v.code === 'string' ? { name: v.name, message: v.message, code: v.code } : { name: v.name, message: v.message };
    }
  } catch {
    /* fall through */
  }
  return { name: 'Unknown', message: 'the last error was not recorded' };
}

/** The types the Pub/Sub client guarantees, checked, so a foreign message is a typed refusal naming the field. */
function checkMessage(message: DeadLetterMessage, operation: string): void {
  const refuse = (path: string, expected: string, value: unknown) => invalidEventField(operation, path, expected, value, { whole: 'the message' });
  if (typeof message !== 'object' || message === null) throw refuse('', 'an object', message);
  if (typeof message.id !== 'string') throw refuse('id', 'a string', message.id);
  if (!(message.data instanceof Uint8Array)) throw refuse('data', 'bytes', message.data);
  if (!(message.publishTime instanceof Date) || Number.isNaN(message.publishTime.getTime())) throw refuse('publishTime', 'a valid Date', message.publishTime);
  if (message.orderingKey !== undefined && typeof message.orderingKey !== 'string') throw refuse('orderingKey', 'a string', message.orderingKey);
  const attributes = message.attributes as unknown;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) throw refuse('attributes', 'an object of strings', attributes);
  for (const key of Object.keys(attributes)) {
    const value = (attributes as Record<string, unknown>)[key];
    if (typeof value !== 'string') throw refuse(`attributes.${key}`, 'a string', value);
  }
}
