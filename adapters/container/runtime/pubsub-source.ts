import type { protos, v1 } from '@google-cloud/pubsub';
import { FaasportError, type QueueFunctionDefinition, type QueueMessage } from 'faasport';
import { toQueueMessage, type PubsubDelivery } from 'faasport/gcp';
import { encodeDeadLetter } from 'faasport/gcp';
import type { GcpNames } from 'faasport/gcp';
import type { PubsubPublisher } from 'faasport/gcp';
import type { Delivery, QueueSource, QueueSourceFactory } from './queue-source.js';

type SubscriberClient = InstanceType<typeof v1.SubscriberClient>;
type ReceivedMessage = protos.google.pubsub.v1.IReceivedMessage;
type PullResponse = protos.google.pubsub.v1.IPullResponse;

export interface PubsubSourcesOptions {
  readonly subscriber: SubscriberClient;
  readonly projectId: string;
  readonly names: GcpNames;
  /** Publishes dead letters (the Cloud Functions adapter's own format). */
  readonly publisher: PubsubPublisher;
  /** Ack deadline a receive starts with and each extension sets, seconds (10-600; default 30). */
  readonly leaseSeconds?: number;
}

/**
 * Pub/Sub sources for the container target: synchronous pull on the subscription
 * `<app>-<source>-<function>` (the Cloud Functions adapter's names), the ack deadline
 * extended while a handler runs and set to the backoff delay for a retry (0 to hand a
 * message back). The attempt is Pub/Sub's `deliveryAttempt`, which only a subscription with
 * a dead-letter policy carries: `connect` refuses one without (the Cloud Run file sets it).
 * On the last attempt the message is published to `<app>-<source>-dead-letter` with the
 * handler's error, then acked; the policy's own forwarding is the backstop.
 */
export function pubsubSources(options: PubsubSourcesOptions): QueueSourceFactory {
  const leaseSeconds = Math.min(600, Math.max(10, options.leaseSeconds ?? 30));
  return (def) => {
    const short = options.names.subscription(def.source.name, def.name);
    const subscription = `projects/${options.projectId}/subscriptions/${short}`;
    const source: QueueSource = {
      name: short,
      leaseSeconds,
      async connect() {
        const [sub] = await options.subscriber.getSubscription({ subscription });
        if (!sub.deadLetterPolicy?.deadLetterTopic) {
          throw new FaasportError(
            'CONFIG_INVALID',
            `subscription "${short}" has no dead-letter policy, so Pub/Sub does not count deliveries and maxAttempts cannot be enforced; give it one (the Cloud Run deploy file does)`,
          );
        }
      },
      async receive(max, signal) {
        const call = options.subscriber.pull({ subscription, maxMessages: Math.min(1000, max) }, { timeout: 30_000 }) as unknown as Promise<[PullResponse]> & {
          cancel?: () => void;
        };
        const cancel = (): void => call.cancel?.();
        signal.addEventListener('abort', cancel, { once: true });
        try {
          const [response] = await call;
          return (response.receivedMessages ?? []).map((m) => pubsubDelivery(def, subscription, m, options, leaseSeconds));
        } catch (err) {
          if (signal.aborted) return [];
          // An empty pull may end in DEADLINE_EXCEEDED: no messages, not a broken connection.
          if ((err as { code?: number }).code === 4) return [];
          throw err;
        } finally {
          signal.removeEventListener('abort', cancel);
        }
      },
    };
    return source;
  };
}

function pubsubDelivery(
  def: QueueFunctionDefinition,
  subscription: string,
  received: ReceivedMessage,
  options: PubsubSourcesOptions,
  leaseSeconds: number,
): Delivery {
  const m = received.message ?? {};
  const ackId = received.ackId ?? '';
  const publishTime = toDate(m.publishTime);
  const delivery: PubsubDelivery = {
    messageId: m.messageId ?? '',
    publishTime,
    data: typeof m.data === 'string' ? Buffer.from(m.data, 'base64') : (m.data ?? new Uint8Array()),
    attributes: (m.attributes ?? {}) as Record<string, string>,
    ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
    ...(received.deliveryAttempt ? { deliveryAttempt: received.deliveryAttempt } : {}),
    subscription,
  };
  const attempt = Math.max(1, received.deliveryAttempt ?? 1);
  const deadline = async (seconds: number): Promise<void> => {
    await options.subscriber.modifyAckDeadline({ subscription, ackIds: [ackId], ackDeadlineSeconds: Math.min(600, Math.max(0, Math.ceil(seconds))) });
  };
  const ack = async (): Promise<void> => {
    await options.subscriber.acknowledge({ subscription, ackIds: [ackId] });
  };
  return {
    attempt,
    firstAttemptAt: publishTime,
    decode: () => toQueueMessage(delivery, `subscription "${subscription}"`),
    raw(): QueueMessage<unknown> {
      return { id: delivery.messageId, body: Buffer.from(delivery.data).toString('utf8'), attempt, enqueuedAt: publishTime, attributes: delivery.attributes };
    },
    ack,
    retryAfter: (delayMs) => deadline(delayMs / 1000),
    release: () => deadline(0),
    extend: (seconds) => deadline(Math.max(seconds, leaseSeconds)),
    async deadLetter(_envelope, error) {
      const letter = encodeDeadLetter(delivery, { queue: def.source.name, functionName: def.name, attempts: attempt, error });
      // Too many attributes to add ours: nack, and the subscription's dead-letter policy forwards it.
      if (!letter) return deadline(0);
      await options.publisher.publish(options.names.deadLetterTopic(def.source.name), [letter]);
      await ack();
    },
  };
}

function toDate(t: { seconds?: unknown; nanos?: number | null } | null | undefined): Date {
  const seconds = Number(t?.seconds ?? 0);
  return seconds > 0 ? new Date(seconds * 1000 + Math.floor((t?.nanos ?? 0) / 1e6)) : new Date();
}
