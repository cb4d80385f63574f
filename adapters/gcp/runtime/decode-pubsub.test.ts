import { describe, expect, test } from 'vitest';
import { decodePubsub, toQueueMessage, CONTENT_TYPE_ATTRIBUTE } from './decode-pubsub.js';
import { loadFixture } from '../testing/load-fixture.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

// How each fixture reaches decodePubsub: a whole CloudEvent, or MessagePublishedData (a CE's
// `data`, which is also the shape of a raw push body) wrapped in an event without id/time.
const cases = [
  {
    file: 'google/pubsub/ce-data-text.json',
    wrap: true,
    id: 'message-id',
    data: 'test message 3',
    attributes: { attr1: 'attr1-value' },
    publishTime: '2021-02-05T04:06:14.109Z',
    subscription: 'projects/my-project/subscriptions/my-subscription',
  },
  {
    file: 'google/pubsub/ce-data-binary-no-attributes.json',
    wrap: true,
    id: 'message-id',
    bytes: [1, 2, 3, 4],
    attributes: {},
    publishTime: '2021-02-05T04:06:14.109Z',
    subscription: 'projects/my-project/subscriptions/my-subscription',
  },
  {
    file: 'google/pubsub/ce-data-duplicated-snake-case-fields.json',
    wrap: true,
    id: 'message-id',
    bytes: [1, 2, 3, 4],
    attributes: {},
    publishTime: '2021-02-05T04:06:14.109Z',
    subscription: 'projects/my-project/subscriptions/my-subscription',
  },
  {
    file: 'google/pubsub/cloudevent-structured-with-ordering-key.json',
    wrap: false,
    id: 'message-id',
    data: 'test message 3',
    attributes: { attr1: 'attr1-value' },
    publishTime: '2021-02-05T04:06:14.109Z',
    orderingKey: 'ordering-key',
    subscription: 'projects/test-project/subscriptions/my-subscription',
  },
  {
    file: 'google/pubsub/cloudevent-input-with-subscription.json',
    wrap: false,
    id: 'aaaaaa-1111-bbbb-2222-cccccccccccc',
    data: 'test message 3',
    attributes: { attr1: 'attr1-value' },
    publishTime: '2020-09-29T11:32:00.123Z',
    subscription: 'projects/sample-project/subscriptions/sample-subscription',
  },
  {
    file: 'google/pubsub/cloudevent-expected-output-from-legacy.json',
    wrap: false,
    id: 'aaaaaa-1111-bbbb-2222-cccccccccccc',
    data: 'test message 3',
    attributes: { attr1: 'attr1-value' },
    publishTime: '2020-09-29T11:32:00.123Z',
    subscription: undefined,
  },
  {
    file: 'google/pubsub/push-subscription-body.json',
    wrap: true,
    id: '4102184774039362',
    data: 'Text message',
    attributes: { attr1: 'value1' },
    publishTime: '2022-02-15T11:28:32.942Z',
    orderingKey: 'orderxyz',
    subscription: 'projects/sample-project/subscriptions/sample-subscription',
  },
  // The emulator sends no publishTime: the decoder falls back to the event time.
  {
    file: 'google/pubsub/push-from-emulator.json',
    wrap: true,
    id: '1',
    data: 'Test message from emulator',
    attributes: { attr1: 'attr-value1' },
    publishTime: '2030-01-01T00:00:00.000Z',
    subscription: 'projects/emulator-project/subscriptions/test-subscription',
  },
] as const;

describe.each(cases)('decodePubsub($file)', (c) => {
  test('reads id, data, attributes, publish time and ordering key', () => {
    // Prepare
    const fixture = loadFixture(c.file);
    const event = c.wrap ? { time: '2030-01-01T00:00:00.000Z', data: fixture } : fixture;
    // Act
    const delivery = decodePubsub(event, 'test');
    const message = toQueueMessage(delivery, 'test');
    // Assess
    expect(delivery.messageId).toBe(c.id);
    if ('data' in c) expect(text(delivery.data)).toBe(c.data);
    if ('bytes' in c) expect([...delivery.data]).toEqual(c.bytes);
    expect(delivery.attributes).toEqual(c.attributes);
    expect(delivery.publishTime.toISOString()).toBe(c.publishTime);
    expect(delivery.subscription).toBe(c.subscription);
    expect(message.id).toBe(c.id);
    expect(message.groupId).toBe('orderingKey' in c ? c.orderingKey : undefined);
    expect(message.attempt).toBe(1);
    // No JSON marker on vendor messages: UTF-8 text is the string, other bytes stay bytes.
    if ('data' in c) expect(message.body).toBe(c.data);
    if ('bytes' in c) expect([...(message.body as Uint8Array)]).toEqual(c.bytes);
  });
});

describe('toQueueMessage', () => {
  const event = (data: string, attributes: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    id: 'ce-1',
    time: '2024-05-01T10:00:00Z',
    data: { message: { data: Buffer.from(data).toString('base64'), messageId: 'm-1', attributes }, subscription: 'projects/p/subscriptions/s', ...extra },
  });

  test.each([{ marker: { [CONTENT_TYPE_ATTRIBUTE]: 'application/json' } }, { marker: { 'content-type': 'application/json; charset=utf-8' } }] as {
    marker: Record<string, string>;
  }[])('parses JSON when the attributes say so ($marker)', ({ marker }) => {
    const message = toQueueMessage(decodePubsub(event('{"order":7}', marker), 't'), 't');
    expect(message.body).toEqual({ order: 7 });
  });

  // What `gcloud pubsub topics publish jobs --message ...` sends: data, no attributes.
  test.each([
    { data: Buffer.from('{"n":3}'), body: { n: 3 } },
    { data: Buffer.from('[1,2]'), body: [1, 2] },
    { data: Buffer.from('42'), body: 42 },
    { data: Buffer.from('hello 👋'), body: 'hello 👋' },
    { data: Buffer.from('{not json'), body: '{not json' },
    { data: Buffer.from([0xff, 0xfe, 0x00, 0x41]), body: new Uint8Array([0xff, 0xfe, 0x00, 0x41]) },
  ])('an unmarked message $data.length bytes: UTF-8 JSON parsed, other text the string, else bytes', ({ data, body }) => {
    const e = {
      id: 'ce-1',
      time: '2024-05-01T10:00:00Z',
      data: { message: { data: data.toString('base64'), messageId: 'm-1' }, subscription: 'projects/p/subscriptions/s' },
    };
    const message = toQueueMessage(decodePubsub(e, 't'), 't');
    if (body instanceof Uint8Array) expect([...(message.body as Uint8Array)]).toEqual([...body]);
    else expect(message.body).toEqual(body);
  });

  test('deliveryAttempt becomes attempt', () => {
    const message = toQueueMessage(decodePubsub(event('x', {}, { deliveryAttempt: 4 }), 't'), 't');
    expect(message.attempt).toBe(4);
  });

  test('bad JSON under a JSON marker is MESSAGE_INVALID naming the message', () => {
    expect(() =>
      toQueueMessage(decodePubsub(event('{nope', { [CONTENT_TYPE_ATTRIBUTE]: 'application/json' }), 'queue "q" consumer "c"'), 'queue "q" consumer "c"'),
    ).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID', message: expect.stringContaining('queue "q" consumer "c": message m-1') }));
  });

  test.each([
    { name: 'no message', data: { subscription: 's' }, path: 'data.message' },
    { name: 'data not base64 text', data: { message: { data: 12, messageId: 'x' } }, path: 'data.message.data' },
    { name: 'attributes not strings', data: { message: { data: '', messageId: 'x', attributes: { a: 1 } } }, path: 'data.message.attributes' },
    { name: 'bad publish time', data: { message: { data: '', messageId: 'x', publishTime: 'yesterday' } }, path: 'data.message.publishTime' },
  ])('rejects $name with EVENT_INVALID', ({ data, path }) => {
    expect(() => decodePubsub({ data }, 'op')).toThrow(expect.objectContaining({ code: 'EVENT_INVALID', details: { path } }));
  });

  test('accepts data delivered as JSON text or bytes (binary mode without a JSON content type)', () => {
    const body = JSON.stringify({ message: { data: 'aGk=', messageId: 'b-1' } });
    expect(text(decodePubsub({ data: body }, 'op').data)).toBe('hi');
    expect(decodePubsub({ data: Buffer.from(body) }, 'op').messageId).toBe('b-1');
  });
});
