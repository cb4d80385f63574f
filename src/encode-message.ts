import { currentInvocation } from './context.js';
import type { QueueDefinition, SendOptions } from './definitions.js';
import { FaasportError, payloadTooLarge } from './errors.js';
import { checkKnownOptions } from './options.js';
import { TRACEPARENT_ATTRIBUTE, type OutgoingMessage, type Transport } from './transport.js';

const SEND_KEYS = ['delaySeconds', 'groupId', 'attributes', 'deduplicationId'];
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,79}$/;
/** Largest message, in bytes, a transport accepts when it sets no `maxMessageBytes`. */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Validates and encodes one message for `queue` exactly as `queue.send` does (JSON body,
 * attribute rules, fifo groupId, delay range, size limit, trace propagation). Runtimes that
 * accept messages from outside the app (a dev API, a CLI) use it so the rules stay in one place.
 */
export function encodeMessage(operation: string, queue: QueueDefinition, body: unknown, options: SendOptions = {}): OutgoingMessage {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: send options must be an object (or left out), got ${options === null ? 'null' : typeof options}`);
  }
  checkKnownOptions(operation, options, SEND_KEYS);
  const payload = encodeBody(operation, body);
  const attributes = messageAttributes(operation, options.attributes);
  const groupId = checkGroupId(operation, queue, options.groupId);
  const delaySeconds = options.delaySeconds === undefined ? queue.delaySeconds : options.delaySeconds;
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: delaySeconds must be an integer from 0 to 900, got ${JSON.stringify(delaySeconds)}`);
  }
  // Counted, not encoded: no buffer per send.
  let bytes = Buffer.byteLength(payload, 'utf8');
  for (const key in attributes) bytes += key.length + Buffer.byteLength(attributes[key]!, 'utf8');
  if (queue.maxMessageBytes !== undefined && bytes > queue.maxMessageBytes) {
    throw payloadTooLarge(
      operation,
      bytes,
      queue.maxMessageBytes,
      `the ${queue.kind}'s maxMessageBytes`,
      'send a smaller message or a reference to stored data',
    );
  }
  const message: { -readonly [K in keyof OutgoingMessage]: OutgoingMessage[K] } = { body, payload, bytes, attributes, delaySeconds };
  if (groupId !== undefined) message.groupId = groupId;
  if (options.deduplicationId !== undefined) message.deduplicationId = String(options.deduplicationId);
  return message;
}

function encodeBody(operation: string, body: unknown): string {
  let payload: string | undefined;
  try {
    payload = JSON.stringify(body);
  } catch (err) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: body cannot be encoded as JSON (${(err as Error).message})`, { cause: err });
  }
  if (payload === undefined) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: body is ${typeof body}; send a JSON value (object, array, string, number, boolean or null)`);
  }
  return payload;
}

/** The caller's attributes, checked, and the invocation's `traceparent` when there is one. */
function messageAttributes(operation: string, own: SendOptions['attributes']): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (own !== undefined) {
    if (typeof own !== 'object' || own === null) {
      throw new FaasportError('MESSAGE_INVALID', `${operation}: attributes must be an object of strings`);
    }
    for (const [key, value] of Object.entries(own)) {
      if (!ATTRIBUTE_NAME.test(key) || key.toLowerCase().startsWith('faasport-') || key === TRACEPARENT_ATTRIBUTE) {
        throw new FaasportError(
          'MESSAGE_INVALID',
          `${operation}: attribute name "${key}" is invalid (letters, digits, "_", "-", "."; not "traceparent" or "faasport-*")`,
        );
      }
      if (typeof value !== 'string') throw new FaasportError('MESSAGE_INVALID', `${operation}: attribute "${key}" must be a string, got ${typeof value}`);
      attributes[key] = value;
    }
  }
  const invocation = currentInvocation.getStore();
  if (invocation) attributes[TRACEPARENT_ATTRIBUTE] = invocation.trace.traceparent;
  return attributes;
}

/** A fifo queue needs a groupId on every message; any other refuses one. */
function checkGroupId(operation: string, queue: QueueDefinition, groupId: unknown): string | undefined {
  if (groupId === undefined) {
    if (queue.fifo) throw new FaasportError('MESSAGE_INVALID', `${operation}: queue is fifo, so every message needs a groupId (send(body, { groupId }))`);
    return undefined;
  }
  if (!queue.fifo) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: groupId is only for fifo queues; define the queue with { fifo: true } or drop groupId`);
  }
  if (typeof groupId !== 'string' || groupId.length === 0 || groupId.length > 128) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: groupId must be a string of 1-128 characters`);
  }
  return groupId;
}

/**
 * The transport's own limits on one encoded message, checked before any network call: its size,
 * and its count of message attributes including those faasport adds (`traceparent`). Runtimes
 * that take messages from outside the app (a dev API) call it after {@link encodeMessage}.
 *
 * @example
 * ```ts
 * import { createApp, encodeMessage, checkTransportLimits, type Transport } from 'faasport';
 * const orders = createApp('shop').queue('orders');
 * const transport = { provider: 'aws', maxMessageAttributes: 10 } as Transport;
 * checkTransportLimits('dev API send', transport, encodeMessage('dev API send', orders.definition, { id: 1 }));
 * ```
 */
export function checkTransportLimits(operation: string, transport: Transport, message: OutgoingMessage): void {
  const limit = transport.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (message.bytes > limit) {
    throw payloadTooLarge(operation, message.bytes, limit, `${transport.provider} messages`, 'send a smaller message or a reference to stored data');
  }
  const maxAttributes = transport.maxMessageAttributes;
  if (maxAttributes === undefined) return;
  const count = Object.keys(message.attributes).length;
  // Callers cannot name traceparent (encodeMessage refuses it): present, it is faasport's.
  const own = TRACEPARENT_ATTRIBUTE in message.attributes ? 1 : 0;
  if (count > maxAttributes) {
    throw new FaasportError(
      'MESSAGE_INVALID',
      `${operation}: message has ${count} attributes (${count - own} yours${own > 0 ? `, ${own} faasport's own: traceparent` : ''}), ${transport.provider} messages accept ${maxAttributes}; send at most ${maxAttributes - own} of your own and carry the rest in the body`,
      { status: 400, details: { attributes: count, own, limit: maxAttributes, target: transport.provider } },
    );
  }
}
