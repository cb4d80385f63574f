import { describe, expect, it } from 'vitest';
import { createApp, createLogger, type DeadLetterEnvelope, type LogRecord, type QueueFunctionDefinition, type QueueMessage } from 'faasport';
import { createConsumer } from './consumer.js';
import type { Delivery, QueueSource } from './queue-source.js';

/**
 * TEST DOUBLE of a queue service, in memory: what the real sources (SQS, Pub/Sub, Storage
 * queues, exercised in the *.int.test.ts files) do, reduced to a list of messages with
 * delivery counts. Every settle call is recorded, so the consumer's decisions can be read.
 */
function memorySource(bodies: unknown[], options: { connectFailures?: number; invalid?: boolean } = {}) {
  const waiting = bodies.map((body, i) => ({ id: `m${i}`, body, attempt: 0 }));
  const settled: { id: string; action: string; detail?: unknown }[] = [];
  let connectFailures = options.connectFailures ?? 0;
  let running = 0;
  let maxRunning = 0;
  const source: QueueSource = {
    name: 'memory',
    leaseSeconds: 30,
    async connect() {
      if (connectFailures-- > 0) throw new Error('connection refused');
    },
    async receive(max, signal) {
      await new Promise((r) => setTimeout(r, 1));
      if (signal.aborted) return [];
      return waiting.splice(0, max).map((m): Delivery => {
        m.attempt++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        const settle = (action: string, detail?: unknown) => async () => {
          running--;
          settled.push({ id: m.id, action, detail });
          if (action === 'retry' || action === 'release') waiting.push(m);
        };
        const message: QueueMessage<unknown> = { id: m.id, body: m.body, attempt: m.attempt, enqueuedAt: new Date(0), attributes: {} };
        return {
          attempt: m.attempt,
          firstAttemptAt: new Date(0),
          decode: () => {
            if (options.invalid) throw new Error('not base64');
            return message;
          },
          raw: () => ({ ...message, body: 'raw text' }),
          ack: settle('ack'),
          retryAfter: async (ms) => settle('retry', ms)(),
          release: settle('release'),
          extend: async () => {},
          deadLetter: async (envelope: DeadLetterEnvelope) => settle('dead-letter', envelope)(),
        };
      });
    },
  };
  return { source, settled, maxRunning: () => maxRunning, waiting };
}

function consumerFor(def: QueueFunctionDefinition, source: QueueSource, logs: LogRecord[] = []) {
  return createConsumer(def, source, {
    cloud: 'test',
    log: createLogger({ sink: (r) => logs.push(r), level: 'debug' }),
    logSink: (r) => logs.push(r),
    coldStart: () => false,
    random: () => 0,
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
}

describe('createConsumer', () => {
  it('acks what succeeds, retries with the core backoff, and dead-letters on exactly the last attempt', async () => {
    // Prepare
    const app = createApp('t');
    const q = app.queue<{ fail: boolean }>('jobs', { maxAttempts: 3, backoff: { initialDelayMs: 100, maxDelayMs: 100 } });
    q.consume('work', (msg) => {
      if (msg.body.fail) throw new Error('boom');
    });
    const mem = memorySource([{ fail: false }, { fail: true }]);
    const consumer = consumerFor(app.getFunction('work') as QueueFunctionDefinition, mem.source);
    // Act
    consumer.start();
    await until(() => mem.settled.some((s) => s.action === 'dead-letter'));
    await consumer.stop(1000);
    // Assess
    expect(mem.settled.filter((s) => s.id === 'm0').map((s) => s.action)).toEqual(['ack']);
    expect(mem.settled.filter((s) => s.id === 'm1').map((s) => s.action)).toEqual(['retry', 'retry', 'dead-letter']);
    const envelope = mem.settled.find((s) => s.action === 'dead-letter')!.detail as DeadLetterEnvelope;
    expect(envelope).toMatchObject({
      queue: 'jobs',
      functionName: 'work',
      attempts: 3,
      message: { id: 'm1', body: { fail: true } },
      lastError: { message: 'boom' },
    });
  });

  it('drops a message after its last attempt when the queue keeps no dead letters, and logs it', async () => {
    const app = createApp('t');
    app.queue('jobs', { maxAttempts: 1, deadLetter: false }).consume('work', () => {
      throw new Error('boom');
    });
    const mem = memorySource([{}]);
    const logs: LogRecord[] = [];
    const consumer = consumerFor(app.getFunction('work') as QueueFunctionDefinition, mem.source, logs);
    consumer.start();
    await until(() => mem.settled.length === 1);
    await consumer.stop(1000);
    expect(mem.settled.map((s) => s.action)).toEqual(['ack']);
    expect(logs.some((l) => l.msg === 'message discarded after its last attempt (the queue has deadLetter: false)')).toBe(true);
  });

  it('never runs a handler for a message it cannot decode: it retries, then dead-letters the raw text', async () => {
    const app = createApp('t');
    let ran = 0;
    app.queue('jobs', { maxAttempts: 2, backoff: false }).consume('work', () => {
      ran++;
    });
    const mem = memorySource([{}], { invalid: true });
    const consumer = consumerFor(app.getFunction('work') as QueueFunctionDefinition, mem.source);
    consumer.start();
    await until(() => mem.settled.some((s) => s.action === 'dead-letter'));
    await consumer.stop(1000);
    expect(ran).toBe(0);
    expect((mem.settled.at(-1)!.detail as DeadLetterEnvelope).message.body).toBe('raw text');
  });

  it('keeps at most batchSize messages in flight', async () => {
    const app = createApp('t');
    app.queue('jobs', { batchSize: 3 }).consume('work', () => new Promise((r) => setTimeout(r, 5)));
    const mem = memorySource(Array.from({ length: 20 }, (_, n) => ({ n })));
    const consumer = consumerFor(app.getFunction('work') as QueueFunctionDefinition, mem.source);
    consumer.start();
    await until(() => mem.settled.length === 20);
    await consumer.stop(1000);
    expect(mem.maxRunning()).toBe(3);
  });

  it('is not ready until it connects, retrying a refused connection', async () => {
    const app = createApp('t');
    app.queue('jobs').consume('work', () => {});
    const mem = memorySource([], { connectFailures: 1 });
    const logs: LogRecord[] = [];
    const consumer = consumerFor(app.getFunction('work') as QueueFunctionDefinition, mem.source, logs);
    expect(consumer.ready).toBe(false);
    consumer.start();
    await until(() => consumer.ready);
    expect(logs.filter((l) => l.msg === 'cannot reach the queue service; retrying')).toHaveLength(1);
    await consumer.stop(1000);
    expect(consumer.ready).toBe(false);
  });

  it('on stop, hands back what is still running after the grace period and never settles it afterwards', async () => {
    const app = createApp('t');
    app.queue('jobs', { batchSize: 2 }).consume('work', () => new Promise((r) => setTimeout(r, 300)));
    const mem = memorySource([{}, {}]);
    const consumer = consumerFor(app.getFunction('work') as QueueFunctionDefinition, mem.source);
    consumer.start();
    await until(() => consumer.inFlight === 2);
    expect(await consumer.stop(10)).toBe(2);
    await new Promise((r) => setTimeout(r, 400));
    expect(mem.settled.map((s) => s.action)).toEqual(['release', 'release']);
  });
});
