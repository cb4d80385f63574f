import { describe, expect, test } from 'vitest';
import { createApp, type App } from 'faasport';
import { assertGcpSupported } from './check-app.js';

const noop = async () => {};

describe('assertGcpSupported', () => {
  test.each([
    { name: "maxAttempts above Pub/Sub's 100", define: (app: App) => app.topic('news', { maxAttempts: 101 }), says: 'topic "news": maxAttempts 101' },
    {
      name: 'an event function with 2 attempts (Eventarc gives it no delivery count to stop at)',
      define: (app: App) => app.event('onAny', { maxAttempts: 2 }, noop),
      says: 'function "onAny": maxAttempts 2 is not supported on gcp; Eventarc retries an event through a Pub/Sub subscription that dead-letters after 5 to 100 deliveries and tells the function no delivery count, so nothing can stop it earlier; use a value from 5 to 100',
    },
    { name: 'a fifo queue', define: (app: App) => app.queue('ordered', { fifo: true }), says: 'fifo (ordering by groupId) is not supported on gcp' },
    { name: 'a queue delay', define: (app: App) => app.queue('later', { delaySeconds: 10 }), says: 'delaySeconds 10 is not supported on gcp' },
    {
      name: 'an event-driven timeout over 9 minutes',
      define: (app: App) => app.schedule('nightly', { cron: '0 3 * * *', timeoutMs: 600_000 }, noop),
      says: 'event-driven functions run at most 540000 ms',
    },
    {
      name: 'cron with L (last day of the month)',
      define: (app: App) => app.schedule('monthEnd', { cron: '0 0 L * *' }, noop),
      says: 'schedule "monthEnd": cron "0 0 L * *" uses L, W, # or ?',
    },
    {
      name: 'cron with # (nth weekday)',
      define: (app: App) => app.schedule('secondMonday', { cron: '0 9 * * 1#2' }, noop),
      says: "Cloud Scheduler's unix-cron does not support",
    },
    {
      name: 'a function name ending in "-"',
      define: (app: App) => app.http('bad-', { route: '/x' }, () => new Response()),
      says: 'function "bad-": Cloud Functions names end with a letter or digit',
    },
  ])('refuses $name with CAPABILITY_UNSUPPORTED', ({ define, says }) => {
    const app = createApp('shop');
    define(app);
    expect(() => assertGcpSupported(app)).toThrow(expect.objectContaining({ code: 'CAPABILITY_UNSUPPORTED', message: expect.stringContaining(says) }));
  });

  test('accepts unix-cron with month and day names', () => {
    const app = createApp('shop');
    app.schedule('weekly', { cron: '30 8 * JAN-DEC MON-FRI' }, noop);
    app.schedule('often', { cron: '*/15 0-6,22-23 1,15 * *' }, noop);
    expect(() => assertGcpSupported(app)).not.toThrow();
  });

  test('lists every problem at once', () => {
    const app = createApp('shop');
    app.queue('ordered', { fifo: true });
    app.queue('later', { delaySeconds: 5 });
    expect(() => assertGcpSupported(app)).toThrow(/cannot run on gcp:\n- queue "ordered".*\n- queue "later"/);
  });

  test('refuses an app name Pub/Sub would reject as a prefix', () => {
    const app = createApp('google-shop');
    app.queue('orders');
    expect(() => assertGcpSupported(app)).toThrow(
      expect.objectContaining({ code: 'CAPABILITY_UNSUPPORTED', message: expect.stringContaining('may not start with "goog"') }),
    );
  });

  test('accepts queues and topics with 1 to 4 attempts: faasport dead-letters them itself', () => {
    const app = createApp('shop');
    app.queue('orders', { maxAttempts: 3 });
    app.queue('once', { maxAttempts: 1 });
    app.topic('news', { maxAttempts: 4 });
    expect(() => assertGcpSupported(app)).not.toThrow();
  });

  test('accepts the portable defaults and the 5-100 range', () => {
    const app = createApp('shop');
    app.queue('a');
    app.queue('b', { maxAttempts: 100 });
    app.topic('c', { maxAttempts: 5 });
    app.event('e', {}, noop);
    app.http('h', { route: '/h', timeoutMs: 900_000 }, () => new Response());
    expect(() => assertGcpSupported(app)).not.toThrow();
  });
});
