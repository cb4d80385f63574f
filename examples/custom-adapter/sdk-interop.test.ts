import { CloudEvent as SdkEvent, HTTP } from 'cloudevents';
import { describe, expect, test } from 'vitest';
import type { CloudEvent } from 'faasport';
import { decodeHttpEvent } from './decode-http-binding.js';
import { encodeBinaryMode, encodeStructuredMode } from './encode-http-binding.js';

// Interoperability with the CNCF CloudEvents SDK for JavaScript, in both directions and both
// content modes. The SDK (10.x) neither percent-encodes nor percent-decodes header values, so
// the cases keep attribute values to printable ASCII without "%", where both readings agree.

const bytes = new Uint8Array([0, 1, 127, 128, 255]);

/** Attributes and data both sides should agree on. */
const cases: [string, Record<string, unknown>][] = [
  ['JSON data', { datacontenttype: 'application/json', data: { order: 42, tags: ['a', 'b'], nested: { ok: true } } }],
  ['text data', { datacontenttype: 'text/plain', data: 'héllo wörld 🚀' }],
  ['bytes', { datacontenttype: 'application/octet-stream', data: bytes }],
  ['no data, optional attributes', { subject: 'orders/42', dataschema: 'https://example.com/order.json', time: '2025-01-02T03:04:05.678Z' }],
  [
    'extensions',
    { datacontenttype: 'application/json', data: { n: 1 }, partitionkey: 'eu-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  ],
];

const base = { specversion: '1.0', id: 'evt-42', source: '/shop/orders', type: 'com.example.order.created' };

const toBytes = (body: unknown): Uint8Array =>
  body === undefined || body === null ? new Uint8Array(0) : typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body as ArrayBufferLike);

/** The fields of an event both sides must agree on, data normalised to plain values. */
function normalise(event: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = event[key];
    // Bytes compare as numbers: the SDK hands structured-mode data_base64 back as a Uint32Array of byte values.
    out[key] = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
  }
  return out;
}

describe.each([
  ['binary', HTTP.binary, encodeBinaryMode],
  ['structured', HTTP.structured, encodeStructuredMode],
] as const)('%s mode', (_mode, sdkEncode, ourEncode) => {
  test.each(cases)('SDK sends %s, this adapter decodes it', (_name, extra) => {
    const sent = new SdkEvent({ ...base, ...extra } as ConstructorParameters<typeof SdkEvent>[0]);
    const message = sdkEncode(sent);
    const headers = new Headers(message.headers as Record<string, string>);
    const decoded = decodeHttpEvent({ headers, body: toBytes(message.body) });
    const keys = ['specversion', 'id', 'source', 'type', ...Object.keys(extra)];
    expect(normalise(decoded as unknown as Record<string, unknown>, keys)).toEqual(normalise({ ...base, ...extra }, keys));
  });

  test.each(cases)('this adapter sends %s, the SDK decodes it', (_name, extra) => {
    const message = ourEncode({ ...base, ...extra } as CloudEvent);
    const received = HTTP.toEvent({
      headers: message.headers,
      body: message.body instanceof Uint8Array ? Buffer.from(message.body) : message.body,
    }) as SdkEvent<unknown>;
    const keys = ['specversion', 'id', 'source', 'type', ...Object.keys(extra)];
    const got = { ...received.toJSON(), data: received.data } as Record<string, unknown>;
    expect(normalise(got, keys)).toEqual(normalise({ ...base, ...extra }, keys));
  });
});
