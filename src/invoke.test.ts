import { describe, expect, it } from 'vitest';
import { createApp, InvocationContext, invokeHttp, invokeQueueMessage, type LogRecord } from './index.js';

function ctxFor(name: string, timeoutMs: number, logs: LogRecord[] = []): InvocationContext {
  return new InvocationContext({
    functionName: name,
    invocationId: 'inv-1',
    provider: 'test',
    deadline: Date.now() + timeoutMs,
    coldStart: false,
    native: undefined,
    logSink: (r) => logs.push(r),
  });
}

describe('invokeHttp', () => {
  const app = createApp('t');
  const boom = app.http('boom', { route: '/boom' }, () => {
    throw new Error('secret detail');
  });
  const slow = app.http(
    'slow',
    { route: '/slow' },
    (_req, ctx) => new Promise<Response>((resolve) => ctx.signal.addEventListener('abort', () => resolve(new Response('late')))),
  );
  const wrong = app.http('wrong', { route: '/wrong' }, () => ({ status: 200 }) as unknown as Response);

  it('hides message and stack of unexpected errors in production', async () => {
    const logs: LogRecord[] = [];
    const res = await invokeHttp(boom, new Request('http://x/boom'), ctxFor('boom', 1000, logs), { production: true });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'Internal Server Error', invocationId: 'inv-1' });
    expect(logs[0]).toMatchObject({ level: 'error', msg: 'handler failed', error: { message: 'secret detail' } });
    expect(JSON.stringify(logs)).not.toMatch(/at .*invoke\.test/);
  });

  it('shows message and stack outside production', async () => {
    const res = await invokeHttp(boom, new Request('http://x/boom'), ctxFor('boom', 1000), { production: false });
    const body = (await res.json()) as { error: string; stack: string[] };
    expect(body.error).toBe('secret detail');
    expect(body.stack.length).toBeGreaterThan(1);
  });

  it('answers 504 TIMEOUT at the deadline and aborts ctx.signal', async () => {
    const ctx = ctxFor('slow', 50);
    const res = await invokeHttp(slow, new Request('http://x/slow'), ctx, { production: true });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ code: 'TIMEOUT' });
    expect(ctx.signal.aborted).toBe(true);
    expect((ctx.signal.reason as Error).name).toBe('TimeoutError');
  });

  it('refuses a handler result that is not a Response', async () => {
    const res = await invokeHttp(wrong, new Request('http://x/wrong'), ctxFor('wrong', 1000), { production: false });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 'HANDLER_RESULT_INVALID' });
  });
});

describe('invokeQueueMessage', () => {
  it('turns a throw into a failed outcome and waits for waitUntil work', async () => {
    const app = createApp('t');
    const q = app.queue('q');
    let background = false;
    const ok = q.consume('c', async (_m, ctx) => {
      ctx.waitUntil(
        new Promise<void>((r) =>
          setTimeout(() => {
            background = true;
            r();
          }, 10),
        ),
      );
    });
    const msg = { id: '1', body: {}, attempt: 1, enqueuedAt: new Date(), attributes: {} };
    expect(await invokeQueueMessage(ok, msg, ctxFor('c', 1000))).toEqual({ ok: true });
    expect(background).toBe(true);
    const app2 = createApp('t');
    const failing = app2.queue('q').consume('c', () => {
      throw new Error('nope');
    });
    const outcome = await invokeQueueMessage(failing, msg, ctxFor('c', 1000));
    expect(outcome.ok).toBe(false);
  });
});

describe('InvocationContext', () => {
  it('builds trace, logger and signal lazily and binds ids to every log line', () => {
    const logs: LogRecord[] = [];
    const ctx = new InvocationContext({
      functionName: 'f',
      invocationId: 'i',
      provider: 'p',
      deadline: Date.now() + 1000,
      coldStart: true,
      native: {},
      parentTrace: () => ({ traceId: 'a'.repeat(32), parentSpanId: 'b'.repeat(16), traceFlags: 1 }),
      logSink: (r) => logs.push(r),
    });
    ctx.log.info('hello', { functionName: 'spoofed', n: 1 });
    expect(logs[0]).toMatchObject({ level: 'info', msg: 'hello', functionName: 'f', invocationId: 'i', traceId: 'a'.repeat(32), n: 1 });
    expect(ctx.remainingTimeMs()).toBeGreaterThan(0);
    expect(ctx.signal.aborted).toBe(false);
    ctx.markTimedOut();
    expect(ctx.signal.aborted).toBe(true);
  });
});

describe('error summaries never carry request data', () => {
  it('strips the input V8 quotes into a JSON SyntaxError, in logs and development bodies', async () => {
    const app = createApp('t');
    const parse = app.http('parse', { method: 'POST', route: '/p' }, async (req) => Response.json(await req.json()));
    const logs: LogRecord[] = [];
    const res = await invokeHttp(parse, new Request('http://x/p', { method: 'POST', body: 'Bearer sk-canary-123' }), ctxFor('parse', 1000, logs), {
      production: false,
    });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ error: expect.stringMatching(/is not valid JSON/) });
    expect(text + JSON.stringify(logs)).not.toMatch(/canary|Bearer/);
  });
});
