import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type LogRecord } from 'faasport';
import { createLocalRuntime, type LocalRuntime } from './runtime.js';
import { serve, type RunningServer } from './node-http.js';

let runtime: LocalRuntime | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  runtime?.stop();
  await server?.close();
  runtime = undefined;
  server = undefined;
});

function start(define: (app: ReturnType<typeof createApp>) => void, logs: LogRecord[] = []): LocalRuntime {
  const app = createApp('t');
  define(app);
  runtime = createLocalRuntime(app, { logSink: (r) => logs.push(r), production: true });
  return runtime;
}

describe('local runtime routing', () => {
  it('answers 404 and 405 as JSON, and HEAD for GET routes', async () => {
    const rt = start((app) => app.http('hello', { method: 'GET', route: '/hello/:name' }, (_r, ctx) => Response.json({ hi: ctx.params.name })));
    const notFound = await rt.fetch(new Request('http://x/nope'));
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ code: 'NOT_FOUND', error: 'no route matches GET /nope' });
    const wrongMethod = await rt.fetch(new Request('http://x/hello/a', { method: 'DELETE' }));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect((await rt.fetch(new Request('http://x/hello/a', { method: 'HEAD' }))).status).toBe(200);
  });

  it('answers 404, not 405, for a trailing-slash path that is no route (GET /items/ beside POST /items and GET /items/:id)', async () => {
    const rt = start((app) => {
      app.http('create', { method: 'POST', route: '/items' }, () => new Response(null, { status: 201 }));
      app.http('read', { method: 'GET', route: '/items/:id' }, (_r, ctx) => Response.json({ id: ctx.params.id }));
    });
    const slash = await rt.fetch(new Request('http://x/items/'));
    expect(slash.status).toBe(404);
    expect(await slash.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await rt.fetch(new Request('http://x/items'))).status).toBe(405);
    expect((await rt.fetch(new Request('http://x/items/', { method: 'POST' }))).status).toBe(201);
  });

  it('prefers the most specific route', async () => {
    const rt = start((app) => {
      app.http('any', { route: '/files/*' }, () => new Response('wild'));
      app.http('one', { route: '/files/:id' }, () => new Response('param'));
      app.http('latest', { route: '/files/latest' }, () => new Response('static'));
    });
    const texts = await Promise.all(['/files/latest', '/files/7', '/files/a/b'].map(async (p) => (await rt.fetch(new Request(`http://x${p}`))).text()));
    expect(texts).toEqual(['static', 'param', 'wild']);
  });

  it('refuses a body over the limit with 413 before the handler runs, also when Content-Length lies', async () => {
    let called = 0;
    const rt = start((app) =>
      app.http('up', { method: 'POST', route: '/up' }, () => {
        called++;
        return new Response('ok');
      }),
    );
    server = await serve((r) => rt.fetch(r), { maxBodyBytes: 1024 });
    const big = await fetch(`${server.url}/up`, { method: 'POST', body: new Uint8Array(2048) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // A chunked body has no Content-Length: the limit is enforced while reading.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(512));
        c.close();
      },
    });
    const chunked = await fetch(`${server.url}/up`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(called).toBe(0);
    expect((await fetch(`${server.url}/up`, { method: 'POST', body: new Uint8Array(1024) })).status).toBe(200);
  });
});

describe('local runtime queues', () => {
  it('dead-letters after maxAttempts with the envelope, and the dev API shows it', async () => {
    const attempts: number[] = [];
    const rt = start((app) => {
      const q = app.queue<{ n: number }>('jobs', { maxAttempts: 3, backoff: false });
      q.consume('worker', (m) => {
        attempts.push(m.attempt);
        throw new Error(`bad ${m.body.n}`);
      });
    });
    const sent = await rt.fetch(new Request('http://x/_faasport/queues/jobs/messages', { method: 'POST', body: JSON.stringify({ n: 7 }) }));
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    await rt.whenIdle(5000);
    expect(attempts).toEqual([1, 2, 3]);
    const dl = (await (await rt.fetch(new Request('http://x/_faasport/queues/jobs/dead-letter'))).json()) as {
      message: { id: string; body: unknown };
      attempts: number;
      lastError: { message: string };
    }[];
    expect(dl).toHaveLength(1);
    expect(dl[0]).toMatchObject({ message: { id, body: { n: 7 } }, attempts: 3, lastError: { message: 'bad 7' }, queue: 'jobs', functionName: 'worker' });
    const stats = (await (await rt.fetch(new Request('http://x/_faasport/queues'))).json()) as { queue: string; deadLettered: number; depth: number }[];
    expect(stats.find((s) => s.queue === 'jobs')).toMatchObject({ deadLettered: 1, depth: 0 });
  });

  it('discards with an error log only when deadLetter is off', async () => {
    const logs: LogRecord[] = [];
    const rt = start(
      (app) =>
        app.queue('q', { maxAttempts: 1, deadLetter: false }).consume('w', () => {
          throw new Error('x');
        }),
      logs,
    );
    await rt.fetch(new Request('http://x/_faasport/queues/q/messages', { method: 'POST', body: '1' }));
    await rt.whenIdle(5000);
    expect(rt.deadLetters('q')).toEqual([]);
    expect(logs.find((l) => l.msg.startsWith('message discarded'))).toMatchObject({ level: 'error', queue: 'q', attempts: 1 });
  });

  it('dev API answers typed errors for unknown names and bad JSON', async () => {
    const rt = start((app) => app.queue('q').consume('w', () => {}));
    const unknown = await rt.fetch(new Request('http://x/_faasport/queues/nope/messages', { method: 'POST', body: '{}' }));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'NOT_FOUND', error: expect.stringMatching(/defined: q/) });
    const bad = await rt.fetch(new Request('http://x/_faasport/queues/q/messages', { method: 'POST', body: '{nope' }));
    expect(bad.status).toBe(400);
    const badEvent = await rt.fetch(new Request('http://x/_faasport/events', { method: 'POST', body: JSON.stringify({ id: 'x' }) }));
    expect(badEvent.status).toBe(400);
    expect(await badEvent.json()).toMatchObject({ code: 'EVENT_INVALID' });
  });

  it('runs a schedule on demand with isPastDue from the scheduled time', async () => {
    const ticks: boolean[] = [];
    const rt = start((app) =>
      app.schedule('s', { cron: '0 * * * *' }, (t) => {
        ticks.push(t.isPastDue);
      }),
    );
    await rt.fetch(new Request('http://x/_faasport/schedules/s/run', { method: 'POST' }));
    await rt.fetch(new Request('http://x/_faasport/schedules/s/run', { method: 'POST', body: JSON.stringify({ scheduledTime: '2020-01-01T00:00:00Z' }) }));
    expect(ticks).toEqual([false, true]);
    const missing = await rt.fetch(new Request('http://x/_faasport/schedules/none/run', { method: 'POST' }));
    expect(missing.status).toBe(404);
  });
});

describe('local runtime: a queue consumer that outlives its timeout', () => {
  it('is aborted through ctx.signal, counts as a failed attempt, and is dead-lettered with TIMEOUT after maxAttempts', async () => {
    const aborts: string[] = [];
    let slowQueue: { send(body: { n: number }): Promise<unknown> } | undefined;
    const rt = start((app) => {
      const slow = app.queue<{ n: number }>('slow', { maxAttempts: 2, backoff: { initialDelayMs: 1, maxDelayMs: 5 } });
      slow.consume(
        'crawl',
        (_msg, ctx) =>
          new Promise<void>((resolve) => {
            // Never finishes on its own: only the deadline ends it.
            ctx.signal.addEventListener('abort', () => {
              aborts.push(String((ctx.signal.reason as Error)?.name));
              resolve();
            });
          }),
        { timeoutMs: 50 },
      );
      slowQueue = slow;
    });
    await slowQueue!.send({ n: 1 });
    await rt.whenIdle(5_000);
    expect(aborts).toHaveLength(2);
    const [dead] = rt.deadLetters('slow');
    expect(dead).toMatchObject({ attempts: 2, lastError: { code: 'TIMEOUT' }, message: { body: { n: 1 } } });
    expect(rt.deadLetters('slow')).toHaveLength(1);
  });
});

describe("message attribute count: the strictest cloud's 10, faasport's traceparent counted", () => {
  const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'v']));

  it('accepts 10 attributes from outside an invocation, refuses 11 and 5 000 with MESSAGE_INVALID', async () => {
    let orders!: ReturnType<ReturnType<typeof createApp>['queue']>;
    start((app) => void (orders = app.queue('orders')));
    await expect(orders.send({ n: 1 }, { attributes: attrs(10) })).resolves.toMatchObject({ id: expect.any(String) });
    await expect(orders.send({ n: 2 }, { attributes: attrs(11) })).rejects.toMatchObject({
      code: 'MESSAGE_INVALID',
      details: { attributes: 11, own: 0, limit: 10, target: 'local' },
    });
    await expect(orders.send({ n: 3 }, { attributes: attrs(5_000) })).rejects.toMatchObject({ code: 'MESSAGE_INVALID', details: { attributes: 5_000 } });
  });

  it("inside a handler, traceparent takes one of the 10: 9 of the caller's pass, 10 are refused naming it", async () => {
    const rt = start((app) => {
      const orders = app.queue('orders');
      app.http('send', { method: 'POST', route: '/send/:n', sends: [orders] }, async (_req, ctx) => {
        try {
          await orders.send({}, { attributes: attrs(Number(ctx.params.n)) });
          return new Response('sent');
        } catch (err) {
          return Response.json({ code: (err as { code: string }).code, message: (err as Error).message });
        }
      });
    });
    expect(await (await rt.fetch(new Request('http://x/send/9', { method: 'POST' }))).text()).toBe('sent');
    const refused = (await (await rt.fetch(new Request('http://x/send/10', { method: 'POST' }))).json()) as { code: string; message: string };
    expect(refused.code).toBe('MESSAGE_INVALID');
    expect(refused.message).toContain("11 attributes (10 yours, 1 faasport's own: traceparent)");
    expect(refused.message).toContain('send at most 9 of your own');
  });
});

describe('local runtime reload (faasport dev after an edit)', () => {
  it('swaps routes and consumers; waiting messages reach the new consumer; a dropped queue keeps its messages and dead letters', async () => {
    const handled: string[] = [];
    // v1: "jobs" has no consumer (messages wait); "poison" dead-letters at once.
    const rt = start((app) => {
      app.http('v', { route: '/v' }, () => new Response('v1'));
      app.queue<{ n: number }>('jobs');
      app.queue('poison', { maxAttempts: 1 }).consume('bad', () => {
        throw new Error('poison');
      });
      app.queue('parked');
    });
    const send = (queue: string, body: unknown) =>
      rt.fetch(new Request(`http://x/_faasport/queues/${queue}/messages`, { method: 'POST', body: JSON.stringify(body) }));
    expect((await send('jobs', { n: 1 })).status).toBe(202);
    expect((await send('poison', 'p')).status).toBe(202);
    expect((await send('parked', 'keep me')).status).toBe(202);
    await rt.whenIdle(5000);
    expect(rt.deadLetters('poison')).toHaveLength(1);

    // v2: a new route answer, a consumer for "jobs", no "poison" or "parked" queue at all.
    const v2 = createApp('t');
    v2.http('v', { route: '/v' }, () => new Response('v2'));
    v2.queue<{ n: number }>('jobs').consume('work', (msg) => void handled.push(`v2 ${msg.body.n}`));
    rt.reload(v2);
    await rt.whenIdle(5000);

    expect(await (await rt.fetch(new Request('http://x/v'))).text()).toBe('v2');
    expect(handled).toEqual(['v2 1']);
    expect(rt.app).toBe(v2);
    // The dropped queues: their dead letters stay listed, their messages wait undelivered.
    const dl = (await (await rt.fetch(new Request('http://x/_faasport/queues/poison/dead-letter'))).json()) as { message: { body: unknown } }[];
    expect(dl.map((e) => e.message.body)).toEqual(['p']);
    expect(rt.stats().find((s) => s.queue === 'parked')).toMatchObject({ depth: 1, handled: 0 });
    // Sending to a queue the app no longer defines is refused as before.
    expect((await send('parked', 'more')).status).toBe(404);
  });

  it('a delivery running at the reload finishes on the old code and counts once; the next message runs the new code', async () => {
    const handled: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const rt = start((app) =>
      app.queue<number>('jobs').consume('work', async (msg) => {
        started();
        await gate;
        handled.push(`v1 ${msg.body}`);
      }),
    );
    const send = (body: number) => rt.fetch(new Request('http://x/_faasport/queues/jobs/messages', { method: 'POST', body: JSON.stringify(body) }));
    await send(1);
    await running;
    const v2 = createApp('t');
    v2.queue<number>('jobs').consume('work', (msg) => void handled.push(`v2 ${msg.body}`));
    rt.reload(v2);
    await send(2);
    release();
    await rt.whenIdle(5000);
    expect(handled.sort()).toEqual(['v1 1', 'v2 2']);
    expect(rt.stats().find((s) => s.queue === 'jobs')).toMatchObject({ handled: 2, depth: 0, inFlight: 0 });
  });

  it('a topic subscription the new version drops keeps its dead letters reachable: listed, redriven, purged', async () => {
    const rt = start((app) => {
      const t = app.topic('news', { maxAttempts: 1 });
      t.subscribe('a', () => {});
      t.subscribe('b', () => {
        throw new Error('b fails');
      });
    });
    expect((await rt.fetch(new Request('http://x/_faasport/topics/news/messages', { method: 'POST', body: '"hello"' }))).status).toBe(202);
    await rt.whenIdle(5000);
    const v2 = createApp('t');
    v2.topic('news', { maxAttempts: 1 }).subscribe('a', () => {});
    rt.reload(v2);
    expect(rt.stats().find((s) => s.key === 'news/b')).toMatchObject({ deadLettered: 1 });
    expect(rt.deadLetters('news', 'b').map((e) => e.message.body)).toEqual(['hello']);
    // Redriven, it waits in b's channel (no consumer now) instead of vanishing.
    expect(rt.redrive('news', 'b').redriven).toHaveLength(1);
    expect(rt.messages('news', 'b').map((m) => [m.functionName, m.body])).toEqual([['b', 'hello']]);
    expect(rt.purge('news', 'b')).toEqual({ purged: 1, inFlight: 0 });
    expect(rt.deadLetters('news', 'b')).toEqual([]);
  });

  it('refuses an app the adapter cannot run and keeps serving the last one', async () => {
    const rt = start((app) => app.http('v', { route: '/v' }, () => new Response('v1')));
    const bad = createApp('t');
    bad.queue('q', { maxMessageBytes: 2 * 1024 * 1024 });
    expect(() => rt.reload(bad)).toThrow(/CAPABILITY_UNSUPPORTED|maxMessageBytes/);
    expect(await (await rt.fetch(new Request('http://x/v'))).text()).toBe('v1');
  });
});
