import { summariseError } from 'faasport';
import type { PubsubDelivery } from './decode-pubsub.js';
import type { PubsubOutgoingMessage } from './pubsub-publisher.js';
import { PUBSUB_MAX_ATTRIBUTES, PUBSUB_MAX_ATTRIBUTE_VALUE_BYTES } from './producer.js';

/** Attributes faasport adds when it dead-letters a message itself, on its last attempt. */
export const DEAD_LETTER_ATTRIBUTES = {
  messageId: 'faasport-dead-letter-message-id',
  attempts: 'faasport-dead-letter-attempts',
  error: 'faasport-dead-letter-error',
  firstAttemptAt: 'faasport-dead-letter-first-attempt-at',
  functionName: 'faasport-dead-letter-function',
  queue: 'faasport-dead-letter-queue',
} as const;

/**
 * The message faasport publishes to a dead-letter topic when a delivery fails on its last
 * attempt: the original data, ordering key and attributes, plus what Pub/Sub's own
 * dead-lettering cannot tell (the original message id, the handler's last error). Undefined
 * when the original already has too many attributes to add ours: Pub/Sub's own
 * dead-lettering then takes over.
 */
export function encodeDeadLetter(
  delivery: PubsubDelivery,
  context: { queue: string; functionName: string; attempts: number; error: unknown },
): PubsubOutgoingMessage | undefined {
  const added = Object.keys(DEAD_LETTER_ATTRIBUTES).length;
  if (Object.keys(delivery.attributes).length + added > PUBSUB_MAX_ATTRIBUTES) return undefined;
  const summary = summariseError(context.error);
  const attributes: Record<string, string> = {
    ...delivery.attributes,
    [DEAD_LETTER_ATTRIBUTES.messageId]: delivery.messageId,
    [DEAD_LETTER_ATTRIBUTES.attempts]: String(context.attempts),
    [DEAD_LETTER_ATTRIBUTES.error]: fit(summary),
    [DEAD_LETTER_ATTRIBUTES.firstAttemptAt]: delivery.publishTime.toISOString(),
    [DEAD_LETTER_ATTRIBUTES.functionName]: context.functionName,
    [DEAD_LETTER_ATTRIBUTES.queue]: context.queue,
  };
  return delivery.orderingKey ? { data: delivery.data, attributes, orderingKey: delivery.orderingKey } : { data: delivery.data, attributes };
}

/** The error summary as JSON within Pub/Sub's 1024-byte attribute value limit. */
function fit(summary: ReturnType<typeof summariseError>): string {
  let json = JSON.stringify(summary);
  let message = summary.message;
  while (Buffer.byteLength(json) > PUBSUB_MAX_ATTRIBUTE_VALUE_BYTES && message.length > 0) {
    message = message.slice(0, Math.max(0, message.length - Math.max(16, Buffer.byteLength(json) - PUBSUB_MAX_ATTRIBUTE_VALUE_BYTES)));
    json = JSON.stringify({ ...summary, message: `${message}…` });
  }
  return json;
}
