import { FaasportError, type QueueMessage } from 'faasport';
import { ENVELOPE_MARKER } from './encode-storage-queue-message.js';
import { decodeUnmarkedBody } from 'faasport/adapter-kit';

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
 * Turns what the library passes a storage queue function (the message text, which the library
 * has JSON-parsed when it could) plus its trigger metadata into a QueueMessage. `attempt` is
 * the host's `DequeueCount` (1 on first delivery). Text that is base64 is decoded when it holds
 * JSON ({@link fromStorageQueueText}).
 *
 * Throws MESSAGE_INVALID for base64 of text that is not JSON: it cannot be told apart from
 * text that happens to be base64, and retrying cannot change that.
 *
 * @example
 * ```ts
 * import { decodeStorageQueueMessage } from 'faasport/azure';
 * const msg = decodeStorageQueueMessage({ name: 'world' }, { id: 'm1', dequeueCount: 2, insertionTime: '2022-08-25T05:06:39+00:00' }, 'inv-1');
 * // msg.attempt === 2, msg.body.name === 'world'
 * ```
 */
export function decodeStorageQueueMessage(item: unknown, metadata: StorageQueueTriggerMetadata | undefined, fallbackId: string): QueueMessage {
  const message = rawStorageQueueMessage(item, metadata, fallbackId);
  const { body, attributes } = unwrapBody(typeof item === 'string' ? fromStorageQueueText(item, message.id) : item);
  message.body = body;
  message.attributes = attributes;
  return message;
}

/**
 * The message of a storage queue delivery with its body as the library handed it over: what
 * a dead letter keeps when the body cannot be decoded.
 */
export function rawStorageQueueMessage(
  item: unknown,
  metadata: StorageQueueTriggerMetadata | undefined,
  fallbackId: string,
): { -readonly [K in keyof QueueMessage]: QueueMessage[K] } {
  const id = typeof metadata?.id === 'string' && metadata.id !== '' ? metadata.id : fallbackId;
  return { id, body: item, attempt: toAttempt(metadata?.dequeueCount), enqueuedAt: toDate(metadata?.insertionTime), attributes: NO_ATTRIBUTES };
}

/** Canonical base64 (RFC 4648 alphabet, padded), the form `Buffer#toString('base64')` and the portal write. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
let utf8: TextDecoder | undefined;

/**
 * A storage queue message text that is not JSON (JSON text the library has already parsed).
 * faasport builds apps with host.json `messageEncoding: "none"`, so the text arrives as it was
 * sent: `@azure/storage-queue`'s `sendMessage` (by default) and faasport itself send it as
 * is. Some producers base64-encode it instead (the portal's and Storage Explorer's
 * Base64 option, an SDK set to base64, messages queued for the host's old default), and base64
 * is itself text, so:
 * - text that is not canonical base64, or whose bytes are not UTF-8 text: the string;
 * - base64 of UTF-8 JSON: the parsed value (what the encoded JSON means);
 * - base64 of other UTF-8 text: MESSAGE_INVALID, since it cannot be told apart from text that
 *   happens to be base64 (`aGVsbG8=`, some short tokens), and a guess could hand the function a
 *   wrong value.
 */
export function fromStorageQueueText(text: string, messageId = ''): unknown {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return text;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return text;
  const value = decodeUnmarkedBody(bytes);
  if (typeof value !== 'string') return value instanceof Uint8Array ? text : value;
  // A JSON string literal is JSON too; parseJsonOrText gives the same string for `"hi"` and `hi`.
  const decoded = (utf8 ??= new TextDecoder()).decode(bytes).trim();
  if (decoded.startsWith('"')) {
    try {
      return JSON.parse(decoded) as unknown;
    } catch {
      /* text that starts with a quote: ambiguous like any other */
    }
  }
  throw new FaasportError(
    'MESSAGE_INVALID',
    `storage queue message${messageId ? ` ${messageId}` : ''}: its text is base64 of ${bytes.length} bytes of text that is not JSON, which faasport cannot tell from text that happens to be base64, so the function did not run; send the text itself (not base64-encoded: in the portal or Storage Explorer, turn the Base64 option off), or send JSON such as {"value":"..."}`,
    { details: { path: '', reason: 'ambiguous-base64', bytes: bytes.length } },
  );
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
