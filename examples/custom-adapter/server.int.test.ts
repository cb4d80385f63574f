import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createApp,
  createLogger,
  isFaasportError,
  type CloudEvent,
  type ScheduleFunctionDefinition,
  type Context,
  type LogRecord,
  type QueueMessage,
} from 'faasport';
import { encodeBinaryMode, encodeStructuredMode } from './encode-http-binding.js';
import { encodeQueueEvent } from './encode-queue-event.js';
import { encodePingEvent } from './encode-ping-event.js';
import type { KnativeNative } from './create-context.js';
import { startPingSources } from './ping-source.js';
import { startKnativeService, type KnativeService } from './server.js';
import { DELIVER_PATH } from './vocabulary.js';

/** What the functions saw, by function name. */
const seen: Record<string, { value: unknown; ctx: Context<KnativeNative> }[]> = {};
const record = (name: string, value: unknown, ctx: Context): void => {
  (seen[name] ??= []).push({ value, ctx: ctx as Context<KnativeNative> });
};

function buildApp() {
  const app = createApp('knative-test');
  const jobs = app.queue<{ n: number }>('jobs', { maxAttempts: 2, backoff: false });
  app.http('root', { method: '*', route: '/' }, async (req) => new Response(`root ${req.method} ${await req.text()}`));
  app.http('send', { method: 'POST', route: '/send', sends: [jobs] }, async (req) => {
    const { delaySeconds } = (await req.json()) as { delaySeconds?: number };
    await jobs.send({ n: 1 }, delaySeconds ? { delaySeconds } : {});
    return new Response(null, { status: 202 });
  });
  jobs.consume('jobWorker', (msg, ctx) => record('jobWorker', msg, ctx));
  app.event('orders', { type: 'com.example.order.*' }, (event, ctx) => {
    record('orders', event, ctx);
    if ((event.data as { fail?: boolean } | undefined)?.fail) throw new Error('order rejected');
  });
  app.schedule('nightlyReport', { cron: '0 3 * * *' }, (tick, ctx) => record('nightlyReport', tick, ctx));
  return { app, jobs };
}

let service: KnativeService;
let jobs: ReturnType<typeof buildApp>['jobs'];
const logs: LogRecord[] = [];

beforeAll(async () => {
  const built = buildApp();
  jobs = built.jobs;
  service = await startKnativeService(built.app, { logSink: (r) => logs.push(r), production: true });
});
afterAll(() => service.stop());

const post = (path: string, message: { headers: Record<string, string>; body: unknown }) =>
  fetch(service.url + path, { method: 'POST', headers: message.headers, body: message.body as BodyInit | undefined });

const order = (id: string, data: unknown, extra: Record<string, unknown> = {}): CloudEvent =>
  ({ specversion: '1.0', id, source: '/shop', type: 'com.example.order.created', datacontenttype: 'application/json', data, ...extra }) as CloudEvent;

describe('broker ingress (POST /)', () => {
  test.each([
    ['binary', encodeBinaryMode],
    ['structured', encodeStructuredMode],
  ] as const)('accepts a %s-mode event with 202 and delivers it to the matching event function', async (mode, encode) => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await post('/', encode(order(`o-${mode}`, { n: 1 }, { traceparent: `00-${traceId}-b7ad6b7169203331-01` })));
    expect(res.status).toBe(202);
    await service.whenIdle(5_000);
    const hit = seen.orders!.find((s) => (s.value as CloudEvent).id === `o-${mode}`)!;
    expect(hit.value).toEqual(order(`o-${mode}`, { n: 1 }, { traceparent: `00-${traceId}-b7ad6b7169203331-01` }));
    expect(hit.ctx.trace.traceId).toBe(traceId);
    expect(hit.ctx.attempt).toBe(1);
    expect(hit.ctx.provider).toBe('knative');
    expect(hit.ctx.native.event?.id).toBe(`o-${mode}`);
  });

  test('a failing event function is retried maxAttempts times, then dead-lettered under event/<function>', async () => {
    await post('/', encodeBinaryMode(order('o-fail', { fail: true })));
    await service.whenIdle(10_000);
    expect(seen.orders!.filter((s) => (s.value as CloudEvent).id === 'o-fail').map((s) => s.ctx.attempt)).toEqual([1, 2, 3, 4, 5]);
    const [envelope] = service.deadLetters('event/orders');
    expect(envelope).toMatchObject({ attempts: 5, functionName: 'orders', lastError: { message: 'order rejected' } });
    expect((envelope!.message.body as CloudEvent).data).toEqual({ fail: true });
  }, 20_000);

  test('a queue message from an outside producer reaches the consumer with its attributes', async () => {
    const { encodeMessage } = await import('faasport');
    const message = encodeMessage('outside producer', jobs.definition, { n: 9 }, { attributes: { origin: 'cli' } });
    const res = await post('/', encodeBinaryMode(encodeQueueEvent('knative-test', jobs.definition, message, 'outside-1')));
    expect(res.status).toBe(202);
    await service.whenIdle(5_000);
    const hit = seen.jobWorker!.find((s) => (s.value as QueueMessage).id === 'outside-1')!;
    expect(hit.value).toMatchObject({ body: { n: 9 }, attempt: 1, attributes: { origin: 'cli' } });
  });

  test('a ping fires the schedule whose PingSource it names', async () => {
    const slot = new Date(Date.now() - 5_000);
    await post('/', encodeBinaryMode(encodePingEvent(service.pingSourceFor('nightlyReport'), slot)));
    await service.whenIdle(5_000);
    expect(service.pingSourceFor('nightlyReport')).toEqual({ namespace: 'default', name: 'nightly-report' });
    expect(seen.nightlyReport!.at(-1)!.value).toMatchObject({ scheduledTime: slot, isPastDue: false });
  });

  test.each<[string, () => { headers: Record<string, string>; body: unknown }, number]>([
    ['a binary event missing ce-id', () => ({ headers: { 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't' }, body: undefined }), 400],
    ['a structured event that is not JSON', () => ({ headers: { 'content-type': 'application/cloudevents+json' }, body: '{' }), 400],
    ['a batch', () => ({ headers: { 'content-type': 'application/cloudevents-batch+json' }, body: '[]' }), 415],
    [
      'a queue message for a queue the app does not have',
      () => encodeBinaryMode({ specversion: '1.0', id: 'x', source: '/s', type: 'dev.faasport.queue.message', faasportqueue: 'nope' }),
      400,
    ],
  ])('refuses %s with a typed JSON error', async (_name, message, status) => {
    const res = await post('/', message());
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code: 'EVENT_INVALID' });
  });

  test('a POST / that carries no CloudEvent goes to the http route on /', async () => {
    const res = await fetch(service.url + '/', { method: 'POST', body: 'plain' });
    expect(await res.text()).toBe('root POST plain');
  });
});

describe('subscriber endpoint (/_faasport/deliver/<function>)', () => {
  test.each<[string, string, () => { headers: Record<string, string>; body: unknown }, number]>([
    ['an unknown function', 'nobody', () => encodeBinaryMode(order('d1', {})), 404],
    ['an http function', 'root', () => encodeBinaryMode(order('d2', {})), 400],
    ['a queue consumer given an order event', 'jobWorker', () => encodeBinaryMode(order('d3', {})), 400],
    [
      'a schedule given a ping of another PingSource',
      'nightlyReport',
      () => encodeBinaryMode(encodePingEvent({ namespace: 'default', name: 'other' }, new Date())),
      400,
    ],
    ['a broken event', 'orders', () => ({ headers: { 'ce-specversion': '1.0' }, body: undefined }), 400],
  ])('refuses %s without running it', async (_name, fn, message, status) => {
    const res = await post(DELIVER_PATH + fn, message());
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBeTruthy();
  });

  test('a handler failure answers 500 with the error summary and no stack, even in production', async () => {
    const res = await post(DELIVER_PATH + 'orders', encodeBinaryMode(order('d4', { fail: true })));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { name: 'Error', message: 'order rejected' } });
    expect(text).not.toMatch(/\.ts:\d+|at /);
  });
});

describe('what Knative cannot do is refused, not ignored', () => {
  test('a delayed send', async () => {
    await expect(jobs.send({ n: 2 }, { delaySeconds: 5 })).rejects.toMatchObject({ code: 'CAPABILITY_UNSUPPORTED' });
    const res = await fetch(service.url + '/send', { method: 'POST', body: JSON.stringify({ delaySeconds: 5 }) });
    expect(res.status).toBe(500);
    // A FaasportError is the app's own, typed answer: production shows its message and code, never a stack.
    expect(await res.json()).toMatchObject({ code: 'CAPABILITY_UNSUPPORTED' });
  });

  test.each<[string, (app: ReturnType<typeof createApp>) => void, string]>([
    ['a FIFO queue', (app) => app.queue('ordered', { fifo: true }), 'CAPABILITY_UNSUPPORTED'],
    ['a queue with a default delay', (app) => app.queue('later', { delaySeconds: 10 }), 'CAPABILITY_UNSUPPORTED'],
    [
      "a timeout over Knative Serving's 600 s",
      (app) => app.http('long', { route: '/long', timeoutMs: 900_000 }, () => new Response()),
      'CAPABILITY_UNSUPPORTED',
    ],
    [
      'two schedules that fold to one PingSource name',
      (app) => {
        app.schedule('syncEu', { cron: '* * * * *' }, () => {});
        app.schedule('sync-eu', { cron: '* * * * *' }, () => {});
      },
      'DUPLICATE_NAME',
    ],
  ])('%s at start', async (_name, define, code) => {
    const app = createApp('refused');
    define(app);
    const error = await startKnativeService(app, { logSink: () => {} }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isFaasportError(error) && error.code).toBe(code);
  });
});

describe('in-process PingSources', () => {
  test('a firing POSTs a ping for the slot to the sink, and the schedule sees that slot on time', async () => {
    const pings = startPingSources(service.app, { sink: service.url + '/', namespace: 'default', log: createLogger({ sink: () => {} }) });
    const def = service.app.getFunction('nightlyReport') as ScheduleFunctionDefinition;
    const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await pings.fire(def, slot);
    await service.whenIdle(5_000);
    pings.stop();
    expect(seen.nightlyReport!.at(-1)!.value).toEqual({ scheduledTime: slot, actualTime: expect.any(Date), isPastDue: false });
  });

  test('a ping the sink never takes is retried like a PingSource, then logged as lost', async () => {
    const lost: LogRecord[] = [];
    const pings = startPingSources(service.app, {
      sink: service.url + '/no-such-sink',
      namespace: 'default',
      log: createLogger({ sink: (r) => lost.push(r) }),
    });
    await pings.fire(service.app.getFunction('nightlyReport') as ScheduleFunctionDefinition, new Date());
    pings.stop();
    expect(lost).toEqual([
      expect.objectContaining({ level: 'error', msg: 'ping lost after retries', schedule: 'nightlyReport', problem: 'sink answered 404' }),
    ]);
  });
});
