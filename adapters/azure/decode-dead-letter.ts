import { invalidEventField, type DeadLetterEnvelope } from '../../src/index.js';
import { parseJsonOrText } from '../../src/json-or-text.js';
import { unwrapBody } from './decode-storage-queue.js';
import { ENVELOPE_MARKER } from './encode-storage-queue-message.js';
import { POISON_SUFFIX } from './queue-names.js';

/** A message read from a `<queue>-poison` Storage queue (peeked, so never removed). */
export interface PoisonMessage {
  readonly messageId: string;
  readonly messageText: string;
  readonly insertedOn?: Date;
}

export interface PoisonSource {
  /** The faasport queue or topic name. */
  readonly queue: string;
  /** The Storage queue the message failed on. */
  readonly storageQueue: string;
  readonly functionName: string;
  /** host.json `maxDequeueCount`: deliveries the host made before moving the message itself. */
  readonly hostMaxAttempts: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Presents a poison-queue message as the portable dead-letter envelope. Three cases:
 * - the envelope faasport wrote when the last attempt failed (has the real error);
 * - a message the host moved after `maxDequeueCount` failures (the error is only in the logs);
 * - a message that is not base64: the host cannot decode it, so it moves it without ever
 *   running the function. Its raw text is kept and the error says how to fix the producer.
 *
 * @example
 * ```ts
 * import { decodePoisonMessage } from 'faasport/azure';
 * const env = decodePoisonMessage(
 *   { messageId: 'p1', messageText: 'not base64!' },
 *   { queue: 'orders', storageQueue: 'orders', functionName: 'fulfil', hostMaxAttempts: 5 },
 * );
 * // env.lastError.code === 'MESSAGE_INVALID'
 * ```
 */
export function decodePoisonMessage(message: PoisonMessage, source: PoisonSource): DeadLetterEnvelope {
  const operation = `queue "${source.queue}": reading dead letters from ${source.storageQueue}${POISON_SUFFIX}`;
  const refuse = (path: string, expected: string, value: unknown) =>
    invalidEventField(operation, path, expected, value, { whole: 'the message', hint: "@azure/storage-queue's peekMessages returns one" });
  if (typeof message !== 'object' || message === null) throw refuse('', 'an object', message);
  if (typeof message.messageId !== 'string') throw refuse('messageId', 'a string', message.messageId);
  if (typeof message.messageText !== 'string') throw refuse('messageText', 'a string', message.messageText);
  if (message.insertedOn !== undefined && !(message.insertedOn instanceof Date && !Number.isNaN(message.insertedOn.getTime()))) throw refuse('insertedOn', 'a valid Date', message.insertedOn);
  const at = (message.insertedOn ?? new Date()).toISOString();
  const base = { queue: source.queue, functionName: source.functionName, firstAttemptAt: at, deadLetteredAt: at };
  const text = message.messageText;
  if (!BASE64.test(text) || text.length === 0) {
    return {
      ...base,
      message: { id: message.messageId, body: text, attributes: {}, enqueuedAt: at },
      attempts: 0,
      lastError: {
        name: 'FaasportError',
        code: 'MESSAGE_INVALID',
        message: `queue "${source.queue}": message ${message.messageId} is not base64, so the Functions host could not decode it (host.json extensions.queues.messageEncoding is "base64") and moved it to ${source.storageQueue}${POISON_SUFFIX} without running "${source.functionName}"; send through faasport's queue.send or base64-encode the JSON text`,
      },
    };
  }
  const decoded = parseJsonOrText(Buffer.from(text, 'base64').toString('utf8'));
  if (typeof decoded === 'object' && decoded !== null && (decoded as Record<string, unknown>)[ENVELOPE_MARKER] === 1) {
    const record = (decoded as Record<string, unknown>).deadLetter;
    if (typeof record === 'object' && record !== null) return record as DeadLetterEnvelope;
  }
  const { body, attributes } = unwrapBody(decoded);
  return {
    ...base,
    message: { id: message.messageId, body, attributes, enqueuedAt: at },
    attempts: source.hostMaxAttempts,
    lastError: {
      name: 'Error',
      message: `moved to ${source.storageQueue}${POISON_SUFFIX} by the Functions host after ${source.hostMaxAttempts} failed deliveries; the error is in the function's logs`,
    },
  };
}
