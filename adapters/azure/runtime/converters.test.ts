import { describe, expect, test } from 'vitest';
import { createApp } from 'faasport';
import { decodeEventGridEvent } from './decode-event-grid.js';
import { decodePoisonMessage } from './decode-dead-letter.js';
import { decodeServiceBusDeadLetter } from './decode-service-bus-dead-letter.js';
import { decodeServiceBusMessage } from './decode-service-bus.js';
import { decodeStorageQueueMessage, fromStorageQueueText } from './decode-storage-queue.js';
import { decodeTimer } from './decode-timer.js';
import { encodeHttpResponse, parseSetCookie } from './encode-http-response.js';
import { encodeQueueText, encodeStorageQueueMessage } from './encode-storage-queue-message.js';
import { hostQueueSettings, toTimeSpan } from './host-settings.js';
import { storageQueueName } from './names.js';

describe.each([
  ['session=abc123; Path=/; HttpOnly; Secure; SameSite=Lax', { name: 'session', value: 'abc123', path: '/', httpOnly: true, secure: true, sameSite: 'Lax' }],
  ['SessionID=x; Expires=Wed, 21 Oct 2037 07:28:00 GMT', { name: 'SessionID', value: 'x', expires: new Date('2037-10-21T07:28:00Z') }],
  [
    'Theme=dark=blue; Domain=example.com; Max-Age=60; samesite=none',
    { name: 'Theme', value: 'dark=blue', domain: 'example.com', maxAge: 60, sameSite: 'None' },
  ],
  ['flag', { name: '', value: 'flag' }],
])('parseSetCookie(%j)', (header, cookie) => {
  test('keeps the name case and every attribute', () => {
    expect(parseSetCookie(header)).toEqual(cookie);
  });
});

describe('encodeHttpResponse', () => {
  test('Set-Cookie headers become cookies; other headers and the binary body stay as they are', async () => {
    const headers = new Headers({ 'content-type': 'image/png', 'x-one': 'a' });
    headers.append('set-cookie', 'A=1');
    headers.append('set-cookie', 'B=2; HttpOnly');
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const init = encodeHttpResponse(new Response(bytes, { status: 201, headers }));
    expect(init.status).toBe(201);
    expect(init.headers).toEqual({ 'content-type': 'image/png', 'x-one': 'a' });
    expect(init.cookies).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2', httpOnly: true },
    ]);
    expect(new Uint8Array(await new Response(init.body as ReadableStream).arrayBuffer())).toEqual(bytes);
  });
});

describe.each([
  ['orders', undefined, 'orders'],
  ['Orders', undefined, 'orders'],
  ['shipped', 'notifyCustomer', 'shipped-notifycustomer'],
])('storageQueueName(%s, %s)', (queue, subscriber, expected) => {
  test(`is ${expected}`, () => expect(storageQueueName(queue, subscriber)).toBe(expected));
});

describe.each([['ab'], ['a--b'], ['x'.repeat(57)], ['end-']])('storageQueueName(%j)', (name) => {
  test('is refused', () => expect(() => storageQueueName(name)).toThrow(expect.objectContaining({ code: 'CAPABILITY_UNSUPPORTED' })));
});

describe.each([
  [0, '00:00:00'],
  [100, '00:00:00.100'],
  [30_000, '00:00:30'],
  [600_000, '00:10:00'],
  [90_061_000, '1.01:01:01'],
])('toTimeSpan(%d)', (ms, expected) => {
  test(`is ${expected}`, () => expect(toTimeSpan(ms)).toBe(expected));
});

test('hostQueueSettings takes the largest maxAttempts and the smallest first backoff', () => {
  const app = createApp('settings');
  app.queue('a', { maxAttempts: 3, backoff: { initialDelayMs: 2000 } });
  app.queue('b', { maxAttempts: 7, backoff: false, batchSize: 64 });
  expect(hostQueueSettings(app)).toEqual({ maxDequeueCount: 7, visibilityTimeoutMs: 0, batchSize: 32, messageEncoding: 'none' });
});

describe('queue message text', () => {
  test('bare JSON without attributes, the envelope with them, decoded back the same', () => {
    expect(encodeQueueText({ payload: '{"a":1}', attributes: {} })).toBe('{"a":1}');
    const text = encodeQueueText({ payload: '[1,2]', attributes: { traceparent: 't', k: 'v' } });
    const msg = decodeStorageQueueMessage(JSON.parse(text), { id: 'i', dequeueCount: 4, insertionTime: '2022-08-25T05:06:39+00:00' }, 'inv');
    expect(msg).toEqual({ id: 'i', body: [1, 2], attempt: 4, enqueuedAt: new Date('2022-08-25T05:06:39Z'), attributes: { traceparent: 't', k: 'v' } });
  });

  test('bytes are read as UTF-8 JSON, and a missing id falls back to the invocation id', () => {
    const msg = decodeStorageQueueMessage(Buffer.from('"héllo"'), undefined, 'inv-9');
    expect(msg).toMatchObject({ id: 'inv-9', body: 'héllo', attempt: 1, attributes: {} });
  });

  test('the text goes as is; the 64 KiB limit counts its UTF-8 bytes', () => {
    expect(encodeStorageQueueMessage('queue "q": send', 'x'.repeat(65_536))).toHaveLength(65_536);
    expect(() => encodeStorageQueueMessage('queue "q": send', 'x'.repeat(65_537))).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(() => encodeStorageQueueMessage('queue "q": send', 'é'.repeat(32_769))).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  });

  test('a JSON string body travels in the envelope, so base64-looking text sent by faasport stays a string', () => {
    const text = encodeQueueText({ payload: '"eyJuIjozfQ=="', attributes: {} });
    expect(JSON.parse(text)).toEqual({ $faasport: 1, attributes: {}, body: 'eyJuIjozfQ==' });
    expect(decodeStorageQueueMessage(JSON.parse(text), { id: 'i' }, 'inv').body).toBe('eyJuIjozfQ==');
  });

  test('Service Bus: delivery count, application properties (not the host ones) and the session', () => {
    const msg = decodeServiceBusMessage(
      { id: 'o1' },
      {
        messageId: 'm1',
        deliveryCount: 2,
        enqueuedTimeUtc: '2022-08-25T05:06:39.775Z',
        applicationProperties: { tenant: 'a', $AzureWebJobsParentId: 'p', n: 3 },
        sessionId: 'g1',
      },
      'inv',
    );
    expect(msg).toEqual({
      id: 'm1',
      body: { id: 'o1' },
      attempt: 2,
      enqueuedAt: new Date('2022-08-25T05:06:39.775Z'),
      attributes: { tenant: 'a' },
      groupId: 'g1',
    });
  });
});

describe('decodePoisonMessage', () => {
  const source = { queue: 'orders', storageQueue: 'orders', functionName: 'fulfil', hostMaxAttempts: 5 };
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  test.each([
    ['JSON as sent', '{"id":"o1"}', { id: 'o1' }],
    ['base64 of JSON (written before messageEncoding "none")', b64('{"id":"o1"}'), { id: 'o1' }],
    ['text', 'not JSON at all!', 'not JSON at all!'],
    ['base64 of text, which a delivery refuses as ambiguous: the text as it is', b64('hello'), b64('hello')],
    ['empty', '', ''],
  ])('a message the host moved (%s) keeps its body and says the error is in the logs', (_name, text, body) => {
    const env = decodePoisonMessage({ messageId: 'p1', messageText: text, insertedOn: new Date('2024-01-01T00:00:00Z') }, source);
    expect(env).toMatchObject({ attempts: 5, message: { id: 'p1', body }, firstAttemptAt: '2024-01-01T00:00:00.000Z' });
    expect(env.lastError.message).toContain("the error is in the function's logs");
  });

  test.each([
    ['as sent', (t: string) => t],
    ['base64', b64],
  ])("faasport's own dead-letter record (%s) is the envelope it wrote", (_name, encode) => {
    const record = {
      queue: 'orders',
      functionName: 'fulfil',
      attempts: 3,
      lastError: { name: 'Error', message: 'boom' },
      message: { id: 'm', body: 1, attributes: {}, enqueuedAt: 'x' },
      firstAttemptAt: 'a',
      deadLetteredAt: 'b',
    };
    expect(decodePoisonMessage({ messageId: 'p2', messageText: encode(`{"$faasport":1,"deadLetter":${JSON.stringify(record)}}`) }, source)).toEqual(record);
  });
});

// Storage queue text that is not JSON (JSON the library has parsed already). Base64 is decoded
// only when what it holds is JSON; base64 of other text is refused, never guessed.
describe('fromStorageQueueText', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  test.each([
    ['plain text', 'plain text héllo', 'plain text héllo'],
    ['base64 of a JSON object (the portal with Base64 on)', b64('{"n":3}'), { n: 3 }],
    ['base64 of a JSON array', b64('[1,"é"]'), [1, 'é']],
    ['base64 of a JSON string', b64('"hi"'), 'hi'],
    ['base64 of a JSON number', b64('42'), 42],
    ['base64 of bytes that are not UTF-8 (a word such as "test" is also base64)', 'test', 'test'],
    ['base64 of bytes with control characters', 'AAAA', 'AAAA'],
    ['not canonical base64 (bits left over)', 'eyJuIjozfR==', 'eyJuIjozfR=='],
    ['base64url is not base64', b64('{"n":"??>"}').replace(/\+/g, '-').replace(/\//g, '_'), b64('{"n":"??>"}').replace(/\+/g, '-').replace(/\//g, '_')],
  ])('%s', (_name, text, value) => {
    expect(fromStorageQueueText(text)).toEqual(value);
  });

  test.each([[b64('hello')], ['Zm9v'], [b64('plain text, not JSON')]])(
    'base64 of text that is not JSON (%s) is MESSAGE_INVALID, naming the fix and the field (the body itself)',
    (text) => {
      expect(() => fromStorageQueueText(text, 'm1')).toThrow(
        expect.objectContaining({
          code: 'MESSAGE_INVALID',
          message: expect.stringMatching(/^storage queue message m1: .*turn the Base64 option off.*send JSON/),
          details: expect.objectContaining({ path: '' }),
        }),
      );
    },
  );

  test('decodeStorageQueueMessage applies it to a string and unwraps an envelope inside base64', () => {
    const envelope = '{"$faasport":1,"attributes":{"k":"v"},"body":{"n":3}}';
    expect(decodeStorageQueueMessage(b64(envelope), { id: 'm1', dequeueCount: 1 }, 'inv')).toMatchObject({ body: { n: 3 }, attributes: { k: 'v' } });
    expect(() => decodeStorageQueueMessage(b64('hello'), { id: 'm1' }, 'inv')).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID' }));
  });
});

test('decodeServiceBusDeadLetter keeps the broker reason and delivery count', () => {
  const env = decodeServiceBusDeadLetter(
    {
      messageId: 'm1',
      body: { id: 'o1' },
      deliveryCount: 10,
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deadLetterErrorDescription: 'Message could not be consumed after 10 delivery attempts.',
      enqueuedTimeUtc: new Date('2024-01-01T00:00:00Z'),
    },
    { queue: 'orders', functionName: 'fulfil' },
  );
  expect(env).toMatchObject({
    attempts: 10,
    lastError: { name: 'MaxDeliveryCountExceeded', message: 'Message could not be consumed after 10 delivery attempts.' },
    message: { id: 'm1', body: { id: 'o1' } },
  });
});

describe('decodeTimer', () => {
  const now = new Date('2024-05-01T10:00:30Z');
  test.each([
    ['the monitor record', { isPastDue: false, scheduleStatus: { next: '2024-05-01T10:00:00Z' } }, '2024-05-01T10:00:00.000Z', false],
    ['no monitor record (useMonitor false)', { isPastDue: false, scheduleStatus: null }, '2024-05-01T10:00:00.000Z', false],
    ['a next occurrence still ahead (manual run)', { isPastDue: false, scheduleStatus: { next: '2024-05-01T10:05:00Z' } }, '2024-05-01T10:00:00.000Z', false],
    ['a missed occurrence', { isPastDue: true, scheduleStatus: { next: '2024-05-01T09:00:00Z' } }, '2024-05-01T09:00:00.000Z', true],
  ])('%s', (_label, timer, scheduled, pastDue) => {
    expect(decodeTimer(timer, now)).toEqual({ scheduledTime: new Date(scheduled), actualTime: now, isPastDue: pastDue });
  });
});

describe.each([
  [[], 'an array'],
  [{ id: '1', topic: 't' }, '"eventType"'],
  [{ specVersion: '0.3', id: '1', source: 's', type: 't' }, 'specversion'],
])('decodeEventGridEvent(%j)', (event, message) => {
  test('is EVENT_INVALID', () => {
    expect(() => decodeEventGridEvent(event, 'event "e"')).toThrow(
      expect.objectContaining({ code: 'EVENT_INVALID', message: expect.stringContaining(message) }),
    );
  });
});

// What the library hands a function for a message another producer sent: a string it has
// already tried JSON.parse on (the host's `string` data), or a Buffer (`bytes`, e.g. a Service
// Bus message whose body is binary). Both end in the one unmarked-body rule.
describe.each([
  ['storage queue', (item: unknown) => decodeStorageQueueMessage(item, { id: 'm1', dequeueCount: 1 }, 'inv')],
  ['service bus', (item: unknown) => decodeServiceBusMessage(item, { messageId: 'm1', deliveryCount: 1 }, 'inv')],
])('%s: a message without faasport envelope', (_kind, decode) => {
  test.each([
    ['JSON the library parsed', { n: 3 }, { n: 3 }],
    ['text the library left a string', 'hello', 'hello'],
    ['UTF-8 JSON bytes', Buffer.from('{"n":3}'), { n: 3 }],
    ['UTF-8 text bytes', Buffer.from('héllo'), 'héllo'],
  ])('%s', (_name, item, body) => {
    expect(decode(item).body).toEqual(body);
  });

  test('bytes that are not UTF-8 stay bytes', () => {
    const body = decode(Buffer.from([0xff, 0xfe, 0x00, 0x41])).body;
    expect(body).toBeInstanceOf(Uint8Array);
    expect([...(body as Uint8Array)]).toEqual([0xff, 0xfe, 0x00, 0x41]);
  });
});
