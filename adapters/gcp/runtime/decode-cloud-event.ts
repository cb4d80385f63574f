import { toCloudEvent, type CloudEvent } from 'faasport';

/**
 * The portable CloudEvent for what the Functions Framework hands a `cloudEvent` function:
 * a binary-mode event (context from `ce-*` headers, `data` as the framework parsed the body),
 * a structured-mode event, or one the framework converted from a legacy background event.
 * Bytes (non-JSON, non-text bodies) become a `Uint8Array` view; nothing is copied.
 *
 * A binary-mode event's `Content-Type` is its `datacontenttype`; the framework does not copy
 * it onto the event, so registerGcp makes it do so (`carryBinaryContentType` in framework.ts), parameters
 * and all. Should that hook be unavailable (a framework whose internals changed), an event
 * without `datacontenttype` gets the one its body's parsed form shows, so that it still has one:
 * JSON → `application/json` (the framework parses only JSON types into values), text →
 * `text/plain`, bytes → `application/octet-stream`.
 *
 * Throws EVENT_INVALID naming the attribute that is wrong.
 */
export function decodeCloudEvent(event: unknown, operation: string): CloudEvent {
  if (typeof event !== 'object' || event === null) return toCloudEvent(event, operation);
  const e = event as { data?: unknown; datacontenttype?: unknown };
  const bytes = Buffer.isBuffer(e.data);
  const type = e.datacontenttype === undefined && e.data !== undefined && e.data !== null ? impliedContentType(e.data, bytes) : undefined;
  if (!bytes && type === undefined) return toCloudEvent(event, operation);
  const data = bytes ? new Uint8Array((e.data as Buffer).buffer, (e.data as Buffer).byteOffset, (e.data as Buffer).byteLength) : e.data;
  return toCloudEvent({ ...event, data, ...(type ? { datacontenttype: type } : {}) }, operation);
}

function impliedContentType(data: unknown, bytes: boolean): string {
  if (bytes) return 'application/octet-stream';
  return typeof data === 'string' ? 'text/plain' : 'application/json';
}
