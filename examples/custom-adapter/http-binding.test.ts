import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { isFaasportError, type CloudEvent } from 'faasport';
import { contentModeOf, decodeHttpEvent, type HttpEventMessage } from './decode-http-binding.js';
import { encodeBinaryMode, encodeStructuredMode, type HttpEventRequest } from './encode-http-binding.js';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../conformance/fixtures/${path}`, import.meta.url), 'utf8'));

/** A CloudEvent with the required attributes; `extra` adds or overrides the rest. */
const event = (extra: Record<string, unknown> = {}): CloudEvent =>
  ({ specversion: '1.0', id: 'evt-1', source: '/orders/eu', type: 'com.example.order.created', ...extra }) as CloudEvent;

/** What arrives at the receiver for a message a sender encoded. */
function received(message: HttpEventRequest): HttpEventMessage {
  const body = message.body === undefined ? new Uint8Array(0) : typeof message.body === 'string' ? new TextEncoder().encode(message.body) : message.body;
  return { headers: new Headers(message.headers), body };
}

/** A binary-mode message with exactly these headers and body. */
function binary(headers: Record<string, string>, body = ''): HttpEventMessage {
  return { headers: new Headers(headers), body: new TextEncoder().encode(body) };
}

const required = { 'ce-specversion': '1.0', 'ce-id': 'evt-1', 'ce-source': '/orders/eu', 'ce-type': 'com.example.order.created' };

function failure(fn: () => unknown): { code: string; status: number | undefined; details: Record<string, unknown> | undefined; message: string } {
  try {
    fn();
  } catch (err) {
    if (!isFaasportError(err)) throw err;
    return { code: err.code, status: err.status, details: err.details, message: err.message };
  }
  throw new Error('expected a FaasportError');
}

const bytes = new Uint8Array([0, 1, 2, 250, 255]);

describe.each([
  ['binary', encodeBinaryMode],
  ['structured', encodeStructuredMode],
] as const)('%s content mode round-trips', (mode, encode) => {
  test.each([
    ['JSON data', event({ datacontenttype: 'application/json', data: { order: 42, items: ['a', 'b'] } })],
    ['JSON data without a media type (defaults to application/json)', event({ data: { ok: true } })],
    ['text data', event({ datacontenttype: 'text/plain; charset=utf-8', data: 'héllo 🚀' })],
    ['bytes', event({ datacontenttype: 'application/octet-stream', data: bytes })],
    ['no data', event()],
    [
      'optional attributes and extensions',
      event({
        subject: 'orders/42',
        time: '2025-01-02T03:04:05.678Z',
        dataschema: 'https://example.com/s.json',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        partitionkey: 'eu 1',
      }),
    ],
    ['unicode in attribute values', event({ subject: 'Euro € 😀 "quoted" 100%' })],
  ])('%s', (_name, original) => {
    const message = received(encode(original));
    expect(contentModeOf(message.headers)).toBe(mode);
    const decoded = decodeHttpEvent(message);
    const expected: Record<string, unknown> = { ...original };
    if (original.data !== undefined && original.datacontenttype === undefined) expected.datacontenttype = mode === 'binary' ? 'application/json' : undefined;
    if (expected.datacontenttype === undefined) delete expected.datacontenttype;
    expect({ ...decoded }).toEqual(expected);
  });
});

describe('vendor CloudEvents (shared fixtures)', () => {
  test('a Cloud Storage event decodes in structured mode and survives a binary-mode hop', () => {
    const structured = received({
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(fixture('google/storage/cloudevent-finalized.json')),
    });
    const decoded = decodeHttpEvent(structured);
    expect(decoded.type).toBe('google.cloud.storage.object.v1.finalized');
    expect((decoded.data as { name: string }).name).toBe('folder/Test.cs');
    expect({ ...decodeHttpEvent(received(encodeBinaryMode(decoded))) }).toEqual({ ...decoded });
  });

  test('an Event Grid event spelling "specVersion" is refused, naming the attribute', () => {
    const message = received({
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(fixture('azure/event-grid/storage-blob-created-cloudevents-schema.json')),
    });
    const f = failure(() => decodeHttpEvent(message));
    expect(f).toMatchObject({ code: 'EVENT_INVALID', status: 400, details: { path: 'specversion' } });
  });
});

describe('binary mode: a missing required attribute is a typed error naming its header', () => {
  test.each(Object.keys(required))('%s', (header) => {
    const headers: Record<string, string> = { ...required };
    delete headers[header];
    const f = failure(() => decodeHttpEvent(binary(headers)));
    expect(f).toMatchObject({ code: 'EVENT_INVALID', status: 400, details: { header } });
    expect(f.message).toContain(`missing the required header "${header}"`);
  });
});

describe('malformed events are EVENT_INVALID with the right status', () => {
  test.each<[string, () => HttpEventMessage, number, RegExp]>([
    [
      'structured mode without an id',
      () => received({ headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify({ specversion: '1.0', source: '/s', type: 't' }) }),
      400,
      /"id"/,
    ],
    ['specversion 0.3', () => binary({ ...required, 'ce-specversion': '0.3' }), 400, /specversion/],
    ['ce-datacontenttype in binary mode', () => binary({ ...required, 'ce-datacontenttype': 'application/json' }), 400, /ce-datacontenttype/],
    ['an extension header that is no attribute name', () => binary({ ...required, 'ce-my-extension': 'x' }), 400, /ce-my-extension/],
    ['an overlong UTF-8 percent sequence', () => binary({ ...required, 'ce-subject': 'a%C0%A0b' }), 400, /percent-encoded/],
    ['a bare percent sign', () => binary({ ...required, 'ce-subject': '100%' }), 400, /percent-encoded/],
    ['a time that is not RFC 3339', () => binary({ ...required, 'ce-time': 'yesterday' }), 400, /time/],
    ['JSON data that does not parse', () => binary({ ...required, 'content-type': 'application/json' }, '{"a":'), 400, /not valid JSON/],
    ['structured body that is not JSON', () => binary({ 'content-type': 'application/cloudevents+json' }, 'nope'), 400, /not UTF-8 JSON/],
    [
      'invalid data_base64',
      () => received({ headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify({ ...event(), data_base64: '***' }) }),
      400,
      /data_base64/,
    ],
    [
      'a structured extension whose value is an object',
      () => received({ headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify({ ...event(), meta: { a: 1 } }) }),
      400,
      /extension "meta"/,
    ],
    ['batched content mode', () => binary({ 'content-type': 'application/cloudevents-batch+json' }, '[]'), 415, /batched/],
    ['an event format other than JSON', () => binary({ 'content-type': 'application/cloudevents+avro' }, 'x'), 415, /avro/],
    ['a request with no CloudEvent', () => binary({ 'content-type': 'application/json' }, '{}'), 400, /carries no CloudEvent/],
  ])('%s', (_name, message, status, pattern) => {
    const f = failure(() => decodeHttpEvent(message()));
    expect(f.code).toBe('EVENT_INVALID');
    expect(f.status).toBe(status);
    expect(f.message).toMatch(pattern);
  });
});

describe('data and extensions', () => {
  test('structured data_base64 becomes bytes', () => {
    const message = received({ headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify({ ...event(), data_base64: 'AAEC+v8=' }) });
    expect(decodeHttpEvent(message).data).toEqual(bytes);
  });

  test('binary-mode bytes stay bytes, byte for byte', () => {
    const message = { headers: new Headers({ ...required, 'content-type': 'image/png' }), body: bytes };
    expect(decodeHttpEvent(message).data).toEqual(bytes);
  });

  test.each([
    ['a plain value', 'eu-1', 'eu-1'],
    ['a quoted string (older senders)', '"eu \\"one\\""', 'eu "one"'],
    ['a percent-encoded value, decoded once', 'eu%2520one', 'eu%20one'],
    ['lower-case hex', '%e2%82%ac', '€'],
  ])('extension header with %s', (_name, raw, value) => {
    expect(decodeHttpEvent(binary({ ...required, 'ce-partitionkey': raw })).partitionkey).toBe(value);
  });

  test('extensions with integer and boolean values travel as strings in binary mode', () => {
    const { headers } = encodeBinaryMode(event({ sequence: 7, sampled: true }));
    expect(headers['ce-sequence']).toBe('7');
    expect(headers['ce-sampled']).toBe('true');
  });

  test('an attribute without a canonical string form is refused when encoding', () => {
    expect(failure(() => encodeBinaryMode(event({ nested: { a: 1 } })))).toMatchObject({ code: 'EVENT_INVALID', details: { path: 'nested' } });
  });

  test.each([
    [{ 'content-type': 'application/cloudevents+json; charset=UTF-8' }, 'structured'],
    [{ 'content-type': 'Application/CloudEvents+JSON' }, 'structured'],
    [{ 'content-type': 'application/cloudevents-batch+json' }, 'batched'],
    [{ 'ce-specversion': '1.0', 'content-type': 'application/json' }, 'binary'],
    [{ 'content-type': 'application/json' }, undefined],
    [{}, undefined],
  ])('content mode of %j is %s', (headers, mode) => {
    expect(contentModeOf(new Headers(headers))).toBe(mode);
  });
});
