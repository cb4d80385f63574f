import { FaasportError, type CloudEvent } from 'faasport';
import { encodeHeaderValue } from './header-value.js';
import { isJsonMediaType, mediaTypeOf } from './media-type.js';

/** An HTTP message ready to send: header names are lower-case. */
export interface HttpEventRequest {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string | undefined;
}

const SKIP = new Set(['data', 'data_base64', 'datacontenttype']);

/**
 * Encodes a CloudEvent in binary content mode: every attribute and extension becomes a
 * percent-encoded `ce-*` header, `datacontenttype` becomes `Content-Type` and the data is the
 * body. Bytes travel as they are; strings with a non-JSON media type as text; every other
 * value as JSON (`application/json` when no media type is given).
 *
 * @example
 * ```ts
 * const { headers, body } = encodeBinaryMode({ specversion: '1.0', id: '1', source: '/s', type: 't', data: { a: 1 } });
 * headers['ce-id']; // '1'
 * headers['content-type']; // 'application/json'
 * body; // '{"a":1}'
 * ```
 */
export function encodeBinaryMode(event: CloudEvent, operation = 'knative: send CloudEvent'): HttpEventRequest {
  const headers: Record<string, string> = {};
  for (const key of Object.keys(event)) {
    if (SKIP.has(key)) continue;
    const value = canonicalString(event[key], key, operation);
    if (value !== undefined) headers[`ce-${key}`] = encodeHeaderValue(value);
  }
  const { body, contentType } = encodeData(event.data, event.datacontenttype);
  if (contentType) headers['content-type'] = contentType;
  return { headers, body };
}

/**
 * Encodes a CloudEvent in structured content mode with the JSON event format
 * (`application/cloudevents+json`); bytes become `data_base64`.
 *
 * @example
 * ```ts
 * const { body } = encodeStructuredMode({ specversion: '1.0', id: '1', source: '/s', type: 't', data: new Uint8Array([1]) });
 * JSON.parse(body as string).data_base64; // 'AQ=='
 * ```
 */
export function encodeStructuredMode(event: CloudEvent): HttpEventRequest {
  const json: Record<string, unknown> = {};
  for (const key of Object.keys(event)) {
    if (key === 'data' || key === 'data_base64') continue;
    const value = event[key];
    json[key] = value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
  }
  if (event.data instanceof Uint8Array) json.data_base64 = Buffer.from(event.data).toString('base64');
  else if (event.data !== undefined) json.data = event.data;
  return { headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body: JSON.stringify(json) };
}

function encodeData(data: unknown, datacontenttype: string | undefined): { body: Uint8Array | string | undefined; contentType: string | undefined } {
  if (data === undefined) return { body: undefined, contentType: datacontenttype };
  if (data instanceof Uint8Array) return { body: data, contentType: datacontenttype };
  const type = mediaTypeOf(datacontenttype);
  if (typeof data === 'string' && type !== undefined && !isJsonMediaType(type)) return { body: data, contentType: datacontenttype };
  return { body: JSON.stringify(data), contentType: datacontenttype ?? 'application/json' };
}

/** The canonical string form of an attribute value (CloudEvents type system), or undefined to omit it. */
function canonicalString(value: unknown, key: string, operation: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  throw new FaasportError(
    'EVENT_INVALID',
    `${operation}: attribute "${key}" is ${typeof value}; CloudEvents attributes are strings, integers, booleans, timestamps or bytes`,
    {
      details: { path: key },
    },
  );
}
