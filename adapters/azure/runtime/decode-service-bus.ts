import type { QueueMessage } from 'faasport';
import { stringAttributes, toAttempt, toDate, unwrapBody } from './decode-storage-queue.js';

/** The camelCase trigger metadata the library hands a Service Bus function (see SHAPES.md). */
export interface ServiceBusTriggerMetadata {
  readonly messageId?: unknown;
  readonly deliveryCount?: unknown;
  readonly enqueuedTimeUtc?: unknown;
  readonly applicationProperties?: unknown;
  readonly userProperties?: unknown;
  readonly sessionId?: unknown;
  readonly [key: string]: unknown;
}

/**
 * Turns a Service Bus trigger input and metadata into a QueueMessage: `MessageId`,
 * `DeliveryCount` as the attempt, `EnqueuedTimeUtc`, string application properties as
 * attributes (the host's own `$AzureWebJobs…` properties are left out), `SessionId` as groupId.
 * The body follows the unmarked-body rule: the library hands a string it has JSON-parsed when
 * it could, or a Buffer from a binary binding (`decodeUnmarkedBody` rules on it). Unlike
 * a Storage queue, Service Bus has no base64 convention, so base64-looking text stays text.
 *
 * @example
 * ```ts
 * import { decodeServiceBusMessage } from 'faasport/azure';
 * const msg = decodeServiceBusMessage({ id: 'o1' }, { messageId: 'm1', deliveryCount: 1, applicationProperties: { tenant: 'a' } }, 'inv-1');
 * // msg.attributes.tenant === 'a'
 * ```
 */
export function decodeServiceBusMessage(item: unknown, metadata: ServiceBusTriggerMetadata | undefined, fallbackId: string): QueueMessage {
  const { body } = unwrapBody(item);
  const properties = metadata?.applicationProperties ?? metadata?.userProperties;
  const message: { -readonly [K in keyof QueueMessage]: QueueMessage[K] } = {
    id: typeof metadata?.messageId === 'string' && metadata.messageId !== '' ? metadata.messageId : fallbackId,
    body,
    attempt: toAttempt(metadata?.deliveryCount),
    enqueuedAt: toDate(metadata?.enqueuedTimeUtc),
    attributes: stringAttributes(properties),
  };
  if (typeof metadata?.sessionId === 'string' && metadata.sessionId !== '') message.groupId = metadata.sessionId;
  return message;
}
