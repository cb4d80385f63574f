import type { QueueMessage } from '../../src/index.js';
import { ENVELOPE_MARKER } from './encode-storage-queue-message.js';
import { decodeUnmarkedBody } from '../../src/json-or-text.js';

/** The camelCase trigger metadata the library hands a storage queue function (see SHAPES.md). */
export interface StorageQueueTriggerMetadata {
  readonly id?: unknown;
  readonly dequeueCount?: unknown;
  readonly insertionTime?: unknown;
  readonly [key: string]: unknown;
}

/** Body and attributes of a message text: faasport's envelope unwrapped, anything else as is. */
export interface UnwrappedBody {
  readonly body: unknown;
  readonly attributes: Readonly<Record<string, string>>;
}

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Turns what the library passes a storage queue function (the message already base64-decoded
 * by the host and JSON-parsed by the library) plus its trigger metadata into a QueueMessage.
 * `attempt` is the host's `DequeueCount` (1 on first delivery).
 *
 * @example
 * ```ts
 * import { decodeStorageQueueMessage } from 'faasport/azure';
 * const msg = decodeStorageQueueMessage({ name: 'world' }, { id: 'm1', dequeueCount: 2, insertionTime: '2022-08-25T05:06:39+00:00' }, 'inv-1');
 * // msg.attempt === 2, msg.body.name === 'world'
 * ```
 */
export function decodeStorageQueueMessage(item: unknown, metadata: StorageQueueTriggerMetadata | undefined, fallbackId: string): QueueMessage {
  const { body, attributes } = unwrapBody(item);
  return {
    id: typeof metadata?.id === 'string' && metadata.id !== '' ? metadata.id : fallbackId,
    body,
    attempt: toAttempt(metadata?.dequeueCount),
    enqueuedAt: toDate(metadata?.insertionTime),
    attributes,
  };
}

/**
 * Unwraps faasport's `{"$faasport":1,"attributes":…,"body":…}`. Anything else follows the rule
 * for bodies of other producers: the library has already parsed JSON text (and left other text
 * a string); bytes are UTF-8 JSON, UTF-8 text, or stay bytes ({@link decodeUnmarkedBody}).
 */
export function unwrapBody(item: unknown): UnwrappedBody {
  const value = item instanceof Uint8Array ? decodeUnmarkedBody(item) : item;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (v[ENVELOPE_MARKER] === 1 && 'body' in v) return { body: v.body, attributes: stringAttributes(v.attributes) };
  }
  return { body: value, attributes: NO_ATTRIBUTES };
}

export function stringAttributes(value: unknown): Readonly<Record<string, string>> {
  if (typeof value !== 'object' || value === null) return NO_ATTRIBUTES;
  const result: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string' && !key.startsWith('$')) result[key] = v;
  return result;
}

export function toAttempt(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : 1;
}

export function toDate(value: unknown, fallback: Date = new Date()): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return new Date(at);
  }
  return fallback;
}
