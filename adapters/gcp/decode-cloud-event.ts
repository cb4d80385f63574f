import { toCloudEvent, type CloudEvent } from '../../src/index.js';

/**
 * The portable CloudEvent for what the Functions Framework hands a `cloudEvent` function:
 * a binary-mode event (context from `ce-*` headers, `data` as the framework parsed the body),
 * a structured-mode event, or one the framework converted from a legacy background event.
 * Bytes (non-JSON, non-text bodies) become a `Uint8Array` view; nothing is copied.
 *
 * Throws EVENT_INVALID naming the attribute that is wrong.
 */
export function decodeCloudEvent(event: unknown, operation: string): CloudEvent {
  if (typeof event === 'object' && event !== null && Buffer.isBuffer((event as { data?: unknown }).data)) {
    const data = (event as { data: Buffer }).data;
    return toCloudEvent({ ...event, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }, operation);
  }
  return toCloudEvent(event, operation);
}
