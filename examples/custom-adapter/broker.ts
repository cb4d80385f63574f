import { applyQueueFailure, summariseError, toDeadLetterEnvelope, type BackoffPolicy, type CloudEvent, type Logger, type QueueMessage } from 'faasport';
import type { DeadLetterSink } from './dead-letter-sink.js';
import { decodeQueueEvent } from './decode-queue-event.js';
import { sendEvent, type SendOutcome } from './send-event.js';
import {
  ATTEMPT_EXTENSION,
  ERROR_CODE_EXTENSION,
  ERROR_DATA_EXTENSION,
  ERROR_DATA_MAX_BYTES,
  ERROR_DEST_EXTENSION,
  QUEUE_MESSAGE_TYPE,
  TOPIC_MESSAGE_TYPE,
} from './vocabulary.js';

/** Knative's `delivery` spec in portable terms: `retry` = maxAttempts - 1, exponential backoff, a dead-letter sink or none. */
export interface DeliveryPolicy {
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy | false;
  readonly deadLetter: boolean;
}

/** A channel subscription (queue consumer) or a broker trigger (topic subscriber, event function, schedule). */
export interface Subscription {
  /** The subscriber function. */
  readonly functionName: string;
  /** What the subscription reads: the queue/topic name, `event/<function>` or `schedule/<function>`. */
  readonly queue: string;
  /** The trigger filter / channel membership. */
  matches(event: CloudEvent): boolean;
  /** Destination URL the events are POSTed to. */
  readonly subscriber: string;
  readonly delivery: DeliveryPolicy;
  /** How long one delivery may take before it counts as failed (Knative `delivery.timeout`). */
  readonly timeoutMs: number;
}

export interface BrokerOptions {
  readonly subscriptions: readonly Subscription[];
  readonly deadLetterSink: DeadLetterSink;
  readonly log: Logger;
  /** Deliveries in flight per subscription (default 16). */
  readonly maxInFlight?: number;
  /** Jitter source for backoff. */
  readonly random?: () => number;
}

interface Delivery {
  readonly subscription: Subscription;
  readonly event: CloudEvent;
  readonly attempt: number;
  readonly firstAttemptAt: Date;
}

interface Lane {
  running: number;
  readonly waiting: Delivery[];
}

/**
 * The in-process stand-in for Knative's channels and broker: routes each accepted event to
 * every subscription whose filter admits it and pushes it to the subscriber over HTTP. A 2xx
 * answer completes the delivery; a retryable failure (404, 409, 429, 5xx, no answer) is
 * redelivered after a capped exponential backoff with full jitter until `maxAttempts`; then,
 * or at once for a non-retryable answer, the event goes to the dead-letter sink with the
 * portable envelope. Deliveries are concurrent: there is no order, per key or otherwise.
 */
export class Broker {
  readonly #subscriptions: readonly Subscription[];
  readonly #sink: DeadLetterSink;
  readonly #log: Logger;
  readonly #maxInFlight: number;
  readonly #random: (() => number) | undefined;
  readonly #lanes = new Map<Subscription, Lane>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #controllers = new Set<AbortController>();
  readonly #idleWaiters = new Set<{ resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  readonly #unrouted: CloudEvent[] = [];
  #pending = 0;
  #stopped = false;

  constructor(options: BrokerOptions) {
    this.#subscriptions = options.subscriptions;
    this.#sink = options.deadLetterSink;
    this.#log = options.log;
    this.#maxInFlight = options.maxInFlight ?? 16;
    this.#random = options.random;
    for (const s of this.#subscriptions) this.#lanes.set(s, { running: 0, waiting: [] });
  }

  /** Accepts an event (the ingress answer is 202 after this); returns how many subscriptions will receive it. */
  accept(event: CloudEvent): number {
    const matched = this.#subscriptions.filter((s) => s.matches(event));
    if (matched.length === 0) {
      if (event.type === QUEUE_MESSAGE_TYPE || event.type === TOPIC_MESSAGE_TYPE) {
        // Knative would drop it; keep it visible instead so a message is never lost without trace.
        this.#unrouted.push(event);
        this.#log.warn('no subscription for message; kept as unrouted', { id: event.id, type: event.type });
      } else {
        this.#log.debug('no trigger matches the event; dropped as a Knative broker does', { id: event.id, type: event.type });
      }
    }
    const firstAttemptAt = new Date();
    for (const subscription of matched) this.#enqueue({ subscription, event, attempt: 1, firstAttemptAt });
    return matched.length;
  }

  /** Messages that matched no subscription (a queue nobody consumes). */
  unrouted(): readonly CloudEvent[] {
    return this.#unrouted;
  }

  /** Deliveries waiting, in flight or scheduled for retry. */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves when nothing is waiting, in flight or scheduled for retry; rejects after `timeoutMs`. */
  whenIdle(timeoutMs = 30_000): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#idleWaiters.delete(waiter);
          reject(new Error(`knative broker: ${this.#pending} deliveries still pending after ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#idleWaiters.add(waiter);
    });
  }

  /** Cancels retries and in-flight deliveries; pending idle waits reject. */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#pending -= this.#timers.size;
    this.#timers.clear();
    for (const lane of this.#lanes.values()) {
      this.#pending -= lane.waiting.length;
      lane.waiting.length = 0;
    }
    for (const c of this.#controllers) c.abort(new Error('knative broker stopped'));
    for (const w of this.#idleWaiters) {
      clearTimeout(w.timer);
      w.reject(new Error('knative broker stopped before it was idle'));
    }
    this.#idleWaiters.clear();
  }

  #enqueue(delivery: Delivery): void {
    if (this.#stopped) return;
    this.#pending++;
    const lane = this.#lanes.get(delivery.subscription)!;
    if (lane.running < this.#maxInFlight) this.#start(lane, delivery);
    else lane.waiting.push(delivery);
  }

  #start(lane: Lane, delivery: Delivery): void {
    lane.running++;
    void this.#deliver(delivery)
      .catch((err: unknown) =>
        this.#log.error('delivery crashed; event not delivered', {
          subscriber: delivery.subscription.functionName,
          id: delivery.event.id,
          error: summariseError(err),
        }),
      )
      .finally(() => {
        lane.running--;
        const next = lane.waiting.shift();
        if (next && !this.#stopped) this.#start(lane, next);
        this.#done();
      });
  }

  #done(): void {
    this.#pending--;
    if (this.#pending > 0) return;
    for (const w of this.#idleWaiters) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.#idleWaiters.clear();
  }

  async #deliver(delivery: Delivery): Promise<void> {
    const { subscription, event, attempt } = delivery;
    const controller = new AbortController();
    this.#controllers.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`delivery timed out after ${subscription.timeoutMs} ms`)), subscription.timeoutMs);
    let outcome: SendOutcome;
    try {
      // Senders may update attributes per attempt (data-plane contract): the attempt travels as an extension.
      outcome = await sendEvent(subscription.subscriber, { ...event, [ATTEMPT_EXTENSION]: String(attempt) }, controller.signal);
    } finally {
      clearTimeout(timer);
      this.#controllers.delete(controller);
    }
    if (outcome.ok || this.#stopped) return;
    await applyQueueFailure(
      {
        policy: subscription.delivery,
        messageId: event.id,
        attempt,
        retryable: outcome.retryable,
        log: this.#log,
        fields: { subscriber: subscription.functionName, status: outcome.status ?? null, error: summariseError(outcome.error) },
        ...(this.#random ? { random: this.#random } : {}),
      },
      {
        retry: (delayMs) => {
          this.#pending++;
          const retry = setTimeout(() => {
            this.#timers.delete(retry);
            this.#pending--;
            this.#enqueue({ ...delivery, attempt: attempt + 1 });
          }, delayMs);
          this.#timers.add(retry);
        },
        deadLetter: () => this.#deadLetter(delivery, outcome),
        ifDeadLetterFails: 'the broker keeps no copy of the event once its dead-letter sink refuses it',
      },
    );
  }

  async #deadLetter(delivery: Delivery, outcome: Extract<SendOutcome, { ok: false }>): Promise<void> {
    const { subscription, event, attempt, firstAttemptAt } = delivery;
    const errored: Record<string, unknown> = { ...event, [ERROR_DEST_EXTENSION]: subscription.subscriber };
    if (outcome.status !== undefined) errored[ERROR_CODE_EXTENSION] = String(outcome.status);
    if (outcome.body && outcome.body.length > 0) {
      errored[ERROR_DATA_EXTENSION] = Buffer.from(outcome.body.subarray(0, ERROR_DATA_MAX_BYTES)).toString('base64');
    }
    const envelope = toDeadLetterEnvelope(
      { name: subscription.functionName },
      subscription.queue,
      envelopeMessage(event),
      attempt,
      outcome.error,
      firstAttemptAt,
    );
    await this.#sink.write({ queue: subscription.queue, functionName: subscription.functionName, event: errored as CloudEvent, envelope });
  }
}

/** The message the envelope keeps: the queue message itself, or the whole event for event and ping triggers. */
function envelopeMessage(event: CloudEvent): QueueMessage<unknown> {
  if (event.type === QUEUE_MESSAGE_TYPE || event.type === TOPIC_MESSAGE_TYPE) {
    try {
      return decodeQueueEvent(event).message;
    } catch {
      /* a malformed message is kept whole below */
    }
  }
  const body = event.data instanceof Uint8Array ? { ...event, data: undefined, data_base64: Buffer.from(event.data).toString('base64') } : event;
  return { id: event.id, body, attempt: 1, enqueuedAt: event.time ? new Date(event.time) : new Date(), attributes: {} };
}
