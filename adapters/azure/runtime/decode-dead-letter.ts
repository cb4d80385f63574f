import { invalidEventField, type DeadLetterEnvelope } from 'faasport';
import { fromStorageQueueText, unwrapBody } from './decode-storage-queue.js';
import { ENVELOPE_MARKER } from './encode-storage-queue-message.js';
import { POISON_SUFFIX } from './names.js';

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

/**
 * Presents a poison-queue message as the portable dead-letter envelope. Its text is read as
 * the trigger reads it (as sent, or base64 of JSON: what faasport wrote before host.json said
 * `messageEncoding: "none"`). Two cases:
 * - the envelope faasport wrote when the last attempt failed (has the real error);
 * - a message the host moved after `maxDequeueCount` failures (the error is only in the
 *   logs), its body decoded like a delivery's (or the raw text when that is ambiguous).
 *
 * @example
 * ```ts
 * import { decodePoisonMessage } from 'faasport/azure';
 * const env = decodePoisonMessage(
 *   { messageId: 'p1', messageText: '{"id":"o1"}' },
 *   { queue: 'orders', storageQueue: 'orders', functionName: 'fulfil', hostMaxAttempts: 5 },
 * );
 * // env.message.body.id === 'o1', env.attempts === 5
 * ```
 */
export function decodePoisonMessage(message: PoisonMessage, source: PoisonSource): DeadLetterEnvelope {
  const operation = `queue "${source.queue}": reading dead letters from ${source.storageQueue}${POISON_SUFFIX}`;
  const refuse = (path: string, expected: string, value: unknown) =>
    invalidEventField(operation, path, expected, value, { whole: 'the message', hint: "@azure/storage-queue's peekMessages returns one" });
  if (typeof message !== 'object' || message === null) throw refuse('', 'an object', message);
  if (typeof message.messageId !== 'string') throw refuse('messageId', 'a string', message.messageId);
  if (typeof message.messageText !== 'string') throw refuse('messageText', 'a string', message.messageText);
  if (message.insertedOn !== undefined && !(message.insertedOn instanceof Date && !Number.isNaN(message.insertedOn.getTime())))
    throw refuse('insertedOn', 'a valid Date', message.insertedOn);
  const at = (message.insertedOn ?? new Date()).toISOString();
  const decoded = readText(message.messageText);
  if (typeof decoded === 'object' && decoded !== null && (decoded as Record<string, unknown>)[ENVELOPE_MARKER] === 1) {
    const record = (decoded as Record<string, unknown>).deadLetter;
    if (typeof record === 'object' && record !== null) return record as DeadLetterEnvelope;
  }
  const { body, attributes } = unwrapBody(decoded);
  return {
    queue: source.queue,
    functionName: source.functionName,
    firstAttemptAt: at,
    deadLetteredAt: at,
    message: { id: message.messageId, body, attributes, enqueuedAt: at },
    attempts: source.hostMaxAttempts,
    lastError: {
      name: 'Error',
      message: `moved to ${source.storageQueue}${POISON_SUFFIX} by the Functions host after ${source.hostMaxAttempts} failed deliveries; the error is in the function's logs`,
    },
  };
}

/** The text as a delivery reads it; text whose base64 reading is ambiguous stays the text. */
function readText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    /* not JSON: text, or base64 */
  }
  try {
    return fromStorageQueueText(text);
  } catch {
    return text;
  }
}
