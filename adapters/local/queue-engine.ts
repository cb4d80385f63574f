import { randomUUID } from 'node:crypto';
import {
  decideFailure,
  summariseError,
  toDeadLetterEnvelope,
  type BackoffPolicy,
  type DeadLetterEnvelope,
  type Logger,
  type OutgoingMessage,
  type Outcome,
  type QueueMessage,
} from '../../src/index.js';

/** A message as the local engine stores it. */
export interface StoredMessage {
  readonly id: string;
  readonly seq: number;
  readonly payload: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly groupId: string | undefined;
  readonly enqueuedAt: Date;
  visibleAt: number;
  /** Deliveries so far. */
  attempt: number;
  firstAttemptAt: Date | undefined;
  inFlight: boolean;
}

export interface ChannelPolicy {
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy | false;
  readonly deadLetter: boolean;
  readonly fifo: boolean;
}

export type Consumer = (message: QueueMessage<unknown>) => Promise<Outcome>;

export interface ChannelInit {
  /** Unique key: the queue name, or `topic/subscriber` for a topic subscription. */
  readonly key: string;
  /** The queue or topic name users know. */
  readonly queue: string;
  readonly functionName: string | undefined;
  readonly policy: ChannelPolicy;
  /** Messages delivered at once (default 10; FIFO still serialises each group). */
  readonly concurrency?: number;
}

export interface ChannelStats {
  readonly key: string;
  readonly queue: string;
  readonly functionName: string | null;
  /** Messages waiting, visible now. */
  readonly depth: number;
  /** Messages waiting for a delay or a retry backoff. */
  readonly delayed: number;
  readonly inFlight: number;
  readonly deadLettered: number;
  readonly handled: number;
}

class Channel {
  readonly messages: StoredMessage[] = [];
  readonly deadLetters: DeadLetterEnvelope[] = [];
  consumer: Consumer | undefined;
  inFlight = 0;
  handled = 0;
  constructor(readonly init: ChannelInit) {}
}

export interface QueueEngineOptions {
  readonly log: Logger;
  /** Jitter source, for tests that pin it. */
  readonly random?: () => number;
}

/**
 * In-process queues with leases, redelivery after a full-jitter backoff, attempt counting,
 * FIFO per group, delays and dead-letter envelopes. Nothing leaves a channel except by
 * success, dead-lettering, or (deadLetter: false) an error-logged discard.
 */
export class QueueEngine {
  readonly #channels = new Map<string, Channel>();
  readonly #options: QueueEngineOptions;
  readonly #idleWaiters = new Set<() => void>();
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #pumpQueued = false;
  #stopped = false;

  constructor(options: QueueEngineOptions) {
    this.#options = options;
  }

  createChannel(init: ChannelInit, consumer?: Consumer): void {
    const channel = new Channel(init);
    channel.consumer = consumer;
    this.#channels.set(init.key, channel);
  }

  hasChannel(key: string): boolean {
    return this.#channels.has(key);
  }

  enqueue(key: string, message: OutgoingMessage): { id: string } {
    const channel = this.#require(key);
    const now = Date.now();
    channel.messages.push({
      id: randomUUID(),
      seq: ++this.#seq,
      payload: message.payload,
      attributes: message.attributes,
      groupId: message.groupId,
      enqueuedAt: new Date(now),
      visibleAt: now + message.delaySeconds * 1000,
      attempt: 0,
      firstAttemptAt: undefined,
      inFlight: false,
    });
    this.#schedulePump();
    return { id: channel.messages[channel.messages.length - 1]!.id };
  }

  deadLetters(key: string): DeadLetterEnvelope[] {
    return [...this.#require(key).deadLetters];
  }

  stats(): ChannelStats[] {
    const now = Date.now();
    return [...this.#channels.values()].map((c) => {
      let depth = 0;
      let delayed = 0;
      for (const m of c.messages) {
        if (m.inFlight) continue;
        if (m.visibleAt > now) delayed++;
        else depth++;
      }
      return {
        key: c.init.key,
        queue: c.init.queue,
        functionName: c.init.functionName ?? null,
        depth,
        delayed,
        inFlight: c.inFlight,
        deadLettered: c.deadLetters.length,
        handled: c.handled,
      };
    });
  }

  /** Resolves when every channel that has a consumer is empty. */
  whenIdle(timeoutMs = 30_000): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#idleWaiters.delete(done);
        const busy = this.stats().filter((s) => s.depth + s.delayed + s.inFlight > 0);
        reject(new Error(`queues did not settle within ${timeoutMs} ms: ${JSON.stringify(busy)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#idleWaiters.add(done);
    });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #require(key: string): Channel {
    const channel = this.#channels.get(key);
    if (!channel) throw new Error(`local queue engine: no channel "${key}"`);
    return channel;
  }

  #isIdle(): boolean {
    for (const c of this.#channels.values()) if (c.consumer && (c.messages.length > 0 || c.inFlight > 0)) return false;
    return true;
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.size === 0 || !this.#isIdle()) return;
    for (const waiter of [...this.#idleWaiters]) waiter();
    this.#idleWaiters.clear();
  }

  #schedulePump(): void {
    if (this.#pumpQueued || this.#stopped) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#stopped) return;
    const now = Date.now();
    let nextWake = Infinity;
    for (const channel of this.#channels.values()) {
      if (!channel.consumer) continue;
      const limit = channel.init.concurrency ?? 10;
      const blockedGroups = new Set<string>();
      for (const message of channel.messages) {
        if (channel.inFlight >= limit) break;
        const group = channel.init.policy.fifo ? message.groupId : undefined;
        if (group !== undefined && blockedGroups.has(group)) continue;
        if (message.inFlight || message.visibleAt > now) {
          if (!message.inFlight) nextWake = Math.min(nextWake, message.visibleAt);
          // FIFO: a message waiting for delivery or retry holds back the rest of its group.
          if (group !== undefined) blockedGroups.add(group);
          continue;
        }
        if (group !== undefined) blockedGroups.add(group);
        void this.#deliver(channel, message, now);
      }
    }
    this.#armTimer(nextWake);
    this.#notifyIdle();
  }

  #armTimer(at: number): void {
    if (at === Infinity || at >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#pump();
    }, Math.max(0, at - Date.now()));
    this.#timer.unref();
  }

  async #deliver(channel: Channel, stored: StoredMessage, now: number): Promise<void> {
    stored.inFlight = true;
    stored.attempt++;
    stored.firstAttemptAt ??= new Date(now);
    channel.inFlight++;
    let message: QueueMessage<unknown>;
    let outcome: Outcome;
    try {
      message = {
        id: stored.id,
        body: JSON.parse(stored.payload) as unknown,
        attempt: stored.attempt,
        enqueuedAt: stored.enqueuedAt,
        attributes: stored.attributes,
        ...(stored.groupId !== undefined ? { groupId: stored.groupId } : {}),
      };
      outcome = await channel.consumer!(message);
    } catch (error) {
      message ??= { id: stored.id, body: stored.payload, attempt: stored.attempt, enqueuedAt: stored.enqueuedAt, attributes: stored.attributes };
      outcome = { ok: false, error };
    }
    channel.inFlight--;
    stored.inFlight = false;
    if (outcome.ok) {
      channel.handled++;
      this.#remove(channel, stored);
    } else {
      const decision = decideFailure(channel.init.policy, stored.attempt, this.#options.random);
      if (decision.action === 'retry') {
        stored.visibleAt = Date.now() + decision.delayMs;
      } else if (decision.action === 'dead-letter') {
        const envelope = toDeadLetterEnvelope(
          { name: channel.init.functionName ?? channel.init.queue },
          channel.init.queue,
          message,
          stored.attempt,
          outcome.error,
          stored.firstAttemptAt,
        );
        channel.deadLetters.push(envelope);
        this.#remove(channel, stored);
        this.#options.log.warn('message dead-lettered', {
          queue: channel.init.queue,
          consumer: channel.init.functionName,
          messageId: stored.id,
          attempts: stored.attempt,
          error: summariseError(outcome.error),
        });
      } else {
        this.#remove(channel, stored);
        this.#options.log.error('message discarded after its last attempt (the queue has deadLetter: false)', {
          queue: channel.init.queue,
          consumer: channel.init.functionName,
          messageId: stored.id,
          attempts: stored.attempt,
          error: summariseError(outcome.error),
        });
      }
    }
    this.#schedulePump();
  }

  #remove(channel: Channel, stored: StoredMessage): void {
    const i = channel.messages.indexOf(stored);
    if (i >= 0) channel.messages.splice(i, 1);
  }
}
