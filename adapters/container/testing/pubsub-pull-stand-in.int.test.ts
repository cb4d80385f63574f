import { PubSub, v1 } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBSUB_DEAD_LETTER_ATTRIBUTES } from '../../gcp/runtime/decode-dead-letter.js';
import { startPubsubPullStandIn, type PubsubPullStandIn } from './pubsub-pull-stand-in.js';

// The stand-in through the real client library: the Pub/Sub behaviour the container's consumer
// and its tests rely on, checked on its own. The same steps against Google's emulator (where
// the Cloud SDK is installed) gave the same deliveryAttempt counts, forwarding after the 5th
// delivery with these attributes, and OUT_OF_RANGE for a policy below 5.
const PROJECT = 'stand-in-test';
const sub = (name: string) => `projects/${PROJECT}/subscriptions/${name}`;
let standIn: PubsubPullStandIn;
let pubsub: PubSub;
let subscriber: InstanceType<typeof v1.SubscriberClient>;

beforeAll(async () => {
  standIn = await startPubsubPullStandIn(PROJECT);
  pubsub = new PubSub({ projectId: PROJECT, apiEndpoint: standIn.host, emulatorMode: true });
  subscriber = new v1.SubscriberClient(pubsub.options as ConstructorParameters<typeof v1.SubscriberClient>[0]);
  await pubsub.createTopic('work');
  await pubsub.createTopic('work-dead');
  await pubsub.topic('work-dead').createSubscription('work-dead');
  await pubsub.topic('work').createSubscription('work', {
    ackDeadlineSeconds: 10,
    deadLetterPolicy: { deadLetterTopic: `projects/${PROJECT}/topics/work-dead`, maxDeliveryAttempts: 5 },
  });
});

afterAll(async () => {
  await subscriber?.close();
  await pubsub?.close();
  await standIn?.stop();
});

const pull = async (name: string) => (await subscriber.pull({ subscription: sub(name), maxMessages: 10, returnImmediately: true }))[0].receivedMessages ?? [];

describe('the Pub/Sub pull stand-in', () => {
  it("leases under a fresh ackId, counts deliveries, forgets an ack under an old lease, and forwards past maxDeliveryAttempts with Pub/Sub's attributes", async () => {
    await pubsub.topic('work').publishMessage({ data: Buffer.from('job'), attributes: { a: '1' } });
    const ackIds: string[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const [m] = await pull('work');
      expect([m?.deliveryAttempt, m?.message?.attributes?.a]).toEqual([attempt, '1']);
      expect(await pull('work')).toEqual([]);
      ackIds.push(m!.ackId!);
      // A nack: deliverable again at once.
      await subscriber.modifyAckDeadline({ subscription: sub('work'), ackIds: [m!.ackId!], ackDeadlineSeconds: 0 });
    }
    // The first lease is long gone: its ackId acknowledges nothing.
    await subscriber.acknowledge({ subscription: sub('work'), ackIds: [ackIds[0]!] });
    expect(await pull('work')).toEqual([]);
    expect(standIn.backlog('work')).toBe(0);
    const [dead] = await pull('work-dead');
    expect(Buffer.from(dead!.message!.data as Uint8Array).toString()).toBe('job');
    expect(dead!.message!.attributes).toMatchObject({
      a: '1',
      [PUBSUB_DEAD_LETTER_ATTRIBUTES.deliveryCount]: '5',
      [PUBSUB_DEAD_LETTER_ATTRIBUTES.subscription]: 'work',
    });
  });

  it('refuses what Pub/Sub refuses: a dead-letter policy below 5 attempts, an unknown subscription', async () => {
    await expect(
      pubsub
        .topic('work')
        .createSubscription('too-few', { deadLetterPolicy: { deadLetterTopic: `projects/${PROJECT}/topics/work-dead`, maxDeliveryAttempts: 3 } }),
    ).rejects.toMatchObject({ code: 11 });
    await expect(subscriber.getSubscription({ subscription: sub('nope') })).rejects.toMatchObject({ code: 5 });
  });
});
