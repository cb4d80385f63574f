import assert from 'node:assert/strict';
import { OBSERVED } from '../functions/app.js';
import type { ConformanceCase } from './types.js';

/** The `schedule` group. Schedules: on-time and late ticks. */
export const scheduleCases: readonly ConformanceCase[] = [
  {
    group: 'schedule',
    name: 'an on-time tick is not past due',
    async run({ driver }) {
      const before = driver.logs().length;
      await driver.tick('hourly');
      await driver.settle();
      const ticks = driver
        .logs()
        .slice(before)
        .filter((r) => r.msg === OBSERVED && r.fn === 'hourly');
      assert.equal(ticks.length, 1);
      assert.equal(ticks[0]!.isPastDue, false);
      assert.ok(Date.parse(String(ticks[0]!.actualTime)) >= Date.parse(String(ticks[0]!.scheduledTime)) - 1000);
    },
  },
  {
    group: 'schedule',
    name: 'a late tick is past due and keeps its scheduled time',
    async run({ driver }) {
      const before = driver.logs().length;
      const scheduledTime = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);
      await driver.tick('hourly', scheduledTime);
      await driver.settle();
      const ticks = driver
        .logs()
        .slice(before)
        .filter((r) => r.msg === OBSERVED && r.fn === 'hourly');
      assert.equal(ticks.length, 1);
      assert.equal(ticks[0]!.isPastDue, true);
      assert.equal(ticks[0]!.scheduledTime, scheduledTime.toISOString());
    },
  },
];
