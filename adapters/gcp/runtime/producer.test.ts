import { describe, expect, test } from 'vitest';
import { attachTransport, createApp } from 'faasport';
import { CONTENT_TYPE_ATTRIBUTE } from './decode-pubsub.js';
import { createPubsubTransport } from './producer.js';
import type { PubsubOutgoingMessage, PubsubPublisher } from './pubsub-publisher.js';

/** Test double for the Pub/Sub service: records publish calls, assigns ids. */
function recordingPublisher(fail?: Error): PubsubPublisher & { calls: { topic: string; messages: readonly PubsubOutgoingMessage[] }[] } {
  const calls: { topic: string; messages: readonly PubsubOutgoingMessage[] }[] = [];
  return {
    calls,
    async publish(topic, messages) {
      calls.push({ topic, messages });
      if (fail) throw fail;
      return messages.map((_, i) => `id-${calls.length}-${i}`);
    },
    async close() {},
  };
}

function setup(fail?: Error) {
  const app = createApp('shop');
  const orders = app.queue<unknown>('orders', { maxMessageBytes: 20 * 1024 * 1024 });
  const news = app.topic<unknown>('news');
  const publisher = recordingPublisher(fail);
  attachTransport(app, createPubsubTransport({ appName: app.name, publisher }));
  return { orders, news, publisher };
}

describe('Pub/Sub transport', () => {
  test('send publishes JSON data with the attributes and the JSON marker to <app>-<queue>', async () => {
    const { orders, publisher } = setup();
    const result = await orders.send({ id: 1 }, { attributes: { tenant: 'a' } });
    expect(result).toEqual({ id: 'id-1-0' });
    expect(publisher.calls).toHaveLength(1);
    const [call] = publisher.calls;
    expect(call!.topic).toBe('shop-orders');
    expect(Buffer.from(call!.messages[0]!.data).toString()).toBe('{"id":1}');
    expect(call!.messages[0]!.attributes).toEqual({ tenant: 'a', [CONTENT_TYPE_ATTRIBUTE]: 'application/json' });
  });

  test('sendBatch hands the whole batch to one publish call, ids in order', async () => {
    const { orders, publisher } = setup();
    const results = await orders.sendBatch([1, 2, 3]);
    expect(results.map((r) => r.id)).toEqual(['id-1-0', 'id-1-1', 'id-1-2']);
    expect(publisher.calls[0]!.messages.map((m) => Buffer.from(m.data).toString())).toEqual(['1', '2', '3']);
  });

  test('publish goes to <app>-<topic>', async () => {
    const { news, publisher } = setup();
    await news.publish({ headline: 'x' });
    expect(publisher.calls[0]!.topic).toBe('shop-news');
  });

  test.each([
    {
      name: 'a message over 10 MB',
      send: (q: ReturnType<typeof setup>['orders']) => q.send('x'.repeat(10_000_001)),
      code: 'PAYLOAD_TOO_LARGE',
      says: 'accepts 9.5 MB',
    },
    {
      name: 'a delay',
      send: (q: ReturnType<typeof setup>['orders']) => q.send(1, { delaySeconds: 5 }),
      code: 'CAPABILITY_UNSUPPORTED',
      says: 'Pub/Sub has no delayed delivery',
    },
    {
      name: 'a deduplication id',
      send: (q: ReturnType<typeof setup>['orders']) => q.send(1, { deduplicationId: 'd' }),
      code: 'CAPABILITY_UNSUPPORTED',
      says: 'Pub/Sub does not deduplicate',
    },
    {
      name: 'an attribute value over 1024 bytes',
      send: (q: ReturnType<typeof setup>['orders']) => q.send(1, { attributes: { big: 'v'.repeat(1025) } }),
      code: 'MESSAGE_INVALID',
      says: 'values up to 1024 bytes',
    },
    {
      name: '100 user attributes (faasport adds one)',
      send: (q: ReturnType<typeof setup>['orders']) => q.send(1, { attributes: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`a${i}`, 'v'])) }),
      code: 'MESSAGE_INVALID',
      says: 'at most 100',
    },
    {
      name: 'one bad message in a batch',
      send: (q: ReturnType<typeof setup>['orders']) => q.sendBatch([1, 'x'.repeat(10_000_001), 3]),
      code: 'PAYLOAD_TOO_LARGE',
      says: 'sendBatch [1]',
    },
  ])('refuses $name before any network call', async ({ send, code, says }) => {
    const { orders, publisher } = setup();
    await expect(send(orders)).rejects.toMatchObject({ code, message: expect.stringContaining(says) });
    expect(publisher.calls).toHaveLength(0);
  });

  test('a failed publish is SEND_FAILED naming the topic and the fix', async () => {
    const { orders } = setup(new Error('5 NOT_FOUND: Resource not found'));
    await expect(orders.send(1)).rejects.toMatchObject({
      code: 'SEND_FAILED',
      message: expect.stringContaining(
        'queue "orders": send: Pub/Sub publish to topic "shop-orders" failed (5 NOT_FOUND: Resource not found); check that the topic exists',
      ),
    });
  });
});
