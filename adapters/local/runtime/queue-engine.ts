import { randomUUID } from 'node:crypto';
import { OrderedSet } from './ordered-set.js';
import {
  FaasportError,
  applyQueueFailure,
  summariseError,
  toDeadLetterEnvelope,
  type BackoffPolicy,
  type DeadLetterEnvelope,
  type ErrorSummary,
  type Logger,
  type OutgoingMessage,
  type Outcome,
  type QueueMessage,
} from 'faasport';

/** A message as the local engine stores it. */
export interface StoredMessage {
  readonly id: string;
  readonly seq: number;
  readonly payload: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly groupId: string | undefined;
  readonly enqueuedAt: Date;
  /** Epoch ms when the message can be delivered: after a delay, a retry backoff, or the end of its lease. */
  visibleAt: number;
  /** Deliveries so far (a delivery counts when it starts, as SQS's receive count does). */
  attempt: number;
  firstAttemptAt: Date | undefined;
  /** The current delivery's receipt while a consumer holds the message's lease. */
  receipt: number | undefined;
  /** Why its last delivery failed (kept in memory only: a restart shows it from the next failure on). */
  lastError?: ErrorSummary;
}

/** A waiting or in-flight message as the dev API lists it. */
export interface QueuedMessageView {
  readonly id: string;
  readonly body: unknown;
  readonly attributes: Readonly<Record<string, string>>;
  readonly groupId?: string;
  readonly enqueuedAt: string;
  /** Deliveries so far. */
  readonly attempt: number;
  readonly state: 'ready' | 'delayed' | 'in-flight';
  /** When it is (or was) due: after a delay, a retry backoff, or the end of its lease. */
  readonly visibleAt: string;
  readonly lastError: ErrorSummary | null;
}

/**
 * Where a durable engine writes every change before acting on it. Each call is one atomic
 * write; a process killed at any point finds the queue as the last call left it. A write that
 * fails throws a typed error (STORE_FULL, STORE_UNAVAILABLE) and changes nothing.
 */
export interface QueueStore {
  /** What an earlier run left: messages (leases released), dead letters, and how many were in flight. */
  load(now: number): PersistedQueues;
  /** New messages, all or none (a batch send, a publish to every subscriber). */
  insert(entries: readonly (readonly [channel: string, message: StoredMessage])[]): void;
  /** Writes the delivery fields (visibleAt, attempt, firstAttemptAt, whether it is leased). */
  update(channel: string, message: StoredMessage): void;
  /** Removes a handled or discarded message. */
  remove(channel: string, message: StoredMessage): void;
  /** Removes the message and keeps its envelope, in one transaction. */
  deadLetter(channel: string, message: StoredMessage, envelope: DeadLetterEnvelope): void;
  /** Moves a stored message row that could not be decoded to the dead letters, in one transaction. */
  deadLetterUndecodable(channel: string, row: UndecodableRow, envelope: DeadLetterEnvelope): void;
  /** Removes the dead letters of these messages and stores the messages again (attempt 0), in one transaction. */
  redrive(channel: string, messages: readonly StoredMessage[]): void;
  /** Removes these waiting messages (a purge), in one transaction. */
  purge(channel: string, messages: readonly StoredMessage[]): void;
  /** Removes every dead letter of the channel. */
  purgeDeadLetters(channel: string): void;
  /**
   * Runs the calls `fn` makes as one transaction: all of them or none. Optional: a store
   * without it has each call written on its own.
   */
  batch?(fn: () => void): void;
}

/** A store write that waits for the next pump, to share its transaction. */
interface PendingWrite {
  readonly operation: string;
  readonly stored: StoredMessage;
  readonly fn: () => void;
}

/** A send waiting for the transaction of its synchronous run. */
interface PendingSend {
  readonly stored: readonly (readonly [Channel, StoredMessage])[];
  readonly resolve: (ids: { id: string }[]) => void;
  readonly reject: (err: unknown) => void;
}

/** A delivery the pump starts once its attempt is written. */
interface Start {
  readonly channel: Channel;
  readonly stored: StoredMessage;
  readonly receipt: number;
}

/** A stored row the store could not decode (damaged outside faasport): it is dead-lettered, not delivered. */
export interface UndecodableRow {
  readonly kind: 'message' | 'dead-letter';
  /** SQLite rowid (message) or sequence (dead letter) of the row. */
  readonly rowid: number;
  readonly problem: string;
  /** What could be read of it: the payload (or the envelope text) as it is. */
  readonly raw: { readonly id: string; readonly payload: string; readonly enqueuedAt?: number; readonly attempt?: number };
}

export interface PersistedQueues {
  readonly messages: ReadonlyMap<string, StoredMessage[]>;
  readonly deadLetters: ReadonlyMap<string, DeadLetterEnvelope[]>;
  /** Per channel, messages whose lease an earlier process held when it stopped: redelivered now, attempt already counted. */
  readonly recoveredInFlight: ReadonlyMap<string, number>;
  /** Per channel, rows that could not be decoded. */
  readonly undecodable?: ReadonlyMap<string, UndecodableRow[]>;
}

export interface ChannelPolicy {
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy | false;
  readonly deadLetter: boolean;
  readonly fifo: boolean;
  /** Lease of a delivered message, ms (a queue's visibilityTimeoutMs). */
  readonly visibilityTimeoutMs?: number | undefined;
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
  /**
   * Renew the lease while the consumer runs, as the Azure Functions host and Service Bus
   * auto-lock-renewal do (default true). With false, a consumer that outlives its lease sees
   * the message delivered again while it still runs, as on SQS.
   */
  readonly renewLease?: boolean;
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

/** Lease when the queue names none: 6 × the default 30 s consumer timeout, as the queue options document. */
export const DEFAULT_LEASE_MS = 180_000;
/** How long a message whose delivery could not be recorded (full disk) waits before the next try, and the log's rate. */
const STORE_RETRY_MS = 1_000;

class Channel {
  /** Waiting and in-flight messages, in send order. */
  readonly messages = new OrderedSet<StoredMessage>();
  deadLetters: DeadLetterEnvelope[] = [];
  consumer: Consumer | undefined;
  /** Consumer calls running, including ones whose lease lapsed. */
  running = 0;
  handled = 0;
  /** Deliveries whose lease is renewed (message → receipt), and the one timer that renews them all. */
  readonly leased = new Map<StoredMessage, number>();
  renewTimer: NodeJS.Timeout | undefined;
  leaseMs!: number;
  renewLease!: boolean;
  init!: ChannelInit;
  constructor(init: ChannelInit) {
    this.configure(init);
  }

  /** Takes a (new) definition: policy, consumer name, lease. Messages and dead letters stay. */
  configure(init: ChannelInit): void {
    this.init = init;
    this.leaseMs = init.policy.visibilityTimeoutMs ?? DEFAULT_LEASE_MS;
    this.renewLease = init.renewLease ?? true;
  }
}

export interface QueueEngineOptions {
  readonly log: Logger;
  /** Jitter source, for tests that pin it. */
  readonly random?: () => number;
  /** Durable storage (`faasport dev --persist`); in memory only without it. */
  readonly store?: QueueStore;
}

function leaseLapsed(): Error {
  const err = new Error('the consumer did not finish its last attempt: the process stopped or the lease (visibilityTimeoutMs) lapsed');
  err.name = 'LeaseExpired';
  return err;
}

/**
 * In-process queues with leases, redelivery after a full-jitter backoff, attempt counting,
 * FIFO per group, delays and dead-letter envelopes. Nothing leaves a channel except by
 * success, dead-lettering, or (deadLetter: false) an error-logged discard. With a store,
 * every change is written before it takes effect, so a killed process loses nothing.
 */
export class QueueEngine {
  readonly #channels = new Map<string, Channel>();
  readonly #options: QueueEngineOptions;
  readonly #idleWaiters = new Set<() => void>();
  readonly #store: QueueStore | undefined;
  readonly #persisted: PersistedQueues | undefined;
  /** Messages that left their channel (handled, dead-lettered, discarded). */
  readonly #finished = new WeakSet<StoredMessage>();
  #seq = 0;
  #receipts = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #pumpQueued = false;
  /** Writes of settled deliveries (handled, retried, dead-lettered), for the next pump's transaction. */
  #pendingWrites: PendingWrite[] = [];
  #stopped = false;
  #lastWriteLog = -Infinity;
  #writeErrorsSinceLog = 0;

  constructor(options: QueueEngineOptions) {
    this.#options = options;
    this.#store = options.store;
    if (this.#store) {
      this.#persisted = this.#store.load(Date.now());
      for (const list of this.#persisted.messages.values()) for (const m of list) this.#seq = Math.max(this.#seq, m.seq);
      const recovered = this.#persisted.recoveredInFlight;
      if (recovered.size > 0) {
        options.log.warn('redelivering messages that were in flight when the last run stopped', {
          count: [...recovered.values()].reduce((a, b) => a + b, 0),
          channels: Object.fromEntries(recovered),
        });
      }
    }
  }

  createChannel(init: ChannelInit, consumer?: Consumer): void {
    const channel = new Channel(init);
    channel.consumer = consumer;
    for (const m of this.#persisted?.messages.get(init.key) ?? []) channel.messages.add(m);
    channel.deadLetters = [...(this.#persisted?.deadLetters.get(init.key) ?? [])];
    this.#channels.set(init.key, channel);
    const undecodable = this.#persisted?.undecodable?.get(init.key);
    if (undecodable) this.#deadLetterUndecodable(channel, undecodable);
    if (channel.messages.size > 0) this.#schedulePump();
  }

  /**
   * Points an existing channel at a new definition and consumer (`faasport dev` reloading the
   * app), or creates it. Its messages, dead letters and counters stay; deliveries already
   * running finish on the consumer they started with, and their results count under the new
   * policy. An undefined consumer leaves the messages waiting until one is bound again.
   */
  bindChannel(init: ChannelInit, consumer?: Consumer): void {
    const channel = this.#channels.get(init.key);
    if (!channel) return this.createChannel(init, consumer);
    const leaseMs = channel.leaseMs;
    channel.configure(init);
    channel.consumer = consumer;
    if (channel.renewTimer && channel.leaseMs !== leaseMs) {
      // The timer ticks at half the old lease: renew the held leases now with the new one, and tick at half of it.
      clearInterval(channel.renewTimer);
      channel.renewTimer = undefined;
      this.#renewLeases(channel);
      if (channel.leased.size > 0) this.#startRenewTimer(channel);
    }
    this.#schedulePump();
  }

  /** Takes the consumer off a channel (its function left the app): messages wait, nothing is dropped. */
  unbindChannel(key: string): void {
    const channel = this.#channels.get(key);
    if (channel) channel.consumer = undefined;
    this.#notifyIdle();
  }

  /** Every channel's key, including those whose consumer left the app. */
  channelKeys(): string[] {
    return [...this.#channels.keys()];
  }

  hasChannel(key: string): boolean {
    return this.#channels.has(key);
  }

  enqueue(key: string, message: OutgoingMessage): { id: string } {
    return this.enqueueAll([[key, message]])[0]!;
  }

  /**
   * Accepts messages for one or more channels, all or none: with a store they are on disk
   * before this returns, and a store that cannot take them (full disk) throws its typed error
   * with nothing accepted.
   */
  enqueueAll(entries: readonly (readonly [key: string, message: OutgoingMessage])[]): { id: string }[] {
    const stored = this.#toStored(entries);
    // Written before send() resolves: an accepted message survives a crash.
    this.#store?.insert(stored.map(([channel, m]) => [channel.init.key, m] as const));
    this.#accept(stored);
    return stored.map(([, m]) => ({ id: m.id }));
  }

  /**
   * `enqueueAll` for a send that can wait: with a store, the sends made in one synchronous run
   * (a loop of `send` calls) are written in one transaction, and each resolves once it is on
   * disk. If that transaction fails, each send is written on its own, so each is still all or
   * none and a send that cannot be stored (full disk) rejects with its typed error alone.
   */
  send(entries: readonly (readonly [key: string, message: OutgoingMessage])[]): Promise<{ id: string }[]> {
    if (!this.#store?.batch) {
      try {
        return Promise.resolve(this.enqueueAll(entries));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    let stored: (readonly [Channel, StoredMessage])[];
    try {
      stored = this.#toStored(entries);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise((resolve, reject) => {
      if (this.#sendGroup.length === 0) queueMicrotask(this.#writeSends);
      this.#sendGroup.push({ stored, resolve, reject });
    });
  }

  readonly #sendGroup: PendingSend[] = [];

  readonly #writeSends = (): void => {
    const group = this.#sendGroup.splice(0);
    const store = this.#store!;
    let grouped = false;
    if (group.length > 1) {
      try {
        store.batch!(() => {
          for (const send of group) store.insert(send.stored.map(([channel, m]) => [channel.init.key, m] as const));
        });
        grouped = true;
      } catch {
        // Rolled back as a whole: each send on its own below.
      }
    }
    for (const send of group) {
      try {
        if (!grouped) store.insert(send.stored.map(([channel, m]) => [channel.init.key, m] as const));
      } catch (err) {
        send.reject(err);
        continue;
      }
      this.#accept(send.stored);
      send.resolve(send.stored.map(([, m]) => ({ id: m.id })));
    }
  };

  #accept(stored: readonly (readonly [Channel, StoredMessage])[]): void {
    for (const [channel, m] of stored) channel.messages.add(m);
    this.#schedulePump();
  }

  #toStored(entries: readonly (readonly [key: string, message: OutgoingMessage])[]): (readonly [Channel, StoredMessage])[] {
    const now = Date.now();
    return entries.map(([key, message]) => {
      const channel = this.#require(key);
      const m: StoredMessage = {
        id: randomUUID(),
        seq: ++this.#seq,
        payload: message.payload,
        attributes: message.attributes,
        groupId: message.groupId,
        enqueuedAt: new Date(now),
        visibleAt: now + message.delaySeconds * 1000,
        attempt: 0,
        firstAttemptAt: undefined,
        receipt: undefined,
      };
      return [channel, m] as const;
    });
  }

  deadLetters(key: string): DeadLetterEnvelope[] {
    return [...this.#require(key).deadLetters];
  }

  /** The first `limit` waiting and in-flight messages of a channel, oldest first. */
  messages(key: string, limit = 100): QueuedMessageView[] {
    const now = Date.now();
    return [...this.#require(key).messages].slice(0, limit).map((m) => ({
      id: m.id,
      body: parseOrText(m.payload),
      attributes: m.attributes,
      ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
      enqueuedAt: m.enqueuedAt.toISOString(),
      attempt: m.attempt,
      state: m.visibleAt > now ? (m.receipt !== undefined ? 'in-flight' : 'delayed') : 'ready',
      visibleAt: new Date(m.visibleAt).toISOString(),
      lastError: m.lastError ?? null,
    }));
  }

  /**
   * Puts dead letters (all of the channel's, or those whose message id is in `ids`) back on
   * their channel as new deliveries: same id, body, attributes (so the trace continues) and
   * group, attempt count from zero. With a store, written in one transaction first; a store
   * that cannot take it throws its typed error and nothing moves.
   */
  redrive(key: string, ids?: readonly string[]): { id: string }[] {
    const channel = this.#require(key);
    const wanted = ids ? new Set(ids) : undefined;
    const picked = channel.deadLetters.filter((e) => wanted === undefined || wanted.has(e.message.id));
    if (picked.length === 0) return [];
    // The store first catches up with memory (a dead letter may still be waiting for its write).
    this.#flush([]);
    const now = Date.now();
    const stored = picked.map((e): StoredMessage => ({
      id: e.message.id,
      seq: ++this.#seq,
      payload: JSON.stringify(e.message.body) ?? 'null',
      attributes: e.message.attributes ?? {},
      groupId: e.message.groupId,
      enqueuedAt: new Date(now),
      visibleAt: now,
      attempt: 0,
      firstAttemptAt: undefined,
      receipt: undefined,
    }));
    this.#store?.redrive(key, stored);
    const moved = new Set(picked);
    channel.deadLetters = channel.deadLetters.filter((e) => !moved.has(e));
    for (const m of stored) channel.messages.add(m);
    this.#schedulePump();
    return stored.map((m) => ({ id: m.id }));
  }

  /** Drops every waiting message of a channel; messages a consumer holds now finish as they will. */
  purge(key: string): { purged: number; inFlight: number } {
    const channel = this.#require(key);
    const held = (m: StoredMessage): boolean => m.receipt !== undefined;
    const gone = [...channel.messages].filter((m) => !held(m));
    if (gone.length > 0) {
      this.#flush([]);
      this.#store?.purge(key, gone);
    }
    for (const m of gone) this.#remove(channel, m);
    this.#notifyIdle();
    return { purged: gone.length, inFlight: channel.messages.size };
  }

  /** Drops every dead letter of a channel. */
  purgeDeadLetters(key: string): { purged: number } {
    const channel = this.#require(key);
    const purged = channel.deadLetters.length;
    if (purged > 0) {
      this.#flush([]);
      this.#store?.purgeDeadLetters(key);
    }
    channel.deadLetters = [];
    return { purged };
  }

  stats(): ChannelStats[] {
    const now = Date.now();
    return [...this.#channels.values()].map((c) => {
      let depth = 0;
      let delayed = 0;
      let inFlight = 0;
      for (const m of c.messages) {
        if (m.receipt !== undefined && m.visibleAt > now) inFlight++;
        else if (m.visibleAt > now) delayed++;
        else depth++;
      }
      return {
        key: c.init.key,
        queue: c.init.queue,
        functionName: c.init.functionName ?? null,
        depth,
        delayed,
        inFlight,
        deadLettered: c.deadLetters.length,
        handled: c.handled,
      };
    });
  }

  /** Resolves when every channel that has a consumer is empty and no consumer runs. */
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

  /**
   * Stops delivering. Results of consumers still running are dropped: with a store their
   * messages stay leased there and are redelivered by the next run.
   */
  stop(): void {
    if (!this.#stopped) this.#flush([]);
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const channel of this.#channels.values()) {
      clearInterval(channel.renewTimer);
      channel.renewTimer = undefined;
      channel.leased.clear();
    }
  }

  #require(key: string): Channel {
    const channel = this.#channels.get(key);
    if (!channel) throw new Error(`local queue engine: no channel "${key}"`);
    return channel;
  }

  #isIdle(): boolean {
    // A delivery still running counts even when its consumer left the app (a reload unbound it).
    for (const c of this.#channels.values()) if (c.running > 0 || (c.consumer && c.messages.size > 0)) return false;
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
    // With a store, once per turn of the event loop: every delivery that settled in this turn
    // shares one transaction with the attempts the pump starts.
    if (this.#store) setImmediate(this.#pumpNow);
    else queueMicrotask(this.#pumpNow);
  }

  readonly #pumpNow = (): void => {
    this.#pumpQueued = false;
    this.#pump();
  };

  #pump(): void {
    if (this.#stopped) return;
    const now = Date.now();
    let nextWake = Infinity;
    const starts: Start[] = [];
    for (const channel of this.#channels.values()) {
      if (!channel.consumer) continue;
      const limit = channel.init.concurrency ?? 10;
      // FIFO groups held back in this pass (made on first use: a standard queue needs none).
      let blockedGroups: Set<string> | undefined;
      // The next entry is taken first: the pump may dead-letter (delete) the message it is at.
      for (
        let entry = channel.messages.first(), next = entry && channel.messages.after(entry);
        entry;
        entry = next, next = entry && channel.messages.after(entry)
      ) {
        if (channel.running >= limit) break;
        const message = entry.value;
        const group = channel.init.policy.fifo ? message.groupId : undefined;
        if (group !== undefined && blockedGroups?.has(group)) continue;
        if (message.visibleAt > now) {
          // A renewed lease never lapses while this process runs: no need to wake for it.
          if (message.receipt === undefined || !channel.renewLease) nextWake = Math.min(nextWake, message.visibleAt);
          // FIFO: a message in flight or waiting for its delay or retry holds back the rest of its group.
          if (group !== undefined) (blockedGroups ??= new Set()).add(group);
          continue;
        }
        if (group !== undefined) (blockedGroups ??= new Set()).add(group);
        if (message.attempt >= channel.init.policy.maxAttempts) {
          // Its last delivery never reported (lease lapsed, or the process died): no attempt is left.
          this.#fail(channel, message, leaseLapsed(), now);
          continue;
        }
        starts.push(this.#lease(channel, message, now));
        // Wake when an unrenewed lease lapses, to deliver the message again.
        if (!channel.renewLease) nextWake = Math.min(nextWake, message.visibleAt);
      }
    }
    // The attempts are counted before the consumers run: a crash mid-handler still used them up.
    const unrecorded = this.#flush(starts);
    for (const start of starts) {
      if (unrecorded?.has(start)) {
        // Not delivered: an attempt that is not on disk must not run. Tried again later.
        const { channel, stored } = start;
        channel.running--;
        stored.receipt = undefined;
        stored.attempt--;
        if (stored.attempt === 0) stored.firstAttemptAt = undefined;
        stored.visibleAt = now + STORE_RETRY_MS;
        nextWake = Math.min(nextWake, stored.visibleAt);
      } else void this.#run(start);
    }
    this.#armTimer(nextWake);
    this.#notifyIdle();
  }

  #armTimer(at: number): void {
    if (at === Infinity || at >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#pump();
      },
      Math.max(0, at - Date.now()),
    );
    this.#timer.unref();
  }

  /** Takes the message's lease for a new attempt (written by the pump before the consumer runs). */
  #lease(channel: Channel, stored: StoredMessage, now: number): Start {
    const receipt = ++this.#receipts;
    stored.receipt = receipt;
    stored.attempt++;
    stored.firstAttemptAt ??= new Date(now);
    stored.visibleAt = now + channel.leaseMs;
    channel.running++;
    return { channel, stored, receipt };
  }

  /**
   * Writes the settled deliveries' changes and the attempts of `starts`, in one transaction
   * when the store can. If that fails (full disk), each is tried on its own so one that cannot
   * be written holds back no other, and each failure is logged as before. Answers the starts
   * whose attempt could not be recorded.
   */
  #flush(starts: readonly Start[]): Set<Start> | undefined {
    const store = this.#store;
    if (!store) return undefined;
    const writes = this.#pendingWrites;
    if (writes.length === 0 && starts.length === 0) return undefined;
    this.#pendingWrites = [];
    if (store.batch && writes.length + starts.length > 1) {
      try {
        store.batch(() => {
          for (const w of writes) w.fn();
          for (const { channel, stored } of starts) store.update(channel.init.key, stored);
        });
        return undefined;
      } catch {
        // Rolled back as a whole: written one by one below.
      }
    }
    for (const w of writes) this.#write(w.operation, w.stored, w.fn);
    let unrecorded: Set<Start> | undefined;
    for (const start of starts) {
      const { channel, stored } = start;
      if (!this.#write('recording a delivery', stored, () => store.update(channel.init.key, stored))) (unrecorded ??= new Set()).add(start);
    }
    return unrecorded;
  }

  /**
   * A write that may wait for the next pump's transaction: the change it records (a handled
   * message removed, a retry, a dead letter) is already true in memory, and until it is
   * written the store still holds the message leased, so a crash meanwhile redelivers it,
   * counted as in flight, as a crash during its handler would.
   */
  #later(operation: string, stored: StoredMessage, fn: () => void): void {
    if (!this.#store) return;
    this.#pendingWrites.push({ operation, stored, fn });
    this.#schedulePump();
  }

  async #run({ channel, stored, receipt }: Start): Promise<void> {
    if (channel.renewLease) this.#holdLease(channel, stored, receipt);
    let outcome: Outcome;
    try {
      outcome = await channel.consumer!(toQueueMessage(stored));
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (channel.leased.get(stored) === receipt) channel.leased.delete(stored);
    channel.running--;
    if (this.#stopped) return;
    const finished = this.#finished.has(stored);
    if (outcome.ok && !finished) {
      // Also when the lease lapsed meanwhile: the work is done, so the redelivery's result will not count.
      channel.handled++;
      this.#remove(channel, stored);
      this.#later('removing a handled message (a restart delivers it again)', stored, () => this.#store!.remove(channel.init.key, stored));
    } else if (finished || stored.receipt !== receipt) {
      // The message was settled by another delivery, or went to one that now decides.
      this.#options.log.warn('result of a delivery whose lease lapsed was ignored', {
        queue: channel.init.queue,
        consumer: channel.init.functionName,
        messageId: stored.id,
        ok: outcome.ok,
      });
    } else if (!outcome.ok) {
      this.#fail(channel, stored, outcome.error, Date.now());
    }
    this.#schedulePump();
  }

  /**
   * Renews the lease while the consumer runs. One timer per channel, ticking every half lease,
   * renews every held lease: a delivery sees a tick within half a lease of its start, so its
   * lease never lapses, and no timer is created per delivery.
   */
  #holdLease(channel: Channel, stored: StoredMessage, receipt: number): void {
    channel.leased.set(stored, receipt);
    if (!channel.renewTimer) this.#startRenewTimer(channel);
  }

  #startRenewTimer(channel: Channel): void {
    channel.renewTimer = setInterval(() => this.#renewLeases(channel), Math.max(1, Math.floor(channel.leaseMs / 2)));
    channel.renewTimer.unref();
  }

  #renewLeases(channel: Channel): void {
    if (this.#stopped) return;
    if (channel.leased.size === 0) {
      clearInterval(channel.renewTimer);
      channel.renewTimer = undefined;
      return;
    }
    const now = Date.now();
    for (const [stored, receipt] of channel.leased) {
      if (stored.receipt !== receipt) continue;
      stored.visibleAt = now + channel.leaseMs;
      this.#later('renewing a lease', stored, () => this.#store!.update(channel.init.key, stored));
    }
    this.#flush([]);
  }

  #fail(channel: Channel, stored: StoredMessage, error: unknown, now: number): void {
    stored.receipt = undefined;
    stored.lastError = summariseError(error);
    const failure = {
      policy: channel.init.policy,
      messageId: stored.id,
      attempt: stored.attempt,
      log: this.#options.log,
      fields: { queue: channel.init.queue, consumer: channel.init.functionName, error: stored.lastError },
      ...(this.#options.random ? { random: this.#options.random } : {}),
    };
    // Every action is synchronous, so the message is settled when this returns.
    void applyQueueFailure(failure, {
      retry: (delayMs) => {
        stored.visibleAt = now + delayMs;
        this.#later('scheduling a retry', stored, () => this.#store!.update(channel.init.key, stored));
      },
      deadLetter: () => {
        this.#remove(channel, stored);
        const envelope = toDeadLetterEnvelope(
          { name: channel.init.functionName ?? channel.init.queue },
          channel.init.queue,
          toQueueMessage(stored),
          stored.attempt,
          error,
          stored.firstAttemptAt ?? new Date(now),
          new Date(now),
        );
        // Kept in memory either way; a store that failed still holds the message, and a restart dead-letters it again.
        this.#later('dead-lettering', stored, () => this.#store!.deadLetter(channel.init.key, stored, envelope));
        channel.deadLetters.push(envelope);
      },
      discard: () => {
        this.#remove(channel, stored);
        this.#later('removing a discarded message', stored, () => this.#store!.remove(channel.init.key, stored));
      },
      ifDeadLetterFails: 'the message stays in the store and is dead-lettered again on restart',
    });
  }

  /**
   * A store write on the delivery path. A failure (full disk, I/O error) must not stop the
   * server: it is logged (at most once per STORE_RETRY_MS, with how many were not) and the
   * caller keeps what is on disk consistent with what it does next.
   */
  #write(operation: string, stored: StoredMessage, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (error) {
      const now = Date.now();
      if (now - this.#lastWriteLog >= STORE_RETRY_MS) {
        this.#options.log.error('durable store write failed; the server keeps running', {
          operation,
          messageId: stored.id,
          suppressed: this.#writeErrorsSinceLog,
          error: summariseError(error),
        });
        this.#lastWriteLog = now;
        this.#writeErrorsSinceLog = 0;
      } else this.#writeErrorsSinceLog++;
      return false;
    }
  }

  /** Rows the store could not decode: to the dead letters with MESSAGE_INVALID, never delivered. */
  #deadLetterUndecodable(channel: Channel, rows: readonly UndecodableRow[]): void {
    let moved = 0;
    for (const row of rows) {
      const error = new FaasportError(
        'MESSAGE_INVALID',
        row.kind === 'message'
          ? `stored message ${row.raw.id} of ${channel.init.queue} could not be decoded (${row.problem}); dead-lettered with its payload as stored`
          : `stored dead letter ${row.raw.id} of ${channel.init.queue} could not be decoded (${row.problem}); its text is the body`,
      );
      const enqueuedAt = new Date(row.raw.enqueuedAt ?? 0);
      const now = new Date();
      const envelope = toDeadLetterEnvelope(
        { name: channel.init.functionName ?? channel.init.queue },
        channel.init.queue,
        { id: row.raw.id, body: parseOrText(row.raw.payload), attempt: row.raw.attempt ?? 0, enqueuedAt, attributes: {} },
        row.raw.attempt ?? 0,
        error,
        enqueuedAt,
        now,
      );
      // A damaged dead letter stays in the file as it is; it is shown decoded as far as it goes.
      if (row.kind === 'message' && !this.#writeUndecodable(channel, row, envelope)) continue;
      channel.deadLetters.push(envelope);
      moved++;
    }
    this.#options.log.warn('stored rows that could not be decoded were dead-lettered with MESSAGE_INVALID', {
      queue: channel.init.queue,
      messages: rows.filter((r) => r.kind === 'message').length,
      deadLetters: rows.filter((r) => r.kind === 'dead-letter').length,
      deadLettered: moved,
      notMoved: rows.length - moved,
      problems: [...new Set(rows.map((r) => r.problem))].slice(0, 5),
    });
  }

  #writeUndecodable(channel: Channel, row: UndecodableRow, envelope: DeadLetterEnvelope): boolean {
    try {
      this.#store!.deadLetterUndecodable(channel.init.key, row, envelope);
      return true;
    } catch (error) {
      this.#options.log.error('an undecodable stored message stays in the store: moving it to the dead letters failed', {
        messageId: row.raw.id,
        error: summariseError(error),
      });
      return false;
    }
  }

  #remove(channel: Channel, stored: StoredMessage): void {
    this.#finished.add(stored);
    channel.messages.delete(stored);
  }
}

/** JSON as its value; anything else (never written by send) as its text. */
function parseOrText(payload: string): unknown {
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return payload;
  }
}

/** The portable message; a payload that is not JSON arrives as its text. */
function toQueueMessage(stored: StoredMessage): QueueMessage<unknown> {
  return {
    id: stored.id,
    body: parseOrText(stored.payload),
    attempt: stored.attempt,
    enqueuedAt: stored.enqueuedAt,
    attributes: stored.attributes,
    ...(stored.groupId !== undefined ? { groupId: stored.groupId } : {}),
  };
}
