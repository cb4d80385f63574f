import { randomUUID } from 'node:crypto';
import {
  backoffCeiling,
  applyQueueFailure,
  InvocationContext,
  invokeQueueMessage,
  messagingSystem,
  summariseError,
  toDeadLetterEnvelope,
  TRACEPARENT_ATTRIBUTE,
  parseTraceparent,
  type Logger,
  type LogLevel,
  type LogSink,
  type Outcome,
  type QueueFunctionDefinition,
  type QueueMessage,
} from 'faasport';
import type { Delivery, QueueSource } from './queue-source.js';

/** What the container adapter's native escape hatch holds for a queue or topic message. */
export interface ContainerQueueNative {
  readonly trigger: 'queue' | 'topic';
  readonly cloud: string;
  readonly source: string;
}

export interface ConsumerOptions {
  readonly cloud: string;
  readonly log: Logger;
  readonly logSink?: LogSink;
  readonly logLevel?: LogLevel;
  /** Most messages handled at once (default: the queue's batchSize). */
  readonly concurrency?: number;
  readonly coldStart: () => boolean;
  /** Jitter source for retry backoff (tests pin it). */
  readonly random?: () => number;
}

export interface Consumer {
  readonly name: string;
  /** Connected to its queue service and receiving. */
  readonly ready: boolean;
  readonly inFlight: number;
  start(): void;
  /**
   * Stops receiving, lets in-flight handlers finish for up to `graceMs`, then hands every
   * unfinished message back (visible again at once) and resolves with how many it handed back.
   */
  stop(graceMs: number): Promise<number>;
}

/** Reconnect delays: capped exponential, full jitter, 0.25 s to 10 s. */
const RECONNECT = { initialDelayMs: 250, maxDelayMs: 10_000, multiplier: 2 } as const;

/**
 * Pulls one queue consumer's (or topic subscriber's) messages from `source` and runs them
 * with the same contract as the function adapters: one handler call per message, the
 * core's failure decision (retry after a jittered backoff, dead-letter on the last attempt
 * with the portable envelope, or discard when the queue keeps no dead letters), the lease
 * extended while a handler runs, and at most `concurrency` messages in flight.
 * A source that cannot be reached is retried with backoff; the consumer is not ready until
 * it connects, and nothing throws out of the loop.
 */
export function createConsumer(def: QueueFunctionDefinition, source: QueueSource, options: ConsumerOptions): Consumer {
  const concurrency = Math.max(1, options.concurrency ?? def.source.batchSize);
  const log = options.log.child({ consumer: def.name, source: source.name });
  const inFlight = new Map<Delivery, { done: Promise<void>; handedBack: boolean }>();
  const poll = new AbortController();
  let running = false;
  let ready = false;
  let loop: Promise<void> | undefined;
  let slotFreed: (() => void) | undefined;

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (poll.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        poll.signal.removeEventListener('abort', done);
        resolve();
      }
      poll.signal.addEventListener('abort', done, { once: true });
    });

  const context = (message: QueueMessage<unknown>): InvocationContext<ContainerQueueNative> =>
    new InvocationContext<ContainerQueueNative>({
      functionName: def.name,
      invocationId: randomUUID(),
      provider: 'container',
      // The spans name the cloud and its queue service, as the function adapters' do.
      cloud: options.cloud,
      messagingSystem: messagingSystem(options.cloud, def.kind),
      deadline: Date.now() + def.timeoutMs,
      coldStart: options.coldStart(),
      attempt: message.attempt,
      parentTrace: () => parseTraceparent(message.attributes[TRACEPARENT_ATTRIBUTE]),
      native: { trigger: def.kind, cloud: options.cloud, source: source.name },
      ...(options.logSink ? { logSink: options.logSink } : {}),
      ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    });

  const handle = async (delivery: Delivery, state: { handedBack: boolean }): Promise<void> => {
    const lease = Math.max(1, source.leaseSeconds);
    const extender = setInterval(
      () => {
        if (!state.handedBack)
          delivery
            .extend(lease)
            .catch((err: unknown) => log.warn('could not extend the lease; the message may be delivered again', { error: summariseError(err) }));
      },
      Math.max(500, (lease * 1000) / 3),
    );
    let message: QueueMessage<unknown>;
    let outcome: Outcome;
    try {
      let decoded: QueueMessage<unknown> | undefined;
      let decodeError: unknown;
      try {
        decoded = delivery.decode();
      } catch (error) {
        // Not run: it takes the retry path to the dead-letter queue, payload intact.
        log.error('message cannot be decoded; it is retried and then dead-lettered', { attempt: delivery.attempt, error: summariseError(error) });
        decodeError = error;
      }
      message = decoded ?? delivery.raw();
      outcome = decoded ? await invokeQueueMessage(def, decoded, context(decoded)) : { ok: false, error: decodeError };
    } finally {
      clearInterval(extender);
    }
    // Handed back at shutdown: another replica owns it now; settling it here could ack twice.
    if (state.handedBack) return;
    if (outcome.ok) return delivery.ack();
    await applyQueueFailure(
      { policy: def.source, messageId: message.id, attempt: delivery.attempt, log, ...(options.random ? { random: options.random } : {}) },
      {
        retry: (delayMs) => delivery.retryAfter(delayMs),
        deadLetter: () =>
          delivery.deadLetter(toDeadLetterEnvelope(def, def.source.name, message, delivery.attempt, outcome.error, delivery.firstAttemptAt), outcome.error),
        discard: () => delivery.ack(),
        // Its lease runs out and the queue service delivers it again.
        ifDeadLetterFails: 'the message is delivered again when its lease runs out',
      },
    );
  };

  const dispatch = (delivery: Delivery): void => {
    const state = { handedBack: false, done: Promise.resolve() };
    state.done = handle(delivery, state)
      .catch((err: unknown) => {
        // Settling failed (the service went away): the lease runs out and the message comes back.
        log.error('could not settle a message; it is delivered again when its lease runs out', { error: summariseError(err) });
      })
      .finally(() => {
        inFlight.delete(delivery);
        slotFreed?.();
      });
    inFlight.set(delivery, state);
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    while (running) {
      if (!ready) {
        try {
          await source.connect();
          ready = true;
          failures = 0;
          log.info('consumer connected');
        } catch (err) {
          failures++;
          log.warn('cannot reach the queue service; retrying', { error: summariseError(err), failures });
          await pause(backoffCeiling(RECONNECT, failures));
          continue;
        }
      }
      const free = concurrency - inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        slotFreed = undefined;
        continue;
      }
      let deliveries: Delivery[];
      try {
        deliveries = await source.receive(free, poll.signal);
      } catch (err) {
        if (!running) break;
        ready = false;
        failures++;
        log.warn('receive failed; reconnecting', { error: summariseError(err), failures });
        await pause(backoffCeiling(RECONNECT, failures));
        continue;
      }
      if (!running) {
        // Received while stopping: not started, so handed straight back.
        await Promise.allSettled(deliveries.map((d) => d.release()));
        break;
      }
      for (const delivery of deliveries) dispatch(delivery);
    }
  };

  return {
    name: def.name,
    get ready() {
      return ready && running;
    },
    get inFlight() {
      return inFlight.size;
    },
    start() {
      if (running) return;
      running = true;
      loop = run().catch((err: unknown) => log.error('consumer loop stopped unexpectedly', { error: summariseError(err) }));
    },
    async stop(graceMs) {
      running = false;
      poll.abort();
      slotFreed?.();
      await loop;
      const finished = Promise.all([...inFlight.values()].map((s) => s.done));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      const unfinished = [...inFlight.entries()];
      for (const [, state] of unfinished) state.handedBack = true;
      const handedBack = await Promise.allSettled(unfinished.map(([delivery]) => delivery.release()));
      for (const r of handedBack)
        if (r.status === 'rejected') log.warn('could not hand a message back; it comes back when its lease runs out', { error: summariseError(r.reason) });
      await source.close?.();
      return unfinished.length;
    },
  };
}
