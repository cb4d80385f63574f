import type { DeadLetterEnvelope } from 'faasport';
import { stringAttributes, unwrapBody } from './decode-storage-queue.js';

/** The fields of a peeked Service Bus dead-letter message that the envelope needs (`ServiceBusReceivedMessage`). */
export interface ServiceBusDeadLetteredMessage {
  readonly messageId?: string | number | Buffer;
  readonly body: unknown;
  readonly applicationProperties?: Record<string, unknown>;
  readonly sessionId?: string;
  readonly deliveryCount?: number;
  readonly enqueuedTimeUtc?: Date;
  readonly deadLetterReason?: string;
  readonly deadLetterErrorDescription?: string;
}

/**
 * Presents a message from a Service Bus dead-letter subqueue as the portable envelope. The
 * broker records why it moved the message (`MaxDeliveryCountExceeded`, or the reason given
 * by whoever dead-lettered it); the handler's own error is in the function's logs.
 *
 * @example
 * ```ts
 * import { decodeServiceBusDeadLetter } from 'faasport/azure';
 * const env = decodeServiceBusDeadLetter(
 *   { messageId: 'm1', body: { id: 'o1' }, deliveryCount: 5, deadLetterReason: 'MaxDeliveryCountExceeded' },
 *   { queue: 'orders', functionName: 'fulfil' },
 * );
 * // env.attempts === 5
 * ```
 */
export function decodeServiceBusDeadLetter(message: ServiceBusDeadLetteredMessage, source: { queue: string; functionName: string }): DeadLetterEnvelope {
  const at = (message.enqueuedTimeUtc ?? new Date()).toISOString();
  const { body } = unwrapBody(message.body);
  const reason = message.deadLetterReason ?? 'DeadLettered';
  const m: { -readonly [K in keyof DeadLetterEnvelope['message']]: DeadLetterEnvelope['message'][K] } = {
    id: message.messageId === undefined ? '' : String(message.messageId),
    body,
    attributes: stringAttributes(message.applicationProperties),
    enqueuedAt: at,
  };
  if (message.sessionId) m.groupId = message.sessionId;
  return {
    message: m,
    queue: source.queue,
    functionName: source.functionName,
    attempts: message.deliveryCount ?? 0,
    lastError: { name: reason, message: message.deadLetterErrorDescription ?? `${reason}; the handler's error is in the function's logs` },
    firstAttemptAt: at,
    deadLetteredAt: at,
  };
}
