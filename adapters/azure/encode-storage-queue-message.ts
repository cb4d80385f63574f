import { FaasportError, formatBytes } from '../../src/errors.js';
import type { DeadLetterEnvelope, OutgoingMessage } from '../../src/index.js';
import { STORAGE_QUEUE_MAX_BYTES } from './azure-adapter.js';

/**
 * Marks faasport's JSON envelope inside a Storage queue message. Storage queues carry only
 * text, so attributes (trace context, user attributes) travel beside the body:
 * `{"$faasport":1,"attributes":{…},"body":…}`. Without attributes the body is sent bare, so
 * other producers and consumers see plain JSON.
 */
export const ENVELOPE_MARKER = '$faasport';

/** The JSON text of a queue message: the payload itself, or the envelope when it has attributes. */
export function encodeQueueText(message: Pick<OutgoingMessage, 'payload' | 'attributes'>): string {
  const attributes = message.attributes;
  for (const _ in attributes) return `{"${ENVELOPE_MARKER}":1,"attributes":${JSON.stringify(attributes)},"body":${message.payload}}`;
  return message.payload;
}

/** The JSON text of a dead-letter record written to `<queue>-poison`. */
export function encodeDeadLetterText(envelope: DeadLetterEnvelope): string {
  return `{"${ENVELOPE_MARKER}":1,"deadLetter":${JSON.stringify(envelope)}}`;
}

/**
 * Base64 of the UTF-8 text: the Functions host's default `messageEncoding`. Refuses text
 * whose encoded form exceeds the 64 KiB Storage limit, before any network call.
 */
export function encodeBase64Message(operation: string, text: string): string {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  if (encoded.length > STORAGE_QUEUE_MAX_BYTES) {
    throw new FaasportError(
      'PAYLOAD_TOO_LARGE',
      `${operation}: message is ${formatBytes(encoded.length)} once base64-encoded, azure storage queues accept ${formatBytes(STORAGE_QUEUE_MAX_BYTES)} (about 48 KB of JSON); send a smaller message or a reference to stored data`,
      { status: 413, details: { bytes: encoded.length, limit: STORAGE_QUEUE_MAX_BYTES, target: 'azure storage queue' } },
    );
  }
  return encoded;
}
