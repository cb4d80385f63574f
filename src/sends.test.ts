import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { checkDeclaredSends, producerTargets } from './access-plan.js';
import { isFaasportError } from './errors.js';
import { createLocalRuntime } from 'faasport/local';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return isFaasportError(err) ? err.code : `untyped: ${String(err)}`;
  }
  return undefined;
};

describe('sends: a function declares where it sends', () => {
  it('takes queue and topic objects or names, and refuses anything else at definition time', () => {
    const app = createApp('s');
    const orders = app.queue('orders');
    const fn = app.http('a', { route: '/a', sends: [orders, 'orders', 'later'] }, () => new Response(''));
    expect(fn.sends).toEqual(['orders', 'later']);
    expect(app.http('b', { route: '/b' }, () => new Response('')).sends).toEqual([]);
    expect(codeOf(() => app.http('c', { route: '/c', sends: 'orders' as never }, () => new Response('')))).toBe('DEFINITION_INVALID');
    expect(codeOf(() => app.http('d', { route: '/d', sends: [42] as never }, () => new Response('')))).toBe('DEFINITION_INVALID');
    expect(codeOf(() => orders.consume('e', async () => {}, { sends: [{}] as never }))).toBe('DEFINITION_INVALID');
  });

  it('names that are not queues or topics of the app fail when a runtime attaches, naming the function', () => {
    const app = createApp('s');
    app.queue('orders');
    app.http('a', { route: '/a', sends: ['ordres'] }, () => new Response(''));
    expect(() => checkDeclaredSends(app)).toThrow(/function "a": sends: "ordres" is neither a queue nor a topic of app "s"; use one of orders/);
    expect(codeOf(() => createLocalRuntime(app, { logSink: () => {} }))).toBe('CONFIG_INVALID');
  });

  it('grants exactly what is declared; overrides replace the list', () => {
    const app = createApp('s');
    const orders = app.queue('orders');
    const shipped = app.topic('shipped');
    const a = app.http('a', { route: '/a', sends: [orders, shipped] }, () => new Response(''));
    const b = app.http('b', { route: '/b' }, () => new Response(''));
    expect(producerTargets(app, a).queues.map((q) => q.name)).toEqual(['orders']);
    expect(producerTargets(app, a).topics.map((t) => t.name)).toEqual(['shipped']);
    expect(producerTargets(app, b)).toEqual({ queues: [], topics: [] });
    expect(producerTargets(app, b, { b: ['shipped'] }).topics.map((t) => t.name)).toEqual(['shipped']);
  });

  it('a send the function did not declare fails with SEND_UNDECLARED on the local runtime too; declared sends and sends outside a function work', async () => {
    const app = createApp('s');
    const orders = app.queue<{ n: number }>('orders');
    const shipped = app.topic<{ n: number }>('shipped');
    const seen: number[] = [];
    app.http('declared', { method: 'POST', route: '/declared', sends: [orders] }, async () => Response.json(await orders.send({ n: 1 }), { status: 202 }));
    app.http('undeclared', { method: 'POST', route: '/undeclared', sends: [orders] }, async () =>
      Response.json(await shipped.publish({ n: 2 }), { status: 202 }),
    );
    orders.consume('work', async (msg) => {
      seen.push(msg.body.n);
    });
    const runtime = createLocalRuntime(app, { logSink: () => {}, production: false });
    try {
      expect((await runtime.fetch(new Request('http://x/declared', { method: 'POST' }))).status).toBe(202);
      const refused = await runtime.fetch(new Request('http://x/undeclared', { method: 'POST' }));
      expect(refused.status).toBe(500);
      const body = (await refused.json()) as { code: string; error: string };
      expect(body.code).toBe('SEND_UNDECLARED');
      expect(body.error).toMatch(
        /topic "shipped": publish: function "undeclared" does not declare that it sends to topic "shipped"; add sends: \[shipped\] to its options/,
      );
      await orders.send({ n: 3 }); // a script or test outside any function is not a function's send
      await runtime.whenIdle();
      expect(seen.sort()).toEqual([1, 3]);
    } finally {
      runtime.stop();
    }
  });
});
