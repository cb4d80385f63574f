import { FaasportError, TRACEPARENT_ATTRIBUTE, type CloudEvent, type QueueMessage } from 'faasport';
import { ATTEMPT_EXTENSION, ATTRIBUTES_EXTENSION, QUEUE_EXTENSION, QUEUE_MESSAGE_TYPE, TOPIC_MESSAGE_TYPE, TRACEPARENT_EXTENSION } from './vocabulary.js';

/** A queue or topic message decoded from its CloudEvent. */
export interface DecodedQueueEvent {
  readonly kind: 'queue' | 'topic';
  /** The queue or topic name (`faasportqueue`). */
  readonly name: string;
  readonly message: QueueMessage<unknown>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The inverse of `encodeQueueEvent`: the portable `QueueMessage` a consumer receives, with
 * the attempt the channel stamped (`faasportattempt`, 1 when absent), the user attributes
 * and `traceparent` restored. A message that breaks the mapping is EVENT_INVALID (status 400:
 * redelivering it cannot help).
 *
 * @example
 * ```ts
 * const { name, message } = decodeQueueEvent(event);
 * message.attempt; // 1
 * ```
 */
export function decodeQueueEvent(event: CloudEvent, operation = 'knative: decode queue message'): DecodedQueueEvent {
  const kind = event.type === QUEUE_MESSAGE_TYPE ? 'queue' : event.type === TOPIC_MESSAGE_TYPE ? 'topic' : undefined;
  if (!kind) throw invalid(operation, `type "${event.type}" is not a queue or topic message (${QUEUE_MESSAGE_TYPE}, ${TOPIC_MESSAGE_TYPE})`, 'type');
  const name = event[QUEUE_EXTENSION];
  if (typeof name !== 'string' || name === '') throw invalid(operation, `the "${QUEUE_EXTENSION}" extension naming the ${kind} is missing`, QUEUE_EXTENSION);
  const attempt = parseAttempt(event[ATTEMPT_EXTENSION], operation);
  const attributes = parseAttributes(event[ATTRIBUTES_EXTENSION], operation);
  const traceparent = event[TRACEPARENT_EXTENSION];
  if (typeof traceparent === 'string') attributes[TRACEPARENT_ATTRIBUTE] = traceparent;
  const enqueuedAt = event.time ? new Date(event.time) : new Date();
  return { kind, name, message: { id: event.id, body: decodeBody(event.data, operation), attempt, enqueuedAt, attributes } };
}

function decodeBody(data: unknown, operation: string): unknown {
  if (!(data instanceof Uint8Array)) return data ?? null;
  try {
    return JSON.parse(utf8.decode(data));
  } catch (err) {
    throw new FaasportError('EVENT_INVALID', `${operation}: message data is not UTF-8 JSON (${(err as Error).message})`, { status: 400, cause: err });
  }
}

function parseAttempt(value: unknown, operation: string): number {
  if (value === undefined) return 1;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw invalid(operation, `"${ATTEMPT_EXTENSION}" must be a positive integer, got ${JSON.stringify(value)}`, ATTEMPT_EXTENSION);
  return n;
}

function parseAttributes(value: unknown, operation: string): Record<string, string> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw invalid(operation, `"${ATTRIBUTES_EXTENSION}" must be a JSON object of strings`, ATTRIBUTES_EXTENSION);
  }
  return { ...(parsed as Record<string, string>) };
}

function invalid(operation: string, why: string, path: string): FaasportError {
  return new FaasportError('EVENT_INVALID', `${operation}: ${why}`, { status: 400, details: { path } });
}
