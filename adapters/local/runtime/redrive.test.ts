import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App, type LogRecord } from 'faasport';
import type { InvocationRecord } from './invocation-feed.js';
import { createLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from './runtime.js';

// The dev-API routes behind the dashboard's queue view (messages, redrive, purge) and the
// invocation feed behind its live list and trace, against the real local runtime; the
// --persist cases against a real SQLite file.

const runtimes: LocalRuntime[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const r of runtimes.splice(0)) r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** orders fails while `failing` holds its body's id (without `consume`, nothing takes it); shipped has one subscriber. */
function shopApp(failing: Set<string>, ran: string[] = [], consume = true): App {
  const app = createApp('t');
  const orders = app.queue<{ id: string }>('orders', { maxAttempts: 2, backoff: false });
  const shipped = app.topic<{ id: string }>('shipped');
  app.queue('parked'); // no consumer: messages wait
  app.http('place', { method: 'POST', route: '/orders', sends: [orders] }, async (req) => {
    await orders.send((await req.json()) as { id: string });
    return new Response(null, { status: 202 });
  });
  if (!consume) return app;
  orders.consume(
    'fulfil',
    async (m, ctx) => {
      ran.push(`${m.body.id}#${m.attempt}`);
      ctx.log.info('fulfilling', { id: m.body.id });
      if (failing.has(m.body.id)) throw new Error(`cannot fulfil ${m.body.id}`);
      await shipped.publish({ id: m.body.id });
    },
    { sends: [shipped] },
  );
  shipped.subscribe('notify', async (m, ctx) => ctx.log.info('notified', { id: m.body.id }));
  return app;
}

function start(app: App, options: LocalRuntimeOptions = {}): LocalRuntime {
  const rt = createLocalRuntime(app, { logSink: () => {}, ...options });
  runtimes.push(rt);
  return rt;
}

const call = async (rt: LocalRuntime, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
  const res = await rt.fetch(new Request(`http://x${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
  return { status: res.status, json: await res.json() };
};

describe('dev API: queue messages, redrive and purge', () => {
  it('redrives a dead letter: same id and body, attempts from one again, and it is handled once the cause is gone', async () => {
    // Prepare
    const failing = new Set(['a']);
    const ran: string[] = [];
    const rt = start(shopApp(failing, ran));
    await call(rt, 'POST', '/_faasport/queues/orders/messages', { id: 'a' });
    await rt.whenIdle(5000);
    const [dead] = rt.deadLetters('orders');
    expect(dead).toMatchObject({ attempts: 2, lastError: { message: 'cannot fulfil a' } });
    // Act
    failing.clear();
    const redriven = await call(rt, 'POST', '/_faasport/queues/orders/dead-letter/redrive');
    await rt.whenIdle(5000);
    // Assess
    expect(redriven).toEqual({ status: 200, json: { redriven: [dead!.message.id] } });
    expect(ran).toEqual(['a#1', 'a#2', 'a#1']);
    expect(rt.deadLetters('orders')).toEqual([]);
    expect(rt.stats().find((s) => s.key === 'orders')).toMatchObject({ deadLettered: 0, handled: 1 });
  });

  it('redrives only the ids asked for, and refuses ids that are not a list of strings', async () => {
    const rt = start(shopApp(new Set(['a', 'b'])));
    await call(rt, 'POST', '/_faasport/queues/orders/messages', { id: 'a' });
    await call(rt, 'POST', '/_faasport/queues/orders/messages', { id: 'b' });
    await rt.whenIdle(5000);
    const [a, b] = rt
      .deadLetters('orders')
      .sort((x, y) => String((x.message.body as { id: string }).id).localeCompare(String((y.message.body as { id: string }).id)));
    expect((await call(rt, 'POST', '/_faasport/queues/orders/dead-letter/redrive', { ids: [b!.message.id] })).json).toEqual({ redriven: [b!.message.id] });
    await rt.whenIdle(5000);
    // b failed twice more and is back; a never moved
    expect(
      rt
        .deadLetters('orders')
        .map((d) => d.message.id)
        .sort(),
    ).toEqual([a!.message.id, b!.message.id].sort());
    const bad = await call(rt, 'POST', '/_faasport/queues/orders/dead-letter/redrive', { ids: 'all' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'MESSAGE_INVALID', error: expect.stringContaining('"ids" must be an array') });
    expect((await call(rt, 'POST', '/_faasport/queues/nope/dead-letter/redrive')).status).toBe(404);
  });

  it('lists waiting messages with their attempts and last error, and purges them and the dead letters', async () => {
    // Prepare: a retry far away keeps the failed message waiting with its error
    const app = createApp('t');
    app.queue<{ id: string }>('slow', { maxAttempts: 3, backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 } }).consume('w', () => {
      throw new Error('try later');
    });
    const rt = start(app, { random: () => 1 });
    await call(rt, 'POST', '/_faasport/queues/slow/messages', { id: 'x' });
    for (let i = 0; i < 200 && rt.stats()[0]!.delayed === 0; i++) await new Promise((r) => setTimeout(r, 5));
    // Act
    const listed = await call(rt, 'GET', '/_faasport/queues/slow/messages');
    // Assess
    expect(listed.json).toEqual([
      expect.objectContaining({ body: { id: 'x' }, attempt: 1, state: 'delayed', functionName: 'w', lastError: { name: 'Error', message: 'try later' } }),
    ]);
    expect((await call(rt, 'DELETE', '/_faasport/queues/slow/messages')).json).toEqual({ purged: 1, inFlight: 0 });
    expect((await call(rt, 'GET', '/_faasport/queues/slow/messages')).json).toEqual([]);
    expect(rt.stats()[0]).toMatchObject({ depth: 0, delayed: 0, inFlight: 0 });
  });

  it('purges dead letters, and a queue without consumer', async () => {
    const rt = start(shopApp(new Set(['a'])));
    await call(rt, 'POST', '/_faasport/queues/orders/messages', { id: 'a' });
    await call(rt, 'POST', '/_faasport/queues/parked/messages', { id: 'p' });
    await rt.whenIdle(5000);
    expect((await call(rt, 'DELETE', '/_faasport/queues/orders/dead-letter')).json).toEqual({ purged: 1 });
    expect(rt.deadLetters('orders')).toEqual([]);
    expect((await call(rt, 'GET', '/_faasport/queues/parked/messages')).json).toEqual([
      expect.objectContaining({ body: { id: 'p' }, attempt: 0, state: 'ready', functionName: null, lastError: null }),
    ]);
    expect((await call(rt, 'DELETE', '/_faasport/queues/parked/messages')).json).toEqual({ purged: 1, inFlight: 0 });
  });

  it('with --persist, a redrive and a purge are in the store: a restart finds the message redriven, not dead, and a purged queue empty', async () => {
    // Prepare: a dead letter and a parked message, on disk
    const dir = mkdtempSync(join(tmpdir(), 'faasport-redrive-'));
    dirs.push(dir);
    const failing = new Set(['a']);
    let rt = start(shopApp(failing), { persist: dir });
    await call(rt, 'POST', '/_faasport/queues/orders/messages', { id: 'a' });
    await call(rt, 'POST', '/_faasport/queues/parked/messages', { id: 'p1' });
    await rt.whenIdle(5000);
    rt.stop();
    // Act: a second run (its orders queue has no consumer, so the redriven message waits) sees
    // the dead letter, purges the parked queue, and redrives
    rt = start(shopApp(failing, [], false), { persist: dir });
    expect(rt.deadLetters('orders')).toHaveLength(1);
    expect((await call(rt, 'DELETE', '/_faasport/queues/parked/messages')).json).toEqual({ purged: 1, inFlight: 0 });
    expect((await call(rt, 'POST', '/_faasport/queues/orders/dead-letter/redrive')).json.redriven).toHaveLength(1);
    rt.stop();
    // Assess: the third run delivers it (now it succeeds) and holds nothing else
    failing.clear();
    const ran: string[] = [];
    rt = start(shopApp(failing, ran), { persist: dir });
    expect(rt.deadLetters('orders')).toEqual([]);
    await rt.whenIdle(5000);
    expect(ran).toEqual(['a#1']);
    expect(rt.stats().find((s) => s.key === 'parked')).toMatchObject({ depth: 0 });
  });
});

describe('the invocation feed (dashboard on)', () => {
  it('records each invocation with its trigger, attempt, outcome and trace, links hops by parent span, and keeps its log lines', async () => {
    // Prepare
    const printed: LogRecord[] = [];
    const rt = start(shopApp(new Set()), { dashboard: true, logSink: (r) => printed.push(r) });
    const seen: InvocationRecord[] = [];
    rt.feed!.subscribe((r) => seen.push(r));
    // Act
    const res = await rt.fetch(new Request('http://x/orders', { method: 'POST', body: JSON.stringify({ id: 'o1' }) }));
    await rt.whenIdle(5000);
    // Assess
    expect(res.status).toBe(202);
    // In the order they ended: a subscriber may end before the consumer that published to it.
    expect(seen.map((r) => [r.functionName, r.trigger, r.outcome, r.attempt]).sort()).toEqual([
      ['fulfil', 'queue', 'ok', 1],
      ['notify', 'topic', 'ok', 1],
      ['place', 'http', 'ok', 1],
    ]);
    const [place, fulfil, notify] = ['place', 'fulfil', 'notify'].map((name) => seen.find((r) => r.functionName === name)!) as [
      InvocationRecord,
      InvocationRecord,
      InvocationRecord,
    ];
    expect(place).toMatchObject({ status: 202, source: 'POST /orders', parentSpanId: null, coldStart: true });
    expect(new Set(seen.map((r) => r.traceId)).size).toBe(1);
    expect(fulfil.parentSpanId).toBe(place.spanId);
    expect(notify.parentSpanId).toBe(fulfil.spanId);
    expect(fulfil.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rt.feed!.recent(place.traceId)).toHaveLength(3);
    // Log lines: kept per invocation, and still printed
    expect(rt.feed!.logs(fulfil.invocationId)!.lines.map((l) => l.msg)).toEqual(['fulfilling']);
    expect(printed.some((l) => l.msg === 'notified')).toBe(true);
    const logs = await rt.fetch(new Request(`http://x/_faasport/invocations/${notify.invocationId}/logs`));
    expect(await logs.json()).toMatchObject({ lines: [{ msg: 'notified', id: 'o1' }], dropped: 0 });
    expect((await rt.fetch(new Request('http://x/_faasport/invocations/nope/logs'))).status).toBe(404);
  });

  it('records a failed delivery with its error (production: only what production answers show)', async () => {
    const rt = start(shopApp(new Set(['bad'])), { dashboard: true, production: true });
    const seen: InvocationRecord[] = [];
    rt.feed!.subscribe((r) => seen.push(r));
    await call(rt, 'POST', '/_faasport/queues/orders/messages', { id: 'bad' });
    await rt.whenIdle(5000);
    expect(seen.map((r) => [r.outcome, r.attempt, r.error?.message])).toEqual([
      ['error', 1, 'Internal Server Error'],
      ['error', 2, 'Internal Server Error'],
    ]);
  });

  it('keeps a bounded number of invocations and log lines', async () => {
    const { InvocationFeed } = await import('./invocation-feed.js');
    const feed = new InvocationFeed({ capacity: 2, maxLogLines: 1 });
    const record = (id: string): InvocationRecord => ({
      invocationId: id,
      functionName: 'f',
      trigger: 'http',
      source: 'GET /',
      startedAt: '',
      durationMs: 0,
      outcome: 'ok',
      attempt: 1,
      coldStart: false,
      traceId: 't',
      spanId: id,
      parentSpanId: null,
    });
    for (const id of ['1', '2', '3']) {
      feed.log({ level: 'info', msg: 'a', time: '', invocationId: id });
      feed.log({ level: 'info', msg: 'b', time: '', invocationId: id });
      feed.add(record(id));
    }
    expect(feed.recent().map((r) => r.invocationId)).toEqual(['2', '3']);
    expect(feed.logs('1')).toBeUndefined();
    expect(feed.logs('3')).toEqual({ lines: [expect.objectContaining({ msg: 'a' })], dropped: 1 });
  });

  it('streams server-sent events (queue counts, then each invocation as it ends), and unsubscribes when the reader goes away', async () => {
    // Prepare
    const rt = start(shopApp(new Set()), { dashboard: true });
    const res = await rt.fetch(new Request('http://x/_faasport/stream'));
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp): Promise<void> => {
      for (let i = 0; i < 50 && !pattern.test(text); i++) text += (await reader.read()).value ?? '';
    };
    // Act
    await until(/event: queues\ndata: \[/);
    await call(rt, 'POST', '/_faasport/queues/orders/messages', { id: 's1' });
    await until(/^(?=[\s\S]*"invocationId":"[^"]+","functionName":"fulfil")(?=[\s\S]*"invocationId":"[^"]+","functionName":"notify")/);
    // Assess
    const events = text
      .split('\n\n')
      .filter((b) => b.startsWith('event: invocation'))
      .map((b) => JSON.parse(b.split('\ndata: ')[1]!) as InvocationRecord);
    expect(events.map((e) => e.functionName).sort()).toEqual(['fulfil', 'notify']);
    expect(rt.feed!.listeners).toBe(1);
    await reader.cancel();
    expect(rt.feed!.listeners).toBe(0);
  });

  it('ends the stream of a reader that stopped reading once 1000 events wait, instead of holding them all', async () => {
    const rt = start(shopApp(new Set()), { dashboard: true });
    const res = await rt.fetch(new Request('http://x/_faasport/stream'));
    const record: InvocationRecord = {
      invocationId: 'i',
      functionName: 'f',
      trigger: 'http',
      source: 'GET /',
      startedAt: '',
      durationMs: 0,
      outcome: 'ok',
      attempt: 1,
      coldStart: false,
      traceId: 't',
      spanId: 's',
      parentSpanId: null,
    };
    for (let i = 0; i < 1_100; i++) rt.feed!.add({ ...record, invocationId: `i${i}` });
    expect(rt.feed!.listeners).toBe(0);
    const text = await res.text();
    expect(text.match(/event: invocation/g)!.length).toBeLessThan(1_100);
  });

  it('is off unless asked for: no feed, and the dashboard routes are not served', async () => {
    const rt = start(shopApp(new Set()));
    expect(rt.feed).toBeUndefined();
    expect((await rt.fetch(new Request('http://x/_faasport/'))).status).toBe(404);
    expect((await rt.fetch(new Request('http://x/_faasport/stream'))).status).toBe(404);
  });
});
