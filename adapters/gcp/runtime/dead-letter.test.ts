import { describe, expect, test } from 'vitest';
import { CONTENT_TYPE_ATTRIBUTE, decodePubsub } from './decode-pubsub.js';
import { decodeDeadLetter, PUBSUB_DEAD_LETTER_ATTRIBUTES } from './decode-dead-letter.js';
import { encodeDeadLetter } from './encode-dead-letter.js';

const source = { queue: 'orders', functionFor: (sub: string | undefined) => (sub === 'shop-orders-fulfil' ? 'fulfil' : 'unknown') };

function delivery(attributes: Record<string, string> = { [CONTENT_TYPE_ATTRIBUTE]: 'application/json', tenant: 'a' }) {
  return decodePubsub(
    {
      data: {
        message: { data: Buffer.from('{"id":"o-1"}').toString('base64'), messageId: 'orig-1', publishTime: '2024-05-01T10:00:00.000Z', attributes },
        deliveryAttempt: 5,
      },
    },
    't',
  );
}

describe('dead letters', () => {
  test("faasport's own forward round-trips into the portable envelope with the last error", () => {
    // Prepare
    const original = delivery();
    const error = Object.assign(new Error('card declined'), { code: 'DECLINED' });
    // Act
    const letter = encodeDeadLetter(original, { queue: 'orders', functionName: 'fulfil', attempts: 5, error })!;
    const envelope = decodeDeadLetter(
      { id: 'dl-9', data: letter.data, attributes: letter.attributes, publishTime: new Date('2024-05-01T10:05:00.000Z') },
      source,
    );
    // Assess
    expect(envelope).toEqual({
      message: {
        id: 'orig-1',
        body: { id: 'o-1' },
        attributes: { [CONTENT_TYPE_ATTRIBUTE]: 'application/json', tenant: 'a' },
        enqueuedAt: '2024-05-01T10:00:00.000Z',
      },
      queue: 'orders',
      functionName: 'fulfil',
      attempts: 5,
      lastError: { name: 'Error', message: 'card declined', code: 'DECLINED' },
      firstAttemptAt: '2024-05-01T10:00:00.000Z',
      deadLetteredAt: '2024-05-01T10:05:00.000Z',
    });
  });

  test("Pub/Sub's own forward: attempts and first publish time from its attributes, the function from the source subscription", () => {
    const envelope = decodeDeadLetter(
      {
        id: 'dl-1',
        data: new TextEncoder().encode('{"id":"o-2"}'),
        publishTime: new Date('2024-05-01T11:00:00.000Z'),
        orderingKey: 'g',
        attributes: {
          [CONTENT_TYPE_ATTRIBUTE]: 'application/json',
          [PUBSUB_DEAD_LETTER_ATTRIBUTES.deliveryCount]: '7',
          [PUBSUB_DEAD_LETTER_ATTRIBUTES.subscription]: 'shop-orders-fulfil',
          [PUBSUB_DEAD_LETTER_ATTRIBUTES.subscriptionProject]: 'my-project',
          [PUBSUB_DEAD_LETTER_ATTRIBUTES.topicPublishTime]: '2024-05-01T10:59:00.123Z',
        },
      },
      source,
    );
    expect(envelope.message).toEqual({
      id: 'dl-1',
      body: { id: 'o-2' },
      attributes: { [CONTENT_TYPE_ATTRIBUTE]: 'application/json' },
      enqueuedAt: '2024-05-01T10:59:00.123Z',
      groupId: 'g',
    });
    expect(envelope.functionName).toBe('fulfil');
    expect(envelope.attempts).toBe(7);
    expect(envelope.firstAttemptAt).toBe('2024-05-01T10:59:00.123Z');
    expect(envelope.lastError.message).toContain('after 7 delivery attempts');
  });

  test('a payload that is not the JSON it claims stays readable as bytes', () => {
    const data = new TextEncoder().encode('{broken');
    const envelope = decodeDeadLetter({ id: 'x', data, publishTime: new Date(), attributes: { [CONTENT_TYPE_ATTRIBUTE]: 'application/json' } }, source);
    expect(envelope.message.body).toEqual(data);
  });

  test("a long error message is cut to fit Pub/Sub's 1024-byte attribute value", () => {
    const letter = encodeDeadLetter(delivery(), { queue: 'orders', functionName: 'fulfil', attempts: 5, error: new Error('é'.repeat(5000)) })!;
    const value = letter.attributes['faasport-dead-letter-error']!;
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(1024);
    expect(JSON.parse(value).message.endsWith('…')).toBe(true);
  });

  test("no room for faasport's attributes: leave the message to Pub/Sub's dead-letter policy", () => {
    const crowded = Object.fromEntries(Array.from({ length: 95 }, (_, i) => [`a${i}`, 'v']));
    expect(encodeDeadLetter(delivery(crowded), { queue: 'orders', functionName: 'fulfil', attempts: 5, error: new Error('x') })).toBeUndefined();
  });
});
