import { describe, expect, test } from 'vitest';
import { installFunctionsCore, type FunctionsWorker } from '../testing/functions-core-host.js';
import { createApp, type App, type DeadLetterEnvelope } from 'faasport';
import { createHttpHost } from '../testing/functions-http-host.js';
import { eventGridInvocation, storageQueueInvocation, timerInvocation } from '../testing/host-invocations.js';
import type { AzureProducer } from './producer.js';
import { registerAzure } from './register-azure.js';

const core = installFunctionsCore();

/** A named stand-in for the Storage account: records dead-letter writes, sends nothing. */
function recordingProducer(): AzureProducer & { deadLettered: { storageQueue: string; envelope: DeadLetterEnvelope }[] } {
  const deadLettered: { storageQueue: string; envelope: DeadLetterEnvelope }[] = [];
  return {
    provider: 'azure',
    deadLettered,
    send: () => Promise.reject(new Error('no storage account in unit tests')),
    publish: () => Promise.reject(new Error('no storage account in unit tests')),
    readDeadLetters: () => Promise.resolve([]),
    deadLetter: async (storageQueue, envelope) => {
      deadLettered.push({ storageQueue, envelope });
    },
  };
}

function load(app: App, producer = recordingProducer(), production = false): FunctionsWorker {
  return core.load(() => registerAzure(app, { producer, production }));
}

describe('registration metadata', () => {
  test('http functions need a function key unless public; GET also answers HEAD', () => {
    const app = createApp('meta');
    app.http('open', { route: '/open/:id', public: true }, () => new Response('ok'));
    app.http('closed', { method: ['POST', 'PUT'], route: '/closed/*' }, () => new Response('ok'));
    const worker = load(app);
    expect(worker.functions.get('open')!.trigger).toMatchObject({ type: 'httpTrigger', authLevel: 'anonymous', route: 'open/{id}', methods: ['GET', 'HEAD'] });
    expect(worker.functions.get('closed')!.trigger).toMatchObject({ authLevel: 'function', route: 'closed/{*faasport_rest}', methods: ['POST', 'PUT'] });
    expect(worker.functions.get('closed')!.metadata.bindings.$return).toMatchObject({ type: 'http', direction: 'out' });
  });

  test.each([
    ['/', 'cannot be served'],
    ['/admin/users', 'reserves'],
  ])('route %s is refused with CAPABILITY_UNSUPPORTED', (route, why) => {
    const app = createApp('routes');
    app.http('r', { route }, () => new Response('x'));
    expect(() => load(app)).toThrow(expect.objectContaining({ code: 'CAPABILITY_UNSUPPORTED', message: expect.stringContaining(why) }));
  });

  test('an event function asking for more than 30 attempts is refused (Event Grid limit)', () => {
    const app = createApp('events');
    app.event('many', { maxAttempts: 50 }, () => undefined);
    expect(() => load(app)).toThrow(expect.objectContaining({ code: 'CAPABILITY_UNSUPPORTED', message: expect.stringContaining('Event Grid') }));
  });

  test('Service Bus is chosen per queue or topic name; topics subscribe once per function', () => {
    const app = createApp('bus');
    app.queue('orders', { maxMessageBytes: 1024 }).consume('fulfil', () => undefined);
    app.queue('emails', { maxMessageBytes: 1024 }).consume('send', () => undefined);
    app.topic('shipped', { maxMessageBytes: 1024 }).subscribe('notify', () => undefined);
    const worker = core.load(() =>
      registerAzure(app, { producer: recordingProducer(), serviceBus: { queues: ['orders'], topics: ['shipped'], connection: 'Bus' } }),
    );
    expect(worker.functions.get('fulfil')!.trigger).toMatchObject({ type: 'serviceBusTrigger', queueName: 'orders', connection: 'Bus' });
    expect(worker.functions.get('send')!.trigger).toMatchObject({ type: 'queueTrigger', queueName: 'emails', connection: 'AzureWebJobsStorage' });
    expect(worker.functions.get('notify')!.trigger).toMatchObject({
      type: 'serviceBusTrigger',
      topicName: 'shipped',
      subscriptionName: 'notify',
      connection: 'Bus',
    });
  });

  test('a built entry (registerAzure(app), no options) takes Service Bus from FAASPORT_SERVICE_BUS_* app settings', () => {
    const app = createApp('bus');
    app.queue('orders', { maxMessageBytes: 1024 }).consume('fulfil', () => undefined);
    app.queue('emails', { maxMessageBytes: 1024 }).consume('send', () => undefined);
    const keys = ['FAASPORT_SERVICE_BUS_QUEUES', 'FAASPORT_SERVICE_BUS_CONNECTION'] as const;
    const saved = keys.map((k) => process.env[k]);
    process.env.FAASPORT_SERVICE_BUS_QUEUES = 'orders';
    process.env.FAASPORT_SERVICE_BUS_CONNECTION = 'BusFromSettings';
    try {
      const worker = core.load(() => registerAzure(app, { producer: recordingProducer() }));
      expect(worker.functions.get('fulfil')!.trigger).toMatchObject({ type: 'serviceBusTrigger', queueName: 'orders', connection: 'BusFromSettings' });
      expect(worker.functions.get('send')!.trigger).toMatchObject({ type: 'queueTrigger', queueName: 'emails' });
    } finally {
      keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
    }
  });

  test('a queue name Storage cannot hold is refused naming the fix', () => {
    const app = createApp('names');
    app.queue('q', {}).consume('c', () => undefined);
    expect(() => load(app)).toThrow(expect.objectContaining({ code: 'CAPABILITY_UNSUPPORTED', message: expect.stringContaining('rename it') }));
  });
});

describe('http through the library', () => {
  const app = createApp('web');
  app.http('secret', { route: '/secret' }, () => new Response('s'));
  app.http('boom', { route: '/boom', public: true }, () => {
    throw new Error('db password rejected');
  });
  app.http('logs', { route: '/logs', public: true }, (_req, ctx) => {
    ctx.log.warn('careful', { n: 1 });
    return new Response(null, { status: 204 });
  });
  const worker = load(app);
  const host = createHttpHost(worker);

  test('a function-level route answers 401 without the key and runs with it', async () => {
    expect((await host.fetch(new Request('https://x.test/secret'))).status).toBe(401);
    const res = await host.fetch(new Request(`https://x.test/secret?code=${host.functionKey}`));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('s');
  });

  test('unknown paths get faasport 404 JSON from the catch-all', async () => {
    const res = await host.fetch(new Request('https://x.test/nope', { method: 'DELETE' }));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', error: 'no route matches DELETE /nope' });
  });

  test('in production a failure answers 500 without the message', async () => {
    const prodApp = createApp('web-prod');
    prodApp.http('boom', { route: '/boom', public: true }, () => {
      throw new Error('db password rejected');
    });
    const res = await createHttpHost(load(prodApp, recordingProducer(), true)).fetch(new Request('https://x.test/boom'));
    expect(res.status).toBe(500);
    expect(await res.text()).not.toMatch(/db password/);
  });

  test('log records go through the context log methods as JSON lines', async () => {
    await host.fetch(new Request('https://x.test/logs'));
    const line = worker.logs.find((l) => l.category === 'user' && l.message.includes('careful'))!;
    expect(line.level).toBe('warning');
    expect(JSON.parse(line.message)).toMatchObject({ level: 'warn', msg: 'careful', n: 1, functionName: 'logs', invocationId: line.invocationId });
  });
});

describe('queue failures', () => {
  const build = (deadLetter: boolean) => {
    const app = createApp('jobs');
    const attempts: number[] = [];
    app.queue('jobs', { maxAttempts: 3, deadLetter, maxMessageBytes: 1024 }).consume('work', (msg) => {
      attempts.push(msg.attempt);
      throw new Error(`failed ${msg.attempt}`);
    });
    const producer = recordingProducer();
    const worker = load(app, producer);
    const deliver = (dequeueCount: number) =>
      worker.invoke(
        'work',
        storageQueueInvocation(worker.functions.get('work')!, {
          text: '{"$faasport":1,"attributes":{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},"body":{"job":1}}',
          id: 'msg-1',
          dequeueCount,
          insertionTime: new Date('2024-05-01T10:00:00Z'),
        }),
      );
    return { producer, deliver, attempts };
  };

  test('before the last attempt the error is thrown back so the host retries', async () => {
    const { deliver, producer } = build(true);
    const result = await deliver(1);
    expect(result.ok).toBe(false);
    expect((result as { error: Error }).error.message).toBe('failed 1');
    expect(producer.deadLettered).toEqual([]);
  });

  test('the last attempt writes the envelope to <queue>-poison and completes the message', async () => {
    const { deliver, producer } = build(true);
    const result = await deliver(3);
    expect(result.ok).toBe(true);
    expect(producer.deadLettered).toHaveLength(1);
    expect(producer.deadLettered[0]).toMatchObject({
      storageQueue: 'jobs',
      envelope: {
        queue: 'jobs',
        functionName: 'work',
        attempts: 3,
        lastError: { name: 'Error', message: 'failed 3' },
        message: { id: 'msg-1', body: { job: 1 }, attributes: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
      },
    });
  });

  test('with deadLetter: false the last failure is logged and dropped', async () => {
    const { deliver, producer } = build(false);
    expect((await deliver(3)).ok).toBe(true);
    expect(producer.deadLettered).toEqual([]);
  });
});

describe('timer and event grid through the library', () => {
  const app = createApp('clock');
  const ticks: { isPastDue: boolean; scheduledTime: Date }[] = [];
  const events: string[] = [];
  app.schedule('every15', { every: '15m' }, (tick) => {
    ticks.push(tick);
  });
  app.event('onlyBlobs', { type: 'Microsoft.Storage.Blob*' }, (event, ctx) => {
    events.push(`${event.type} ${ctx.trace.traceId}`);
  });
  const worker = load(app);

  test('every: 15m becomes an NCRONTAB schedule and isPastDue reaches the tick', async () => {
    expect(worker.functions.get('every15')!.trigger.schedule).toBe('0 */15 * * * *');
    const scheduledTime = new Date(Date.now() - 3_600_000);
    await worker.invoke('every15', timerInvocation(worker.functions.get('every15')!, { scheduledTime, isPastDue: true }));
    expect(ticks.at(-1)).toMatchObject({ isPastDue: true, scheduledTime });
  });

  test('events outside the filter are skipped; the host trace context becomes the trace', async () => {
    const fn = worker.functions.get('onlyBlobs')!;
    const base = { id: '1', topic: '/subscriptions/s', subject: 'x', eventTime: '2024-01-01T00:00:00Z', data: {}, dataVersion: '1', metadataVersion: '1' };
    await worker.invoke('onlyBlobs', eventGridInvocation(fn, { ...base, eventType: 'Microsoft.Resources.ResourceWriteSuccess' }));
    await worker.invoke(
      'onlyBlobs',
      eventGridInvocation(fn, { ...base, eventType: 'Microsoft.Storage.BlobCreated' }, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
    );
    expect(events).toEqual(['Microsoft.Storage.BlobCreated 0af7651916cd43dd8448eb211c80319c']);
  });
});
