import { FaasportError, toCloudEvent, type CloudEvent } from 'faasport';
import { decodeHeaderValue } from './header-value.js';
import { isJsonMediaType, isTextMediaType, mediaTypeOf } from './media-type.js';

/** How a request carries a CloudEvent (CloudEvents HTTP binding, section 3). */
export type ContentMode = 'binary' | 'structured' | 'batched';

const STRUCTURED_PREFIX = 'application/cloudevents';
const BATCHED_PREFIX = 'application/cloudevents-batch';
const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const CORE = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The content mode a request uses, or undefined when it carries no CloudEvent: the
 * `Content-Type` prefix decides structured and batched; otherwise a `ce-specversion` header
 * marks binary mode.
 *
 * @example
 * ```ts
 * contentModeOf(new Headers({ 'content-type': 'application/cloudevents+json' })); // 'structured'
 * contentModeOf(new Headers({ 'ce-specversion': '1.0' })); // 'binary'
 * ```
 */
export function contentModeOf(headers: Headers): ContentMode | undefined {
  const type = mediaTypeOf(headers.get('content-type'));
  if (type?.startsWith(BATCHED_PREFIX)) return 'batched';
  if (type?.startsWith(STRUCTURED_PREFIX)) return 'structured';
  return headers.has('ce-specversion') ? 'binary' : undefined;
}

/** An HTTP message as received: headers and the raw body bytes. */
export interface HttpEventMessage {
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/**
 * Decodes a CloudEvent from an HTTP request in binary or structured content mode. Data is
 * decoded by its media type: JSON → value, text → string, anything else → bytes
 * (`data_base64` in structured mode → bytes). Anything malformed is EVENT_INVALID with
 * status 400 (415 for a format or mode this receiver does not support), naming the header or
 * attribute at fault.
 *
 * @example
 * ```ts
 * const event = decodeHttpEvent({
 *   headers: new Headers({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'content-type': 'application/json' }),
 *   body: new TextEncoder().encode('{"a":1}'),
 * });
 * event.data; // { a: 1 }
 * ```
 */
export function decodeHttpEvent(message: HttpEventMessage, operation = 'knative: receive CloudEvent'): CloudEvent {
  const mode = contentModeOf(message.headers);
  if (mode === 'structured') return decodeStructured(message, operation);
  // ce-* headers without ce-specversion: report the missing header rather than "no CloudEvent".
  if (mode === 'binary' || (mode === undefined && hasCeHeader(message.headers))) return decodeBinary(message, operation);
  if (mode === 'batched') {
    throw new FaasportError(
      'EVENT_INVALID',
      `${operation}: batched content mode (application/cloudevents-batch) is not supported; send one event per request`,
      {
        status: 415,
      },
    );
  }
  throw new FaasportError(
    'EVENT_INVALID',
    `${operation}: the request carries no CloudEvent; send binary mode (ce-specversion, ce-id, ce-source, ce-type headers) or structured mode (Content-Type: application/cloudevents+json)`,
    { status: 400 },
  );
}

function hasCeHeader(headers: Headers): boolean {
  for (const name of headers.keys()) if (name.startsWith('ce-')) return true;
  return false;
}

function decodeBinary({ headers, body }: HttpEventMessage, operation: string): CloudEvent {
  const attributes: Record<string, unknown> = {};
  headers.forEach((value, name) => {
    if (!name.startsWith('ce-')) return;
    const attribute = name.slice(3);
    if (attribute === 'datacontenttype') {
      throw invalid(operation, `binary mode must not carry "ce-datacontenttype"; the media type of the data goes in Content-Type`, name);
    }
    if (!EXTENSION_NAME.test(attribute)) {
      throw invalid(operation, `header "${name}" does not name a CloudEvents attribute (lower-case letters and digits, at most 20)`, name);
    }
    attributes[attribute] = decodeHeaderValue(name, value, operation);
  });
  for (const key of REQUIRED) {
    if (!attributes[key]) throw invalid(operation, `binary-mode CloudEvent is missing the required header "ce-${key}"`, `ce-${key}`);
  }
  const contentType = headers.get('content-type');
  if (contentType) attributes.datacontenttype = contentType;
  if (body.length > 0) attributes.data = decodeData(body, contentType, operation);
  return toCloudEvent(attributes, operation);
}

function decodeStructured({ headers, body }: HttpEventMessage, operation: string): CloudEvent {
  const type = mediaTypeOf(headers.get('content-type'))!;
  if (!isJsonMediaType(type)) {
    throw new FaasportError('EVENT_INVALID', `${operation}: event format "${type}" is not supported; use application/cloudevents+json or binary mode`, {
      status: 415,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch (err) {
    throw new FaasportError('EVENT_INVALID', `${operation}: structured-mode body is not UTF-8 JSON (${(err as Error).message})`, { status: 400, cause: err });
  }
  const event = toCloudEvent(parsed, operation);
  for (const key of Object.keys(event)) {
    if (CORE.has(key)) continue;
    const value = event[key];
    // The type system admits strings, integers, booleans (and forms of those); an object has no header form.
    if (typeof value !== 'string' && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isInteger(value))) {
      throw new FaasportError(
        'EVENT_INVALID',
        `${operation}: extension "${key}" is ${value === null ? 'null' : typeof value}; extension values are strings, integers or booleans`,
        {
          status: 400,
          details: { path: key },
        },
      );
    }
  }
  return event;
}

function decodeData(body: Uint8Array, contentType: string | null, operation: string): unknown {
  const type = mediaTypeOf(contentType);
  if (!isJsonMediaType(type) && !isTextMediaType(type)) return body;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (err) {
    throw invalid(operation, `data declared as ${type} is not valid UTF-8`, 'content-type', err);
  }
  if (!isJsonMediaType(type)) return text;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(operation, `data declared as ${type} is not valid JSON (${(err as Error).message})`, 'content-type', err);
  }
}

function invalid(operation: string, why: string, header: string, cause?: unknown): FaasportError {
  return new FaasportError('EVENT_INVALID', `${operation}: ${why}`, { status: 400, details: { header }, ...(cause ? { cause } : {}) });
}
