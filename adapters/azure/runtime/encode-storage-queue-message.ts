import { FaasportError, formatBytes } from 'faasport/adapter-kit';
import type { DeadLetterEnvelope, OutgoingMessage } from 'faasport';
import { STORAGE_QUEUE_MAX_BYTES } from './adapter.js';

/**
 * Marks faasport's JSON envelope inside a Storage queue message. Storage queues carry only
 * text, so attributes (trace context, user attributes) travel beside the body:
 * `{"$faasport":1,"attributes":{…},"body":…}`. Without attributes the body is sent bare, so
 * other producers and consumers see plain JSON.
 */
export const ENVELOPE_MARKER = '$faasport';

/**
 * The JSON text of a queue message: the payload itself, or the envelope when it has
 * attributes. A JSON string goes in the envelope too: the library hands a function `"…"` and
 * `…` as the same string, and a bare string that is base64 of JSON would read as that JSON.
 */
export function encodeQueueText(message: Pick<OutgoingMessage, 'payload' | 'attributes'>): string {
  const attributes = message.attributes;
  for (const _ in attributes) return `{"${ENVELOPE_MARKER}":1,"attributes":${JSON.stringify(attributes)},"body":${message.payload}}`;
  return message.payload.charCodeAt(0) === 34 ? `{"${ENVELOPE_MARKER}":1,"attributes":{},"body":${message.payload}}` : message.payload;
}

/** The JSON text of a dead-letter record written to `<queue>-poison`. */
export function encodeDeadLetterText(envelope: DeadLetterEnvelope): string {
  return `{"${ENVELOPE_MARKER}":1,"deadLetter":${JSON.stringify(envelope)}}`;
}

/**
 * The text as it goes on the queue: as is, since faasport builds apps with host.json
 * `messageEncoding: "none"` (what `@azure/storage-queue`'s `sendMessage` sends by default). JSON text is XML-safe (it escapes control characters) and the SDK escapes
 * markup. Refuses text over the 64 KiB Storage limit (UTF-8 bytes), before any network call.
 */
export function encodeStorageQueueMessage(operation: string, text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > STORAGE_QUEUE_MAX_BYTES) {
    throw new FaasportError(
      'PAYLOAD_TOO_LARGE',
      `${operation}: message is ${formatBytes(bytes)}, azure storage queues accept ${formatBytes(STORAGE_QUEUE_MAX_BYTES)}; send a smaller message or a reference to stored data`,
      { status: 413, details: { bytes, limit: STORAGE_QUEUE_MAX_BYTES, target: 'azure storage queue' } },
    );
  }
  return text;
}
