import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, type ScheduleFunctionDefinition } from 'faasport';
import { nextRun, Scheduler } from './scheduler.js';

afterEach(() => vi.useRealTimers());

describe('scheduler', () => {
  it.each([
    ['0 3 * * *', '2026-01-01T10:00:00Z', '2026-01-02T03:00:00.000Z'],
    ['*/15 * * * *', '2026-01-01T10:07:00Z', '2026-01-01T10:15:00.000Z'],
    ['0 0 * * 1', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00.000Z'],
  ])('cron %s after %s fires at %s', (cron, from, expected) => {
    const def = createApp('t').schedule('s', { cron, timezone: 'UTC' }, () => {});
    expect(nextRun(def, new Date(from))?.toISOString()).toBe(expected);
  });

  it('fires on real cron timing and passes the scheduled time', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T10:59:30Z') });
    const def = createApp('t').schedule('s', { cron: '0 * * * *', timezone: 'UTC' }, () => {});
    const fired: string[] = [];
    const scheduler = new Scheduler([def as ScheduleFunctionDefinition], (_d, at) => fired.push(at.toISOString()));
    scheduler.start();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fired).toEqual(['2026-01-01T11:00:00.000Z']);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(fired).toEqual(['2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z']);
    scheduler.stop();
  });
});
