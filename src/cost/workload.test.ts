import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { deriveWorkload, runsPerMonth, SECONDS_PER_MONTH } from './workload.js';

function shopLike() {
  const app = createApp('shop');
  const orders = app.queue<{ id: string }>('orders');
  const shipped = app.topic<{ id: string }>('shipped');
  app.http('hello', { route: '/hello' }, () => new Response('hi'));
  app.http('placeOrder', { method: 'POST', route: '/orders', sends: [orders] }, () => new Response(null, { status: 202 }));
  orders.consume('fulfil', async () => {}, { sends: [shipped] });
  shipped.subscribe('notify', async () => {});
  shipped.subscribe('audit', async () => {});
  app.schedule('nightly', { cron: '0 3 * * *' }, async () => {});
  app.event('onEvent', {}, async () => {});
  return app;
}

describe('deriveWorkload', () => {
  it('follows the app: HTTP shared by its routes, messages along `sends`, fan-out to every subscriber', () => {
    const w = deriveWorkload(shopLike(), { requestsPerMonth: 1_000_000, durationMs: 50 });
    const invocations = Object.fromEntries(w.functions.map((f) => [f.name, f.invocations]));
    expect(invocations).toEqual({ hello: 500_000, placeOrder: 500_000, fulfil: 500_000, notify: 500_000, audit: 500_000, nightly: 31, onEvent: 0 });
    expect(w.channels).toEqual([
      { name: 'orders', kind: 'queue', messages: 500_000, subscribers: 1 },
      { name: 'shipped', kind: 'topic', messages: 500_000, subscribers: 2 },
    ]);
    expect(w.notes.join('\n')).toMatch(/shared evenly by the 2 HTTP functions/);
    expect(w.notes.join('\n')).toMatch(/Event function "onEvent" counted at 0 events/);
  });

  it('takes --messages-per-month per name, for every channel, and for event functions', () => {
    const w = deriveWorkload(shopLike(), { requestsPerMonth: 1_000_000, durationMs: 50, messages: { byName: { orders: 10, onEvent: 7 } } });
    const invocations = Object.fromEntries(w.functions.map((f) => [f.name, f.invocations]));
    expect(invocations).toMatchObject({ fulfil: 10, notify: 10, onEvent: 7 });
    const all = deriveWorkload(shopLike(), { requestsPerMonth: 0, durationMs: 50, messages: { all: 3, byName: {} } });
    expect(all.channels.map((c) => c.messages)).toEqual([3, 3]);
  });

  it('uses measured durations where given and the default elsewhere; --memory-mb overrides the definitions', () => {
    const w = deriveWorkload(shopLike(), { requestsPerMonth: 1, durationMs: 50, measuredMs: { hello: 3 }, memoryMb: 1024 });
    expect(w.functions.find((f) => f.name === 'hello')).toMatchObject({ durationMs: 3, memoryMb: 1024 });
    expect(w.functions.find((f) => f.name === 'fulfil')).toMatchObject({ durationMs: 50, memoryMb: 1024 });
    const own = deriveWorkload(shopLike(), { requestsPerMonth: 1, durationMs: 50 });
    expect(own.functions[0]!.memoryMb).toBe(256);
  });

  it('counts a message loop once instead of recursing forever', () => {
    const app = createApp('loop');
    const a = app.queue('a');
    a.consume('again', async () => {}, { sends: [a] });
    app.http('start', { route: '/', sends: [a] }, () => new Response());
    const w = deriveWorkload(app, { requestsPerMonth: 100, durationMs: 10 });
    expect(w.channels[0]!.messages).toBe(100);
    expect(w.notes.join('\n')).toMatch(/loop/);
  });

  it.each([
    [{ cron: '0 3 * * *', timezone: undefined, everyMs: undefined }, 31],
    [{ cron: '*/5 * * * *', timezone: undefined, everyMs: undefined }, 8760],
    [{ cron: undefined, timezone: undefined, everyMs: 3_600_000 }, 730],
  ])('runs %j %i times in a 730-hour month', (def, runs) => {
    expect(runsPerMonth(def)).toBe(runs);
  });

  it('a month is 730 hours', () => {
    expect(SECONDS_PER_MONTH).toBe(2_628_000);
  });
});
