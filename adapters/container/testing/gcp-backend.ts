import { PubSub, v1 } from '@google-cloud/pubsub';
import type { App, DeadLetterEnvelope } from 'faasport';
import { decodeDeadLetter } from 'faasport/gcp';
import { gcpNames } from 'faasport/gcp';
import type { QueueBackend } from './backends.js';
import { startPubsubPullStandIn } from './pubsub-pull-stand-in.js';

const PROJECT = 'faasport-container';

/**
 * The Pub/Sub pull stand-in (a TEST DOUBLE of the service, served over gRPC to the real
 * client library: Google's emulator needs the Cloud SDK and Java, which CI does not have),
 * provisioned through the client as the Cloud Run deploy file provisions Pub/Sub: a topic per
 * queue and topic, a pull subscription per consumer with a dead-letter policy, a dead-letter
 * topic per source with a pull subscription to read it.
 */
export async function gcpBackend(app: App): Promise<QueueBackend> {
  const emulator = await startPubsubPullStandIn(PROJECT);
  const pubsub = new PubSub({ projectId: PROJECT, apiEndpoint: emulator.host, emulatorMode: true });
  const names = gcpNames(app.name);
  const subscriptions: string[] = [];
  for (const source of [...app.queues, ...app.topics]) {
    await pubsub.createTopic(names.topic(source.name));
    await pubsub.createTopic(names.deadLetterTopic(source.name));
    await pubsub.topic(names.deadLetterTopic(source.name)).createSubscription(names.deadLetterSubscription(source.name));
  }
  for (const fn of app.functions) {
    if (fn.kind !== 'queue' && fn.kind !== 'topic') continue;
    const name = names.subscription(fn.source.name, fn.name);
    subscriptions.push(name);
    await pubsub.topic(names.topic(fn.source.name)).createSubscription(name, {
      ackDeadlineSeconds: 30,
      deadLetterPolicy: {
        deadLetterTopic: `projects/${PROJECT}/topics/${names.deadLetterTopic(fn.source.name)}`,
        maxDeliveryAttempts: Math.min(100, Math.max(5, fn.source.maxAttempts)),
      },
    });
  }
  const subscriber = new v1.SubscriberClient(pubsub.options as ConstructorParameters<typeof v1.SubscriberClient>[0]);
  const read = new Map<string, DeadLetterEnvelope[]>();
  return {
    cloud: 'gcp',
    env: { PUBSUB_EMULATOR_HOST: emulator.host, GOOGLE_CLOUD_PROJECT: PROJECT },
    pending: async () => subscriptions.reduce((n, name) => n + emulator.backlog(name), 0),
    async deadLetters(queue, functionName) {
      const seen = read.get(queue) ?? [];
      read.set(queue, seen);
      const messages = await pullOnce(subscriber, names.deadLetterSubscription(queue));
      for (const m of messages) seen.push(decodeDeadLetter(m, { queue, functionFor: () => functionName ?? '' }));
      return seen.filter((e) => functionName === undefined || e.functionName === functionName);
    },
    async send(queue, body) {
      await pubsub.topic(names.topic(queue)).publishMessage({ json: body, attributes: { 'faasport-content-type': 'application/json' } });
    },
    async stop() {
      await subscriber.close();
      await pubsub.close();
      await emulator.stop();
    },
  };
}

/** Reads and acks what waits on a pull subscription (a dead-letter topic's). */
async function pullOnce(
  subscriber: InstanceType<typeof v1.SubscriberClient>,
  subscription: string,
): Promise<{ id: string; data: Uint8Array; attributes: Record<string, string>; publishTime: Date }[]> {
  const name = `projects/${PROJECT}/subscriptions/${subscription}`;
  const [response] = await subscriber.pull({ subscription: name, maxMessages: 100, returnImmediately: true });
  const received = response.receivedMessages ?? [];
  if (received.length > 0) await subscriber.acknowledge({ subscription: name, ackIds: received.map((r) => r.ackId!) });
  return received.map((r) => ({
    id: r.message?.messageId ?? '',
    data: typeof r.message?.data === 'string' ? Buffer.from(r.message.data, 'base64') : (r.message?.data ?? new Uint8Array()),
    attributes: (r.message?.attributes ?? {}) as Record<string, string>,
    publishTime: new Date(Number(r.message?.publishTime?.seconds ?? 0) * 1000),
  }));
}
