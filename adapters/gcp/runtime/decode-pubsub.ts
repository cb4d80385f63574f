import { decodeUnmarkedBody, FaasportError, type QueueMessage } from 'faasport';

/** Attribute faasport's producer sets so the consumer knows the data is JSON text. */
export const CONTENT_TYPE_ATTRIBUTE = 'faasport-content-type';
export const JSON_CONTENT_TYPE = 'application/json';

/** One Pub/Sub delivery, whichever wire form carried it. */
export interface PubsubDelivery {
  readonly messageId: string;
  readonly publishTime: Date;
  /** The message data, decoded from base64 (a view, not a copy). */
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey?: string;
  /** Present only when the subscription has a dead-letter policy. */
  readonly deliveryAttempt?: number;
  readonly subscription?: string;
}

/** The CloudEvent the Functions Framework hands a `cloudEvent` function (binary, structured, or converted from a push body). */
export interface PubsubCloudEventLike {
  readonly id?: unknown;
  readonly time?: unknown;
  readonly data?: unknown;
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Reads a Pub/Sub message out of a `google.cloud.pubsub.topic.v1.messagePublished` event:
 * `data` is `MessagePublishedData` (`{ message, subscription, deliveryAttempt? }`). Accepts
 * both spellings Google emits (`messageId`/`message_id`, `publishTime`/`publish_time`), a
 * missing publish time (the emulator), and falls back to the event's id and time (events the
 * framework converted from a legacy body, where the message has neither).
 *
 * Throws EVENT_INVALID when the event does not carry a Pub/Sub message.
 */
export function decodePubsub(event: PubsubCloudEventLike, operation: string): PubsubDelivery {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new FaasportError(
      'EVENT_INVALID',
      `${operation}: the event must be a CloudEvent object, got ${typeName(event)}; is the function subscribed to a Pub/Sub topic?`,
      {
        status: 400,
        details: { path: '' },
      },
    );
  }
  const data = asObject(event.data, operation);
  const message = data.message;
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new FaasportError('EVENT_INVALID', `${operation}: event data has no Pub/Sub "message" object; is the function subscribed to a Pub/Sub topic?`, {
      status: 400,
      details: { path: 'data.message' },
    });
  }
  const m = message as Record<string, unknown>;
  const messageId = str(m.messageId) ?? str(m.message_id) ?? str(event.id);
  if (messageId === undefined) {
    throw new FaasportError('EVENT_INVALID', `${operation}: the Pub/Sub message has no messageId`, {
      status: 400,
      details: { path: 'data.message.messageId' },
    });
  }
  const published = str(m.publishTime) ?? str(m.publish_time) ?? str(event.time);
  const publishTime = published === undefined ? new Date() : new Date(published);
  if (Number.isNaN(publishTime.getTime())) {
    // The value itself is not quoted: error messages never carry event values.
    throw new FaasportError('EVENT_INVALID', `${operation}: data.message.publishTime must be an RFC 3339 timestamp`, {
      status: 400,
      details: { path: 'data.message.publishTime' },
    });
  }
  const encoded = m.data ?? '';
  if (typeof encoded !== 'string') {
    throw new FaasportError('EVENT_INVALID', `${operation}: message.data must be a base64 string`, { status: 400, details: { path: 'data.message.data' } });
  }
  const buffer = Buffer.from(encoded, 'base64');
  const delivery: { -readonly [K in keyof PubsubDelivery]: PubsubDelivery[K] } = {
    messageId,
    publishTime,
    data: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
    attributes: attributesOf(m.attributes, operation),
  };
  const orderingKey = str(m.orderingKey) ?? str(m.ordering_key);
  if (orderingKey) delivery.orderingKey = orderingKey;
  const attempt = data.deliveryAttempt ?? data.delivery_attempt ?? m.deliveryAttempt;
  if (typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 0) delivery.deliveryAttempt = attempt;
  const subscription = str(data.subscription);
  if (subscription) delivery.subscription = subscription;
  return delivery;
}

/**
 * The portable message for a Pub/Sub delivery. The body is JSON when the message says so
 * (faasport's producer marks it with the `faasport-content-type` attribute; a `content-type`
 * attribute naming JSON counts too); a message without such a marker (`gcloud pubsub topics
 * publish`, another producer) follows the rule every adapter applies ({@link decodeUnmarkedBody}):
 * UTF-8 JSON parsed, other UTF-8 text as the string, anything else as bytes.
 *
 * Throws MESSAGE_INVALID when a message marked as JSON does not parse: retrying cannot fix
 * it, but the throw keeps it on the retry path that ends in the dead-letter topic.
 */
export function toQueueMessage(delivery: PubsubDelivery, operation: string): QueueMessage<unknown> {
  const message: { -readonly [K in keyof QueueMessage<unknown>]: QueueMessage<unknown>[K] } = {
    id: delivery.messageId,
    body: decodeBody(delivery, operation),
    attempt: delivery.deliveryAttempt ?? 1,
    enqueuedAt: delivery.publishTime,
    attributes: delivery.attributes,
  };
  if (delivery.orderingKey) message.groupId = delivery.orderingKey;
  return message;
}

function decodeBody(delivery: PubsubDelivery, operation: string): unknown {
  return decodeMessageBody(delivery.data, delivery.attributes, `${operation}: message ${delivery.messageId}`);
}

/**
 * JSON when the attributes say the data is JSON (throws MESSAGE_INVALID for bad JSON), else
 * the unmarked-body rule: UTF-8 JSON parsed, other UTF-8 text as the string, anything else as bytes.
 */
export function decodeMessageBody(data: Uint8Array, attributes: Readonly<Record<string, string>>, what: string): unknown {
  const type = attributes[CONTENT_TYPE_ATTRIBUTE] ?? attributes['content-type'] ?? attributes['contentType'];
  if (type === undefined || !/\bjson\b/i.test(type)) return decodeUnmarkedBody(data);
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FaasportError(
      'MESSAGE_INVALID',
      `${what} is marked ${type} but its data is not valid JSON; it goes to the dead-letter topic after its last attempt`,
      {
        cause: err,
        details: { path: 'data.message.data' },
      },
    );
  }
}

function asObject(data: unknown, operation: string): Record<string, unknown> {
  // Binary-mode events with a non-JSON content type reach the function as bytes or text.
  let value = data;
  if (value instanceof Uint8Array) value = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (err) {
      throw new FaasportError('EVENT_INVALID', `${operation}: event data is not JSON MessagePublishedData`, {
        status: 400,
        cause: err,
        details: { path: 'data' },
      });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaasportError('EVENT_INVALID', `${operation}: event data must be a MessagePublishedData object ({ message, subscription })`, {
      status: 400,
      details: { path: 'data' },
    });
  }
  return value as Record<string, unknown>;
}

function attributesOf(value: unknown, operation: string): Readonly<Record<string, string>> {
  if (value === undefined || value === null) return EMPTY;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FaasportError('EVENT_INVALID', `${operation}: message.attributes must be an object of strings`, {
      status: 400,
      details: { path: 'data.message.attributes' },
    });
  }
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') {
      throw new FaasportError('EVENT_INVALID', `${operation}: message.attributes values must be strings`, {
        status: 400,
        details: { path: 'data.message.attributes' },
      });
    }
  }
  return value as Record<string, string>;
}

/** The JSON type of a value, for error messages (never the value). */
function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
