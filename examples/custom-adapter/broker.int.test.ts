import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger, type CloudEvent, type LogRecord } from 'faasport';
import { Broker, type DeliveryPolicy, type Subscription } from './broker.js';
import { MemoryDeadLetterSink } from './dead-letter-sink.js';
import { isRetryableStatus } from './send-event.js';
import { ATTEMPT_EXTENSION, ERROR_CODE_EXTENSION, ERROR_DATA_EXTENSION, ERROR_DEST_EXTENSION } from './vocabulary.js';

/**
 * A real HTTP subscriber: answers the n-th delivery of each event id with `script[n]`
 * (the last entry repeats), or never answers for `'hang'`. Records the attempt header.
 */
class ScriptedSubscriber {
  readonly seen: { id: string; attempt: string | undefined; traceparent: string | undefined }[] = [];
  readonly scripts = new Map<string, (number | 'hang')[]>();
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['ce-id']);
        const script = this.scripts.get(id) ?? [202];
        const n = this.seen.filter((s) => s.id === id).length;
        this.seen.push({
          id,
          attempt: req.headers[`ce-${ATTEMPT_EXTENSION}`] as string | undefined,
          traceparent: req.headers.traceparent as string | undefined,
        });
        const answer = script[Math.min(n, script.length - 1)]!;
        if (answer === 'hang') return;
        if (answer >= 200 && answer < 300) return void res.writeHead(answer).end();
        const body = JSON.stringify({ error: { name: 'Error', message: `answer ${answer} on attempt ${n + 1}`, code: 'SCRIPTED' } });
        res.writeHead(answer, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}/_faasport/deliver/fn`;
  }

  attempts(id: string): (string | undefined)[] {
    return this.seen.filter((s) => s.id === id).map((s) => s.attempt);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server!.close(() => resolve());
      this.#server!.closeAllConnections();
    });
  }
}

const subscriber = new ScriptedSubscriber();
beforeAll(() => subscriber.start());
afterAll(() => subscriber.stop());

const event = (id: string, extra: Record<string, unknown> = {}): CloudEvent =>
  ({ specversion: '1.0', id, source: '/test', type: 'com.example.test', datacontenttype: 'application/json', data: { id }, ...extra }) as CloudEvent;

function setup(delivery: Partial<DeliveryPolicy> = {}, options: { url?: string; timeoutMs?: number } = {}) {
  const logs: LogRecord[] = [];
  const sink = new MemoryDeadLetterSink();
  const subscription: Subscription = {
    functionName: 'fn',
    queue: 'work',
    matches: (e) => e.type === 'com.example.test',
    subscriber: options.url ?? subscriber.url,
    delivery: { maxAttempts: 4, backoff: { initialDelayMs: 5, maxDelayMs: 20, multiplier: 2 }, deadLetter: true, ...delivery },
    timeoutMs: options.timeoutMs ?? 5_000,
  };
  const broker = new Broker({ subscriptions: [subscription], deadLetterSink: sink, log: createLogger({ sink: (r) => logs.push(r), level: 'debug' }) });
  return { broker, sink, logs };
}

describe('retry and dead-letter follow the Knative data-plane table', () => {
  test.each<[string, (number | 'hang')[], number, { attempts: number; deadLettered: boolean }]>([
    ['2xx on the first try', [202], 4, { attempts: 1, deadLettered: false }],
    ['503, 503, then 200', [503, 503, 200], 4, { attempts: 3, deadLettered: false }],
    ['404 and 409 and 429 are retried', [404, 409, 429, 204], 4, { attempts: 4, deadLettered: false }],
    ['500 every time: exactly maxAttempts, then the sink', [500], 4, { attempts: 4, deadLettered: true }],
    ['400 (unparsable) is not retried', [400], 4, { attempts: 1, deadLettered: true }],
    ['422 is not retried', [503, 422], 4, { attempts: 2, deadLettered: true }],
    ['a reserved 3xx counts as a failure and is not retried', [302], 4, { attempts: 1, deadLettered: true }],
  ])('%s', async (name, script, maxAttempts, expected) => {
    const { broker, sink } = setup({ maxAttempts });
    const id = `case-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
    subscriber.scripts.set(id, script);
    expect(broker.accept(event(id))).toBe(1);
    await broker.whenIdle(5_000);
    expect(subscriber.attempts(id)).toEqual(Array.from({ length: expected.attempts }, (_, i) => String(i + 1)));
    expect(sink.read('work').filter((r) => r.event.id === id)).toHaveLength(expected.deadLettered ? 1 : 0);
    broker.stop();
  });

  test.each([
    [200, false],
    [202, false],
    [400, false],
    [401, false],
    [404, true],
    [409, true],
    [413, false],
    [429, true],
    [500, true],
    [503, true],
    [599, true],
    [302, false],
  ])('status %i retryable: %s', (status, retryable) => expect(isRetryableStatus(status)).toBe(retryable));
});

test('a dead-lettered event keeps the payload, the envelope and the Knative error extensions', async () => {
  const { broker, sink } = setup({ maxAttempts: 2 });
  subscriber.scripts.set('poison', [500]);
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  broker.accept(event('poison', { traceparent }));
  await broker.whenIdle(5_000);
  const [record] = sink.read('work', 'fn');
  expect(record!.envelope).toMatchObject({
    queue: 'work',
    functionName: 'fn',
    attempts: 2,
    lastError: { name: 'Error', message: 'answer 500 on attempt 2', code: 'SCRIPTED' },
    message: { id: 'poison', attributes: {} },
  });
  expect((record!.envelope.message.body as CloudEvent).data).toEqual({ id: 'poison' });
  expect(Date.parse(record!.envelope.firstAttemptAt)).toBeLessThanOrEqual(Date.parse(record!.envelope.deadLetteredAt));
  expect(record!.event[ERROR_DEST_EXTENSION]).toBe(subscriber.url);
  expect(record!.event[ERROR_CODE_EXTENSION]).toBe('500');
  expect(JSON.parse(Buffer.from(record!.event[ERROR_DATA_EXTENSION] as string, 'base64').toString())).toEqual({
    error: { name: 'Error', message: 'answer 500 on attempt 2', code: 'SCRIPTED' },
  });
  expect(subscriber.seen.filter((s) => s.id === 'poison').every((s) => s.traceparent === traceparent)).toBe(true);
  broker.stop();
});

test('without a dead-letter sink a failed event is discarded with an error log, never silently', async () => {
  const { broker, sink, logs } = setup({ maxAttempts: 2, deadLetter: false });
  subscriber.scripts.set('discard', [500]);
  broker.accept(event('discard'));
  await broker.whenIdle(5_000);
  expect(sink.read('work')).toEqual([]);
  expect(logs.find((r) => r.level === 'error' && r.messageId === 'discard')?.msg).toMatch(/discarded/);
  broker.stop();
});

test('an unreachable subscriber is retried, then dead-lettered with the network error', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const { broker, sink } = setup({ maxAttempts: 3 }, { url });
  broker.accept(event('unreachable'));
  await broker.whenIdle(5_000);
  const [record] = sink.read('work');
  expect(record!.envelope.attempts).toBe(3);
  expect(record!.envelope.lastError.message).toMatch(/fetch failed/);
  expect(record!.event[ERROR_CODE_EXTENSION]).toBeUndefined();
  broker.stop();
});

test('a subscriber that does not answer within the delivery timeout is retried', async () => {
  const { broker } = setup({ maxAttempts: 2, deadLetter: false }, { timeoutMs: 150 });
  subscriber.scripts.set('slow', ['hang', 202]);
  broker.accept(event('slow'));
  await broker.whenIdle(5_000);
  expect(subscriber.attempts('slow')).toEqual(['1', '2']);
  broker.stop();
});

test('whenIdle rejects after its timeout, and stop() rejects pending waits and cancels retries', async () => {
  const { broker } = setup({ maxAttempts: 3, backoff: { initialDelayMs: 10_000, maxDelayMs: 10_000, multiplier: 1 } });
  subscriber.scripts.set('stuck', [503]);
  broker.accept(event('stuck'));
  await expect(broker.whenIdle(100)).rejects.toThrow(/still pending after 100 ms/);
  const waiting = broker.whenIdle(5_000);
  broker.stop();
  await expect(waiting).rejects.toThrow(/stopped/);
  expect(broker.pending).toBe(0);
  expect(subscriber.attempts('stuck')).toEqual(['1']);
});

test('an event no subscription matches is not delivered; an unconsumed queue message is kept as unrouted', async () => {
  const { broker } = setup();
  expect(broker.accept(event('other', { type: 'com.example.unrelated' }))).toBe(0);
  expect(broker.accept(event('orphan', { type: 'dev.faasport.queue.message', faasportqueue: 'nobody' }))).toBe(0);
  expect(broker.unrouted().map((e) => e.id)).toEqual(['orphan']);
  expect(broker.pending).toBe(0);
  broker.stop();
});
