import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffCeiling,
  createApp,
  createLogger,
  encodeMessage,
  InvocationContext,
  invokeQueueMessage,
  memoryIdempotencyStore,
  type BackoffPolicy,
  type IdempotencyStore,
  type LogRecord,
  type QueueDefinition,
  type QueueMessage,
} from 'faasport';
import { QueueEngine, type ChannelPolicy, type Consumer, type QueueStore } from './queue-engine.js';
import { createLocalRuntime, type LocalRuntime } from './runtime.js';

const HOUR = 60 * 60 * 1000;
let runtime: LocalRuntime | undefined;
let engine: QueueEngine | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2025-01-01T00:00:00.000Z') });
});
afterEach(() => {
  runtime?.stop();
  engine?.stop();
  runtime = undefined;
  engine = undefined;
  vi.useRealTimers();
});

function outgoing(queue: QueueDefinition, body: unknown) {
  return encodeMessage(`queue "${queue.name}": test send`, queue, body, {});
}

/** Advances the fake clock in steps until `done()` or `limitMs` passes. */
async function runUntil(done: () => boolean, limitMs: number, stepMs = 50): Promise<void> {
  for (let t = 0; t < limitMs && !done(); t += stepMs) await vi.advanceTimersByTimeAsync(stepMs);
}

describe.each([1, 5, 10])('a poison message with maxAttempts %i', (maxAttempts) => {
  it('is delivered exactly maxAttempts times, dead-lettered once with the envelope, then never again', async () => {
    // Prepare
    const logs: LogRecord[] = [];
    const app = createApp('exact');
    const orders = app.queue<{ item: string }>('orders', { maxAttempts, backoff: { initialDelayMs: 100, maxDelayMs: 5_000 } });
    const attempts: number[] = [];
    orders.consume('fulfil', (msg) => {
      attempts.push(msg.attempt);
      throw new Error(`cannot fulfil ${msg.body.item}`);
    });
    runtime = createLocalRuntime(app, { logSink: (r) => logs.push(r), devApi: false });
    // Act
    const { id } = await orders.send({ item: 'poison' });
    await runUntil(() => runtime!.deadLetters('orders').length > 0, HOUR);
    const deadLetteredAt = Date.now();
    await vi.advanceTimersByTimeAsync(24 * HOUR);
    // Assess
    expect(attempts).toEqual(Array.from({ length: maxAttempts }, (_, i) => i + 1));
    const dlq = runtime.deadLetters('orders');
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({
      message: { id, body: { item: 'poison' } },
      queue: 'orders',
      functionName: 'fulfil',
      attempts: maxAttempts,
      lastError: { name: 'Error', message: 'cannot fulfil poison' },
    });
    expect(Date.parse(dlq[0]!.firstAttemptAt)).toBeLessThanOrEqual(Date.parse(dlq[0]!.deadLetteredAt));
    expect(Date.parse(dlq[0]!.deadLetteredAt)).toBeLessThanOrEqual(deadLetteredAt);
    expect(logs.filter((r) => r.msg === 'message dead-lettered')).toHaveLength(1);
    console.log(`[figures] poison, maxAttempts ${maxAttempts}: ${attempts.length} deliveries, ${dlq.length} dead letter, none in the next 24 h`);
    expect(runtime.stats().find((s) => s.key === 'orders')).toMatchObject({ depth: 0, delayed: 0, inFlight: 0, deadLettered: 1 });
  });
});

describe('retry backoff', () => {
  it('keeps every redelivery within the full-jitter bounds, over 10 000 samples', async () => {
    // Prepare: 2 000 messages that always fail, 5 retries each = 10 000 delays.
    const policy: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2 };
    const maxAttempts = 6;
    const deliveries = new Map<string, number[]>();
    engine = new QueueEngine({ log: createLogger({ sink: () => {} }) });
    engine.createChannel(
      { key: 'q', queue: 'q', functionName: 'f', policy: { maxAttempts, backoff: policy, deadLetter: true, fifo: false }, concurrency: 10_000 },
      async (msg) => {
        const times = deliveries.get(msg.id) ?? [];
        times.push(Date.now());
        deliveries.set(msg.id, times);
        return { ok: false, error: new Error('always') };
      },
    );
    const queue = createApp('b').queue('q').definition;
    for (let i = 0; i < 2_000; i++) engine.enqueue('q', outgoing(queue, { i }));
    // Act
    await runUntil(() => engine!.deadLetters('q').length === 2_000, HOUR, 100);
    // Assess
    const byAttempt = new Map<number, number[]>();
    for (const times of deliveries.values()) {
      expect(times).toHaveLength(maxAttempts);
      for (let k = 1; k < times.length; k++) {
        const list = byAttempt.get(k) ?? [];
        list.push(times[k]! - times[k - 1]!);
        byAttempt.set(k, list);
      }
    }
    let samples = 0;
    for (const [attempt, delays] of byAttempt) {
      const ceiling = backoffCeiling(policy, attempt);
      samples += delays.length;
      const min = Math.min(...delays);
      const max = Math.max(...delays);
      const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
      expect(min, `attempt ${attempt}`).toBeGreaterThanOrEqual(0);
      expect(max, `attempt ${attempt}`).toBeLessThanOrEqual(ceiling);
      // Full jitter spreads over the whole range (uniform: mean near ceiling / 2).
      expect(min).toBeLessThan(ceiling * 0.05);
      expect(max).toBeGreaterThan(ceiling * 0.95);
      expect(Math.abs(mean - ceiling / 2)).toBeLessThan(ceiling * 0.05);
      console.log(
        `[figures] backoff after attempt ${attempt}: ${delays.length} samples in [${min}, ${max}] ms, mean ${mean.toFixed(1)} ms; full-jitter bound [0, ${ceiling}]`,
      );
    }
    expect(samples).toBe(10_000);
  });
});

/** A consumer as the runtime builds it: a context per delivery, the handler through invokeQueueMessage. */
function consumerOf(handler: (msg: QueueMessage<unknown>, ctx: InvocationContext) => Promise<void>, store: IdempotencyStore): Consumer {
  const def = createApp('lease')
    .queue('jobs')
    .consume('work', handler as never, { timeoutMs: 60_000 });
  return (message) =>
    invokeQueueMessage(
      def,
      message,
      new InvocationContext({
        functionName: 'work',
        invocationId: `inv-${message.attempt}`,
        provider: 'local',
        deadline: Date.now() + def.timeoutMs,
        coldStart: false,
        attempt: message.attempt,
        native: undefined,
        logSink: () => {},
        idempotencyStore: store,
      }),
    );
}

describe('leases', () => {
  const policy: ChannelPolicy = { maxAttempts: 5, backoff: false, deadLetter: true, fifo: false, visibilityTimeoutMs: 3_000 };

  it('a rebind with a shorter lease renews held leases at the new pace: no delivery loses its lease while it runs', async () => {
    const attempts: string[] = [];
    engine = new QueueEngine({ log: createLogger({ sink: () => {} }) });
    const consumer: Consumer = async (msg) => {
      attempts.push(`${String((msg.body as { job: number }).job)}#${msg.attempt}`);
      await new Promise((r) => setTimeout(r, 2_500));
      return { ok: true };
    };
    const jobs = createApp('x').queue('jobs').definition;
    engine.createChannel({ key: 'jobs', queue: 'jobs', functionName: 'work', policy: { ...policy, visibilityTimeoutMs: 4_000 } }, consumer);
    engine.enqueue('jobs', outgoing(jobs, { job: 1 }));
    await vi.advanceTimersByTimeAsync(100);
    // faasport dev reloaded the app with visibilityTimeoutMs 300 while job 1 runs (its timer ticks every 2 s).
    engine.bindChannel({ key: 'jobs', queue: 'jobs', functionName: 'work', policy: { ...policy, visibilityTimeoutMs: 300 } }, consumer);
    engine.enqueue('jobs', outgoing(jobs, { job: 2 }));
    await vi.advanceTimersByTimeAsync(600);
    engine.enqueue('jobs', outgoing(jobs, { job: 3 })); // a pump, which would redeliver a lapsed lease
    await vi.advanceTimersByTimeAsync(5_000);
    expect(attempts.sort()).toEqual(['1#1', '2#1', '3#1']);
    expect(engine.stats()[0]).toMatchObject({ handled: 3, depth: 0 });
  });

  function startJob(renewLease: boolean, handler: (msg: QueueMessage<unknown>, ctx: InvocationContext) => Promise<void>, logs: LogRecord[] = []) {
    engine = new QueueEngine({ log: createLogger({ sink: (r) => logs.push(r) }) });
    engine.createChannel({ key: 'jobs', queue: 'jobs', functionName: 'work', policy, renewLease }, consumerOf(handler, memoryIdempotencyStore()));
    engine.enqueue('jobs', outgoing(createApp('x').queue('jobs').definition, { job: 1 }));
  }

  const slowHandler = (effects: string[], useOnce: boolean) => async (msg: QueueMessage<unknown>, ctx: InvocationContext) => {
    const effect = async () => {
      await new Promise((r) => setTimeout(r, 5_000));
      effects.push(`charged by attempt ${msg.attempt}`);
    };
    await (useOnce ? ctx.once(msg.id, effect) : effect());
  };

  it('a handler that outlives its lease gets no second concurrent delivery when the lease is renewed', async () => {
    const attempts: number[] = [];
    const effects: string[] = [];
    const handler = slowHandler(effects, false);
    startJob(true, (msg, ctx) => {
      attempts.push(msg.attempt);
      return handler(msg, ctx);
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toEqual([1]);
    expect(effects).toEqual(['charged by attempt 1']);
    expect(engine!.stats()[0]).toMatchObject({ depth: 0, inFlight: 0, handled: 1, deadLettered: 0 });
  });

  it('without renewal the message is delivered again while the first handler runs (the duplicate is real)', async () => {
    const attempts: number[] = [];
    const effects: string[] = [];
    const handler = slowHandler(effects, false);
    startJob(false, (msg, ctx) => {
      attempts.push(msg.attempt);
      return handler(msg, ctx);
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toEqual([1, 2]);
    expect(effects).toEqual(['charged by attempt 1', 'charged by attempt 2']);
    expect(engine!.stats()[0]).toMatchObject({ depth: 0, inFlight: 0, handled: 1, deadLettered: 0 });
  });

  it('without renewal ctx.once detects the duplicate: the side effect runs once, the message is handled once', async () => {
    const attempts: number[] = [];
    const effects: string[] = [];
    const logs: LogRecord[] = [];
    const handler = slowHandler(effects, true);
    startJob(
      false,
      (msg, ctx) => {
        attempts.push(msg.attempt);
        return handler(msg, ctx);
      },
      logs,
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toEqual([1, 2]);
    expect(effects).toEqual(['charged by attempt 1']);
    expect(engine!.stats()[0]).toMatchObject({ depth: 0, inFlight: 0, handled: 1, deadLettered: 0 });
    // Both deliveries finished; the message was acknowledged once and the other result ignored.
    expect(logs.filter((r) => r.msg === 'result of a delivery whose lease lapsed was ignored')).toHaveLength(1);
  });

  it('dead-letters a message whose last attempt lost its lease, once, with LeaseExpired', async () => {
    const attempts: number[] = [];
    engine = new QueueEngine({ log: createLogger({ sink: () => {} }) });
    engine.createChannel({ key: 'jobs', queue: 'jobs', functionName: 'work', policy: { ...policy, maxAttempts: 2 }, renewLease: false }, async (msg) => {
      attempts.push(msg.attempt);
      await new Promise((r) => setTimeout(r, 60_000));
      return { ok: true };
    });
    engine.enqueue('jobs', outgoing(createApp('x').queue('jobs').definition, { job: 1 }));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(attempts).toEqual([1, 2]);
    const dlq = engine.deadLetters('jobs');
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({ attempts: 2, lastError: { name: 'LeaseExpired' } });
    expect(engine.stats()[0]).toMatchObject({ handled: 0, deadLettered: 1, depth: 0 });
  });
});

describe('a store write that fails on the delivery path (full disk)', () => {
  it('does not deliver an attempt it could not record, retries it, and keeps the server running', async () => {
    // Test double: the queue store contract with writes that fail as a full disk's do
    // (the real SQLite cases are in durable-store-damage.int.test.ts).
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    let failUpdates = 3;
    const writes: string[] = [];
    const store: QueueStore = {
      load: () => ({ messages: new Map(), deadLetters: new Map(), recoveredInFlight: new Map() }),
      insert: () => void writes.push('insert'),
      update: (_c, m) => {
        writes.push(`update attempt ${m.attempt}`);
        if (failUpdates-- > 0) throw full;
      },
      remove: () => {
        writes.push('remove');
        throw full;
      },
      deadLetter: () => {},
      deadLetterUndecodable: () => {},
      redrive: () => {},
      purge: () => {},
      purgeDeadLetters: () => {},
    };
    const logs: LogRecord[] = [];
    const attempts: number[] = [];
    engine = new QueueEngine({ log: createLogger({ sink: (r) => logs.push(r) }), store });
    engine.createChannel(
      { key: 'jobs', queue: 'jobs', functionName: 'work', policy: { maxAttempts: 2, backoff: false, deadLetter: true, fifo: false } },
      async (m) => {
        attempts.push(m.attempt);
        return { ok: true };
      },
    );
    engine.enqueue('jobs', outgoing(createApp('x').queue('jobs').definition, { job: 1 }));
    await vi.advanceTimersByTimeAsync(10_000);
    // Three deliveries could not be recorded, so none ran; the fourth did, as attempt 1.
    expect(attempts).toEqual([1]);
    expect(writes).toEqual(['insert', 'update attempt 1', 'update attempt 1', 'update attempt 1', 'update attempt 1', 'remove']);
    expect(engine.stats()[0]).toMatchObject({ depth: 0, inFlight: 0, handled: 1 });
    const failures = logs.filter((l) => l.msg.startsWith('durable store write failed'));
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatchObject({ level: 'error', operation: 'recording a delivery', error: { message: 'database or disk is full' } });
  });
});
