import { describe, expect, test } from 'vitest';
import { createApp, encodeMessage, isFaasportError, type CloudEvent } from 'faasport';
import { decodeHttpEvent } from './decode-http-binding.js';
import { decodeQueueEvent } from './decode-queue-event.js';
import { encodeBinaryMode, encodeStructuredMode } from './encode-http-binding.js';
import { encodeQueueEvent } from './encode-queue-event.js';
import { ATTEMPT_EXTENSION, ATTRIBUTES_EXTENSION, QUEUE_EXTENSION, QUEUE_MESSAGE_TYPE, TOPIC_MESSAGE_TYPE } from './vocabulary.js';

const app = createApp('shop');
const orders = app.queue<{ id: number }>('orders');
const news = app.topic<{ id: number }>('news');
const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** The message `queue.send(body, { attributes })` hands the transport, plus a trace attribute as an invocation adds. */
function outgoing(definition = orders.definition, attributes: Record<string, string> = { tenant: 'eu-1', 'x.y': 'a "b" c' }) {
  const message = encodeMessage('test send', definition, { id: 7, note: 'héllo' }, { attributes });
  return { ...message, attributes: { ...message.attributes, traceparent: TRACE } };
}

const over = (event: CloudEvent, mode: typeof encodeBinaryMode | typeof encodeStructuredMode): CloudEvent => {
  const { headers, body } = mode(event);
  return decodeHttpEvent({ headers: new Headers(headers), body: typeof body === 'string' ? new TextEncoder().encode(body) : (body ?? new Uint8Array(0)) });
};

describe.each([
  ['queue', orders.definition, QUEUE_MESSAGE_TYPE],
  ['topic', news.definition, TOPIC_MESSAGE_TYPE],
] as const)('a %s message as a CloudEvent', (kind, definition, type) => {
  const enqueuedAt = new Date('2025-03-04T05:06:07.089Z');
  const event = encodeQueueEvent('shop', definition, outgoing(definition), 'msg-1', enqueuedAt);

  test('carries the mapping attributes', () => {
    expect(event).toMatchObject({
      specversion: '1.0',
      id: 'msg-1',
      type,
      source: `/faasport/apps/shop/${kind}s/${definition.name}`,
      time: enqueuedAt.toISOString(),
      datacontenttype: 'application/json',
      [QUEUE_EXTENSION]: definition.name,
      traceparent: TRACE,
    });
    expect(JSON.parse(event[ATTRIBUTES_EXTENSION] as string)).toEqual({ tenant: 'eu-1', 'x.y': 'a "b" c' });
  });

  test.each([
    ['in process', (e: CloudEvent) => e],
    ['over HTTP in binary mode', (e: CloudEvent) => over(e, encodeBinaryMode)],
    ['over HTTP in structured mode', (e: CloudEvent) => over(e, encodeStructuredMode)],
  ])('decodes back to the same message %s', (_how, carry) => {
    const decoded = decodeQueueEvent(carry({ ...event, [ATTEMPT_EXTENSION]: '3' } as CloudEvent));
    expect(decoded).toEqual({
      kind,
      name: definition.name,
      message: { id: 'msg-1', body: { id: 7, note: 'héllo' }, attempt: 3, enqueuedAt, attributes: { tenant: 'eu-1', 'x.y': 'a "b" c', traceparent: TRACE } },
    });
  });
});

test('a message without attributes or attempt decodes to attempt 1 and no attributes', () => {
  const plain = encodeMessage('test send', orders.definition, 'text body');
  const decoded = decodeQueueEvent(encodeQueueEvent('shop', orders.definition, plain, 'm'));
  expect(decoded.message.attempt).toBe(1);
  expect(decoded.message.attributes).toEqual({});
  expect(decoded.message.body).toBe('text body');
});

describe('a CloudEvent that breaks the mapping is EVENT_INVALID', () => {
  const good = encodeQueueEvent('shop', orders.definition, outgoing(), 'm');
  test.each<[string, Record<string, unknown>, string]>([
    ['another type', { type: 'com.example.other' }, 'type'],
    ['no queue name', { [QUEUE_EXTENSION]: undefined }, QUEUE_EXTENSION],
    ['an attempt of 0', { [ATTEMPT_EXTENSION]: '0' }, ATTEMPT_EXTENSION],
    ['a non-numeric attempt', { [ATTEMPT_EXTENSION]: 'two' }, ATTEMPT_EXTENSION],
    ['attributes that are not JSON', { [ATTRIBUTES_EXTENSION]: '{nope' }, ATTRIBUTES_EXTENSION],
    ['attributes with a non-string value', { [ATTRIBUTES_EXTENSION]: '{"a":1}' }, ATTRIBUTES_EXTENSION],
  ])('%s', (_name, change, path) => {
    try {
      decodeQueueEvent({ ...good, ...change } as CloudEvent);
      throw new Error('accepted');
    } catch (err) {
      expect(isFaasportError(err) && { code: err.code, status: err.status, details: err.details }).toEqual({
        code: 'EVENT_INVALID',
        status: 400,
        details: { path },
      });
    }
  });
});
