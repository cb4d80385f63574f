import { createRequire } from 'node:module';
import { PUBSUB_DEAD_LETTER_ATTRIBUTES } from 'faasport/gcp';
import { shutdownGrpcServer } from 'faasport/gcp/testing';

/** A running stand-in: `host` is what PUBSUB_EMULATOR_HOST takes. */
export interface PubsubPullStandIn {
  readonly host: string;
  /** Messages on a subscription not yet acknowledged (waiting or leased). */
  backlog(subscription: string): number;
  stop(): Promise<void>;
}

interface Timestamp {
  seconds: number;
  nanos: number;
}
interface WireMessage {
  data?: Uint8Array;
  attributes?: Record<string, string>;
  orderingKey?: string;
  messageId?: string;
  publishTime?: Timestamp;
}
interface DeadLetterPolicy {
  deadLetterTopic?: string;
  maxDeliveryAttempts?: number;
}
interface Subscription {
  readonly name: string;
  readonly topic: string;
  readonly ackDeadlineSeconds: number;
  readonly deadLetterPolicy?: { readonly deadLetterTopic: string; readonly maxDeliveryAttempts: number };
  readonly messages: Map<string, Held>;
}
interface Held {
  readonly id: string;
  readonly message: WireMessage & { data: Uint8Array; attributes: Record<string, string> };
  readonly publishTime: Date;
  deliveries: number;
  /** Current lease: only this ackId acknowledges or modifies it. */
  ackId?: string;
  /** The message may be delivered from this time (ms): the lease's end, or 0. */
  availableAt: number;
}

type Callback = (error: { code: number; details: string } | null, response?: unknown) => void;
// The request is the decoded protobuf message of whichever Pub/Sub method is called: its shape
// differs per method, and each handler reads the fields of its own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (call: { request: Record<string, any>; on(event: 'cancelled', f: () => void): void }, callback: Callback) => void;
interface Gax {
  GrpcClient: new () => { loadProtoJSON(json: unknown): unknown };
  grpc: {
    Server: new () => {
      addService(service: unknown, handlers: Record<string, Handler>): void;
      bindAsync(address: string, credentials: unknown, done: (err: Error | null, port: number) => void): void;
      tryShutdown(done: () => void): void;
      forceShutdown(): void;
    };
    ServerCredentials: { createInsecure(): unknown };
    status: { NOT_FOUND: number; ALREADY_EXISTS: number; INVALID_ARGUMENT: number; OUT_OF_RANGE: number; UNIMPLEMENTED: number };
  };
}

/** How long an empty Pull waits for a message before answering none (the service's own wait is longer; the callers loop). */
const PULL_WAIT_MS = 1_000;
const PULL_POLL_MS = 20;

/**
 * TEST DOUBLE for Google Pub/Sub's pull API over gRPC, on 127.0.0.1, for what runs here
 * without the Cloud SDK and Java that Google's emulator needs: the real `@google-cloud/pubsub`
 * clients (the container's consumer, a test's admin calls) talk to it through
 * PUBSUB_EMULATOR_HOST. It serves CreateTopic, GetTopic, Publish, CreateSubscription,
 * GetSubscription, Pull, Acknowledge and ModifyAckDeadline, from the client's own protocol
 * definitions, with the service's semantics that the consumer relies on: a delivery leases a
 * message for the subscription's ack deadline under a fresh ackId; a lease that ends (deadline
 * passed, or set to 0: a nack) makes the message deliverable again; `deliveryAttempt` counts
 * deliveries and is set only on a subscription with a dead-letter policy, which forwards a
 * message about to be delivered past `maxDeliveryAttempts` to its dead-letter topic with the
 * attributes Pub/Sub adds. A topic without subscriptions drops what is published to it, as
 * Pub/Sub does. Other methods answer UNIMPLEMENTED.
 */
export async function startPubsubPullStandIn(project: string): Promise<PubsubPullStandIn> {
  const fromPubsub = createRequire(createRequire(import.meta.url).resolve('@google-cloud/pubsub'));
  const gax = fromPubsub('google-gax') as Gax;
  const { status } = gax.grpc;
  const v1 = (
    new gax.GrpcClient().loadProtoJSON(fromPubsub('../protos/protos.json')) as {
      google: { pubsub: { v1: { Publisher: { service: unknown }; Subscriber: { service: unknown } } } };
    }
  ).google.pubsub.v1;
  const topics = new Set<string>();
  const subscriptions = new Map<string, Subscription>();
  let sequence = 0;
  let leases = 0;
  let stopping = false;
  const waiting = new Set<() => void>();

  const fail = (callback: Callback, code: number, details: string): void => callback({ code, details });
  const publish = (topic: string, messages: readonly WireMessage[]): string[] => {
    const ids: string[] = [];
    const now = new Date();
    for (const m of messages) {
      const id = String(++sequence);
      ids.push(id);
      for (const sub of subscriptions.values()) {
        if (sub.topic !== topic) continue;
        sub.messages.set(id, {
          id,
          publishTime: now,
          deliveries: 0,
          availableAt: 0,
          message: {
            data: new Uint8Array(m.data ?? new Uint8Array()),
            attributes: { ...m.attributes },
            ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
          },
        });
      }
    }
    for (const wake of waiting) wake();
    return ids;
  };
  const timestamp = (d: Date): Timestamp => ({ seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1e6 });

  /** Leases up to `max` deliverable messages; forwards those past the policy's count to the dead-letter topic. */
  const take = (sub: Subscription, max: number): unknown[] => {
    const now = Date.now();
    const out: unknown[] = [];
    for (const held of sub.messages.values()) {
      if (out.length >= max) break;
      if (held.availableAt > now) continue;
      const policy = sub.deadLetterPolicy;
      if (policy && held.deliveries >= policy.maxDeliveryAttempts) {
        sub.messages.delete(held.id);
        publish(policy.deadLetterTopic, [
          {
            ...held.message,
            attributes: {
              ...held.message.attributes,
              [PUBSUB_DEAD_LETTER_ATTRIBUTES.deliveryCount]: String(held.deliveries),
              [PUBSUB_DEAD_LETTER_ATTRIBUTES.subscription]: sub.name.replace(/^projects\/[^/]+\/subscriptions\//, ''),
              [PUBSUB_DEAD_LETTER_ATTRIBUTES.subscriptionProject]: project,
              [PUBSUB_DEAD_LETTER_ATTRIBUTES.topicPublishTime]: held.publishTime.toISOString(),
            },
          },
        ]);
        continue;
      }
      held.deliveries++;
      held.ackId = `${sub.name}#${held.id}#${++leases}`;
      held.availableAt = now + sub.ackDeadlineSeconds * 1000;
      out.push({
        ackId: held.ackId,
        message: { ...held.message, messageId: held.id, publishTime: timestamp(held.publishTime) },
        ...(policy ? { deliveryAttempt: held.deliveries } : {}),
      });
    }
    return out;
  };
  /** The messages `ackIds` name under their current lease (an expired or replaced lease names none). */
  const leased = (sub: Subscription, ackIds: readonly string[]): Held[] =>
    ackIds.flatMap((ackId) => {
      const held = sub.messages.get(ackId.split('#')[1] ?? '');
      return held && held.ackId === ackId && held.availableAt > Date.now() ? [held] : [];
    });

  const server = new gax.grpc.Server();
  const unimplemented =
    (name: string): Handler =>
    (_call, callback) =>
      fail(callback, status.UNIMPLEMENTED, `the Pub/Sub stand-in does not serve ${name}`);
  const publisher: Record<string, Handler> = {
    CreateTopic({ request }, callback) {
      if (topics.has(request.name)) return fail(callback, status.ALREADY_EXISTS, `topic ${request.name} exists`);
      topics.add(request.name);
      callback(null, { name: request.name });
    },
    GetTopic({ request }, callback) {
      if (!topics.has(request.topic)) return fail(callback, status.NOT_FOUND, `no topic ${request.topic}`);
      callback(null, { name: request.topic });
    },
    Publish({ request }, callback) {
      if (!topics.has(request.topic)) return fail(callback, status.NOT_FOUND, `no topic ${request.topic}`);
      callback(null, { messageIds: publish(request.topic, request.messages ?? []) });
    },
  };
  const subscriber: Record<string, Handler> = {
    CreateSubscription({ request }, callback) {
      if (subscriptions.has(request.name)) return fail(callback, status.ALREADY_EXISTS, `subscription ${request.name} exists`);
      if (!topics.has(request.topic)) return fail(callback, status.NOT_FOUND, `no topic ${request.topic}`);
      const policy = request.deadLetterPolicy as DeadLetterPolicy | undefined;
      if (policy?.deadLetterTopic && ((policy.maxDeliveryAttempts ?? 5) < 5 || (policy.maxDeliveryAttempts ?? 5) > 100)) {
        // Google's emulator answers OUT_OF_RANGE here.
        return fail(callback, status.OUT_OF_RANGE, 'maxDeliveryAttempts must be between 5 and 100');
      }
      const sub: Subscription = {
        name: request.name,
        topic: request.topic,
        ackDeadlineSeconds: request.ackDeadlineSeconds || 10,
        ...(policy?.deadLetterTopic
          ? { deadLetterPolicy: { deadLetterTopic: policy.deadLetterTopic, maxDeliveryAttempts: policy.maxDeliveryAttempts || 5 } }
          : {}),
        messages: new Map(),
      };
      subscriptions.set(sub.name, sub);
      callback(null, describe(sub));
    },
    GetSubscription({ request }, callback) {
      const sub = subscriptions.get(request.subscription);
      return sub ? callback(null, describe(sub)) : fail(callback, status.NOT_FOUND, `no subscription ${request.subscription}`);
    },
    Pull(call, callback) {
      const sub = subscriptions.get(call.request.subscription);
      if (!sub) return fail(callback, status.NOT_FOUND, `no subscription ${call.request.subscription}`);
      const max = Math.max(1, call.request.maxMessages || 1);
      const first = take(sub, max);
      if (first.length > 0 || call.request.returnImmediately || stopping) return callback(null, { receivedMessages: first });
      // Wait for a message, bounded; a cancelled call (the consumer stopping) ends the wait.
      let done = false;
      const until = Date.now() + PULL_WAIT_MS;
      const finish = (messages: unknown[]): void => {
        if (done) return;
        done = true;
        clearInterval(timer);
        waiting.delete(check);
        callback(null, { receivedMessages: messages });
      };
      const check = (): void => {
        const got = take(sub, max);
        if (got.length > 0 || Date.now() >= until || stopping) finish(got);
      };
      const timer = setInterval(check, PULL_POLL_MS);
      waiting.add(check);
      call.on('cancelled', () => finish([]));
    },
    Acknowledge({ request }, callback) {
      const sub = subscriptions.get(request.subscription);
      if (!sub) return fail(callback, status.NOT_FOUND, `no subscription ${request.subscription}`);
      for (const held of leased(sub, request.ackIds ?? [])) sub.messages.delete(held.id);
      callback(null, {});
    },
    ModifyAckDeadline({ request }, callback) {
      const sub = subscriptions.get(request.subscription);
      if (!sub) return fail(callback, status.NOT_FOUND, `no subscription ${request.subscription}`);
      const seconds = Number(request.ackDeadlineSeconds ?? 0);
      if (seconds < 0 || seconds > 600) return fail(callback, status.INVALID_ARGUMENT, 'ackDeadlineSeconds must be between 0 and 600');
      for (const held of leased(sub, request.ackIds ?? [])) held.availableAt = Date.now() + seconds * 1000;
      if (seconds === 0) for (const wake of waiting) wake();
      callback(null, {});
    },
  };
  for (const name of ['UpdateTopic', 'ListTopics', 'ListTopicSubscriptions', 'ListTopicSnapshots', 'DeleteTopic', 'DetachSubscription'])
    publisher[name] ??= unimplemented(name);
  for (const name of [
    'UpdateSubscription',
    'ListSubscriptions',
    'DeleteSubscription',
    'StreamingPull',
    'ModifyPushConfig',
    'GetSnapshot',
    'ListSnapshots',
    'CreateSnapshot',
    'UpdateSnapshot',
    'DeleteSnapshot',
    'Seek',
  ])
    subscriber[name] ??= unimplemented(name);
  server.addService(v1.Publisher.service, publisher);
  server.addService(v1.Subscriber.service, subscriber);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', gax.grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    host: `127.0.0.1:${port}`,
    backlog: (subscription) => subscriptions.get(`projects/${project}/subscriptions/${subscription}`)?.messages.size ?? 0,
    stop: () => {
      stopping = true;
      for (const wake of waiting) wake();
      return shutdownGrpcServer(server);
    },
  };
}

function describe(sub: Subscription): Record<string, unknown> {
  return {
    name: sub.name,
    topic: sub.topic,
    ackDeadlineSeconds: sub.ackDeadlineSeconds,
    ...(sub.deadLetterPolicy ? { deadLetterPolicy: sub.deadLetterPolicy } : {}),
  };
}
