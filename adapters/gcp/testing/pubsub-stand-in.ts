import { PUBSUB_DEAD_LETTER_ATTRIBUTES, type DeadLetterMessage } from '../runtime/decode-dead-letter.js';
import type { CloudEvent } from 'faasport';
import type { PubsubOutgoingMessage, PubsubPublisher } from '../runtime/pubsub-publisher.js';

/** A push subscription as Eventarc creates one for a Pub/Sub trigger, with faasport's policies. */
export interface StandInSubscription {
  readonly name: string;
  readonly topic: string;
  /** Where deliveries are POSTed, as binary-mode CloudEvents. */
  readonly url: string;
  /**
   * A plain push subscription (created with `--push-endpoint`, not by Eventarc): deliveries are
   * its own JSON body `{ message, subscription }` POSTed to `<url>/projects/<p>/topics/<topic>`,
   * the path the Functions Framework reads the topic from when it converts the body.
   */
  readonly push?: boolean;
  readonly maxDeliveryAttempts: number;
  readonly deadLetterTopic: string;
  /** Redelivery delay after the n-th failed attempt, ms. */
  retryDelayMs(attempt: number): number;
}

interface Stored {
  readonly id: string;
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey?: string;
  readonly publishTime: Date;
  /** Set for an event Eventarc delivers from its source (Storage, Firestore, custom): pushed as that CloudEvent. */
  readonly event?: CloudEvent;
}

/**
 * TEST DOUBLE for Google Pub/Sub and Eventarc, in process: what the conformance harness
 * runs against, because the real services are not reachable from tests. It publishes like
 * Pub/Sub (server-assigned ids, publish time), delivers to each push subscription the way
 * an Eventarc Pub/Sub trigger does (a binary CloudEvent `messagePublished` whose data is
 * `{ message, subscription, deliveryAttempt }`), treats any non-2xx answer as a nack and
 * redelivers, and after `maxDeliveryAttempts` forwards the message to the dead-letter
 * topic with the attributes Pub/Sub adds. Topics without subscriptions keep their messages
 * (that is how dead-letter topics are read).
 */
export class PubsubStandIn implements PubsubPublisher {
  readonly #subscriptions: StandInSubscription[] = [];
  readonly #retained = new Map<string, Stored[]>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #sequence = 0;
  #stopped = false;

  constructor(private readonly project = 'conformance') {}

  subscribe(subscription: StandInSubscription): void {
    this.#subscriptions.push(subscription);
  }

  async publish(topic: string, messages: readonly PubsubOutgoingMessage[]): Promise<string[]> {
    return messages.map((m) => this.publishAt(topic, m, new Date()));
  }

  /** Publishes with a chosen publish time (Cloud Scheduler publishing a tick for its slot). */
  publishAt(topic: string, message: PubsubOutgoingMessage, publishTime: Date): string {
    const stored: Stored = {
      id: String(++this.#sequence),
      data: message.data,
      attributes: message.attributes,
      publishTime,
      ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
    };
    const subs = this.#subscriptions.filter((s) => s.topic === topic);
    if (subs.length === 0) {
      const list = this.#retained.get(topic) ?? [];
      list.push(stored);
      this.#retained.set(topic, list);
    }
    for (const sub of subs) this.#schedule(sub, stored, 1, 0);
    return stored.id;
  }

  /** Delivers a CloudEvent from a non-Pub/Sub source through an Eventarc trigger: binary mode, retried, dead-lettered. */
  pushEvent(sub: StandInSubscription, event: CloudEvent): void {
    const json = JSON.stringify(event);
    this.#schedule(sub, { id: String(++this.#sequence), data: new TextEncoder().encode(json), attributes: {}, publishTime: new Date(), event }, 1, 0);
  }

  /** What a pull subscription on a topic without push subscribers would receive. */
  retained(topic: string): DeadLetterMessage[] {
    return (this.#retained.get(topic) ?? []).map((m) => ({
      id: m.id,
      data: m.data,
      attributes: m.attributes,
      publishTime: m.publishTime,
      ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
    }));
  }

  /** Resolves when no delivery is pending or in flight. */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Pub/Sub stand-in still busy after ${timeoutMs} ms (${this.#inFlight} deliveries)`)), timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.stop();
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #schedule(sub: StandInSubscription, message: Stored, attempt: number, delayMs: number): void {
    this.#inFlight++;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#deliver(sub, message, attempt).finally(() => this.#settled());
    }, delayMs);
    this.#timers.add(timer);
  }

  #settled(): void {
    if (--this.#inFlight > 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  }

  /** A push subscription's body, spelled as Pub/Sub spells it (both id and time spellings). */
  #pushRequest(sub: StandInSubscription, message: Stored, attempt: number): RequestInit {
    const publishTime = message.publishTime.toISOString();
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: {
          data: Buffer.from(message.data).toString('base64'),
          ...(Object.keys(message.attributes).length > 0 ? { attributes: message.attributes } : {}),
          messageId: message.id,
          message_id: message.id,
          publishTime,
          publish_time: publishTime,
          ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
        },
        subscription: `projects/${this.project}/subscriptions/${sub.name}`,
        deliveryAttempt: attempt,
      }),
    };
  }

  async #deliver(sub: StandInSubscription, message: Stored, attempt: number): Promise<void> {
    if (this.#stopped) return;
    let ok = false;
    try {
      const res = await fetch(
        sub.push ? `${sub.url}/projects/${this.project}/topics/${sub.topic}` : sub.url,
        sub.push
          ? this.#pushRequest(sub, message, attempt)
          : message.event
            ? eventRequest(message.event)
            : {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  'ce-specversion': '1.0',
                  'ce-id': message.id,
                  'ce-source': `//pubsub.googleapis.com/projects/${this.project}/topics/${sub.topic}`,
                  'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
                  'ce-time': message.publishTime.toISOString(),
                },
                body: JSON.stringify({
                  message: {
                    data: Buffer.from(message.data).toString('base64'),
                    attributes: message.attributes,
                    messageId: message.id,
                    publishTime: message.publishTime.toISOString(),
                    ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
                  },
                  subscription: `projects/${this.project}/subscriptions/${sub.name}`,
                  deliveryAttempt: attempt,
                }),
              },
      );
      await res.arrayBuffer();
      // Pub/Sub push: 102, 200, 201, 202 and 204 acknowledge; anything else is a nack.
      ok = [102, 200, 201, 202, 204].includes(res.status);
    } catch {
      ok = false;
    }
    if (ok || this.#stopped) return;
    if (attempt < sub.maxDeliveryAttempts) return this.#schedule(sub, message, attempt + 1, sub.retryDelayMs(attempt));
    void this.publish(sub.deadLetterTopic, [
      {
        data: message.data,
        attributes: {
          ...message.attributes,
          [PUBSUB_DEAD_LETTER_ATTRIBUTES.deliveryCount]: String(attempt),
          [PUBSUB_DEAD_LETTER_ATTRIBUTES.subscription]: sub.name,
          [PUBSUB_DEAD_LETTER_ATTRIBUTES.subscriptionProject]: this.project,
          [PUBSUB_DEAD_LETTER_ATTRIBUTES.topicPublishTime]: message.publishTime.toISOString(),
        },
        ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
      },
    ]);
  }
}

/** A CloudEvent in HTTP binary mode: attributes as ce-* headers, data as the body. */
function eventRequest(event: CloudEvent): RequestInit {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key !== 'data' && key !== 'datacontenttype' && value !== undefined) headers[`ce-${key}`] = String(value);
  }
  const data = event.data;
  if (data instanceof Uint8Array) {
    headers['content-type'] = event.datacontenttype ?? 'application/octet-stream';
    return { method: 'POST', headers, body: data as Uint8Array<ArrayBuffer> };
  }
  headers['content-type'] = event.datacontenttype ?? 'application/json';
  return {
    method: 'POST',
    headers,
    body: data === undefined ? '' : typeof data === 'string' && !headers['content-type'].includes('json') ? data : JSON.stringify(data),
  };
}
