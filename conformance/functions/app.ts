import { createApp, type App, type Capabilities, type Context, type Queue, type QueueMessage, type Topic } from '../../src/index.js';

/** The log message every conformance function writes what it received under. */
export const OBSERVED = 'conformance.observed';

/** Queue names and limits the cases rely on. */
export const WORK_MAX_ATTEMPTS = 5;

export interface WorkBody {
  /** Unique per test, to find this test's observations. */
  run: string;
  /** Fail while attempt <= failUntil. */
  failUntil?: number;
  seq?: number;
  text?: string;
}

function observe(ctx: Context, fields: Record<string, unknown>): void {
  ctx.log.info(OBSERVED, { fn: ctx.functionName, ...fields });
}

function observeMessage(ctx: Context, msg: QueueMessage<WorkBody>): void {
  // A message another producer sent may be a string or bytes (see the foreign-message case).
  const body: unknown = msg.body;
  observe(ctx, {
    run: typeof body === 'object' && body !== null ? (body as Partial<WorkBody>).run : undefined,
    body: body instanceof Uint8Array ? { base64: Buffer.from(body).toString('base64') } : body,
    bodyKind: body instanceof Uint8Array ? 'bytes' : typeof body,
    id: msg.id,
    attempt: msg.attempt,
    ctxAttempt: ctx.attempt,
    enqueuedAt: msg.enqueuedAt.toISOString(),
    receivedAt: new Date().toISOString(),
    groupId: msg.groupId ?? null,
    attributes: Object.fromEntries(Object.entries(msg.attributes).filter(([k]) => k.startsWith('conf'))),
    traceId: ctx.trace.traceId,
    invocationId: ctx.invocationId,
  });
}

/** Which trigger kinds to define (all by default) and whether to add the FIFO queue. */
export type ConformanceAppOptions = { readonly fifo: boolean } & Partial<Pick<Capabilities, 'http' | 'queues' | 'topics' | 'schedules' | 'events'>>;

/**
 * The identical functions every adapter runs. Each writes what it received, normalised, as
 * an HTTP response or a `conformance.observed` log record; the cases compare those. Trigger
 * kinds the adapter does not declare are left out, so an adapter without (say) schedules
 * still runs the rest of the suite.
 */
export function createConformanceApp(options: ConformanceAppOptions): App {
  const has = { http: true, queues: true, topics: true, schedules: true, events: true, ...options };
  const app = createApp('conformance');
  const backoff = { initialDelayMs: 50, maxDelayMs: 200 };
  const work = has.queues ? app.queue<WorkBody>('work', { maxAttempts: WORK_MAX_ATTEMPTS, backoff }) : undefined;
  const fifo = has.queues && options.fifo ? app.queue<WorkBody>('ordered', { fifo: true, maxAttempts: WORK_MAX_ATTEMPTS, backoff }) : undefined;
  const news = has.topics ? app.topic<WorkBody>('news', { maxAttempts: WORK_MAX_ATTEMPTS, backoff }) : undefined;
  const queues = { ...(work ? { work } : {}), ...(fifo ? { ordered: fifo } : {}) } as Record<string, NonNullable<typeof work>>;
  if (has.http) defineHttp(app, queues, news);

  work?.consume('worker', async (msg, ctx) => {
    observeMessage(ctx, msg);
    if (msg.body?.failUntil !== undefined && msg.attempt <= msg.body.failUntil) throw new Error(`planned failure ${msg.attempt}`);
  });
  fifo?.consume('fifoWorker', async (msg, ctx) => {
    observeMessage(ctx, msg);
    if (msg.body.failUntil !== undefined && msg.attempt <= msg.body.failUntil) throw new Error(`planned failure ${msg.attempt}`);
  });
  news?.subscribe('subscriberA', async (msg, ctx) => observeMessage(ctx, msg));
  news?.subscribe('subscriberB', async (msg, ctx) => observeMessage(ctx, msg));

  if (has.schedules) {
    app.schedule('hourly', { cron: '0 * * * *' }, async (tick, ctx) => {
      observe(ctx, {
        run: 'tick',
        scheduledTime: tick.scheduledTime.toISOString(),
        actualTime: tick.actualTime.toISOString(),
        isPastDue: tick.isPastDue,
      });
    });
  }

  if (has.events) {
    app.event('anyEvent', {}, async (event, ctx) => {
      const data = event.data;
      observe(ctx, {
        run: typeof data === 'object' && data !== null && 'run' in data ? (data as { run: unknown }).run : event.id,
        id: event.id,
        type: event.type,
        source: event.source,
        subject: event.subject ?? null,
        specversion: event.specversion,
        datacontenttype: event.datacontenttype ?? null,
        data: data instanceof Uint8Array ? { base64: Buffer.from(data).toString('base64') } : (data ?? null),
      });
    });
  }
  return app;
}

function defineHttp(app: App, queues: Record<string, Queue<WorkBody>>, news: Topic<WorkBody> | undefined): void {
  app.http('echo', { method: '*', route: '/echo/*', public: true }, async (req, ctx) => {
    const url = new URL(req.url);
    const bytes = new Uint8Array(await req.arrayBuffer());
    const headers: Record<string, string> = {};
    req.headers.forEach((value, key) => {
      if (key.startsWith('x-conf-') || key === 'content-type') headers[key] = value;
    });
    return Response.json({
      method: req.method,
      path: url.pathname,
      params: ctx.params,
      query: [...url.searchParams.entries()],
      headers,
      cookie: req.headers.get('cookie'),
      bodyBase64: Buffer.from(bytes).toString('base64'),
      bodyLength: bytes.length,
    });
  });

  app.http('params', { method: 'GET', route: '/users/:user/items/:item', public: true }, (_req, ctx) => Response.json({ params: ctx.params }));

  app.http('status', { method: ['GET', 'POST'], route: '/status/:code', public: true }, (_req, ctx) => {
    const code = Number(ctx.params.code);
    return new Response(code === 204 || code === 304 ? null : `status ${code}`, { status: code, headers: { 'x-conf-status': String(code) } });
  });

  app.http('cookies', { method: 'GET', route: '/cookies', public: true }, () => {
    const headers = new Headers({ 'content-type': 'text/plain' });
    headers.append('set-cookie', 'session=abc123; Path=/; HttpOnly; Secure; SameSite=Lax');
    headers.append('set-cookie', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/');
    // A base64 / JWT-style value: "=" and "." must reach the client as set.
    headers.append('set-cookie', 'token=eyJhbGciOiJIUzI1NiJ9.e30=; Path=/; Secure');
    headers.append('x-conf-multi', 'one');
    headers.append('x-conf-multi', 'two');
    return new Response('cookies set', { headers });
  });

  app.http('binary', { method: 'GET', route: '/binary', public: true }, () => {
    const bytes = new Uint8Array(256);
    for (let i = 0; i < 256; i++) bytes[i] = i;
    return new Response(bytes, { headers: { 'content-type': 'image/png' } });
  });

  app.http('unicode', { method: 'GET', route: '/unicode', public: true }, () =>
    Response.json({ text: 'héllo wörld — 你好 — 🚀', emoji: '👩‍💻' }, { headers: { 'content-type': 'application/json; charset=utf-8' } }),
  );

  app.http('boom', { method: 'GET', route: '/boom', public: true }, () => {
    throw new Error('internal detail: db password rejected');
  });

  app.http('slow', { method: 'GET', route: '/slow', public: true, timeoutMs: 1000 }, async (_req, ctx) => {
    const aborted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    observe(ctx, { run: 'slow', aborted, reason: String((ctx.signal.reason as Error)?.name) });
    return new Response('too late');
  });

  app.http('context', { method: 'GET', route: '/context', public: true }, (_req, ctx) => {
    ctx.log.info('context served', { conf: true });
    return Response.json({
      functionName: ctx.functionName,
      invocationId: ctx.invocationId,
      provider: ctx.provider,
      coldStart: ctx.coldStart,
      attempt: ctx.attempt,
      remainingTimeMs: ctx.remainingTimeMs(),
      deadlineInFuture: ctx.deadline > Date.now(),
      aborted: ctx.signal.aborted,
      traceId: ctx.trace.traceId,
      spanId: ctx.trace.spanId,
      parentSpanId: ctx.trace.parentSpanId ?? null,
    });
  });

  app.http('enqueue', { method: 'POST', route: '/enqueue/:queue', public: true, sends: Object.values(queues) }, async (req, ctx) => {
    const queue = queues[ctx.params.queue!];
    if (!queue) return Response.json({ error: `no queue ${ctx.params.queue}` }, { status: 404 });
    const url = new URL(req.url);
    const bodies = (await req.json()) as WorkBody[];
    const groupId = url.searchParams.get('groupId') ?? undefined;
    const delay = url.searchParams.get('delaySeconds');
    const results = await queue.sendBatch(bodies, {
      ...(groupId ? { groupId } : {}),
      ...(delay ? { delaySeconds: Number(delay) } : {}),
      attributes: { confSource: 'http' },
    });
    return Response.json({ ids: results.map((r) => r.id), traceId: ctx.trace.traceId }, { status: 202 });
  });

  if (!news) return;
  app.http('publish', { method: 'POST', route: '/publish', public: true, sends: [news] }, async (req, ctx) => {
    const result = await news.publish((await req.json()) as WorkBody, { attributes: { confSource: 'http' } });
    return Response.json({ id: result.id, traceId: ctx.trace.traceId }, { status: 202 });
  });
}
