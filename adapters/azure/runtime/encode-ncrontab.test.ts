import { describe, expect, test } from 'vitest';
import { isFaasportError } from 'faasport';
import { everyToSchedule, toNcrontab } from './encode-ncrontab.js';

describe.each([
  ['0 3 * * *', '0 0 3 * * *'],
  ['*/5 * * * *', '0 */5 * * * *'],
  ['0 9-17 * * 1-5', '0 0 9-17 * * 1-5'],
  ['30 3 * * MON-FRI', '0 30 3 * * 1-5'],
  ['0 0 1 JAN,jul *', '0 0 0 1 1,7 *'],
  ['0 0 ? * SUN', '0 0 0 * * 0'],
  ['0 0 * * 7', '0 0 0 * * 0'],
  ['0 0 * * 5-7', '0 0 0 * * 0,5,6'],
  ['0 0 * * 1-7/2', '0 0 0 * * 0,1,3,5'],
  ['15,45 */2 1-10 * *', '0 15,45 */2 1-10 * *'],
])('toNcrontab(%j)', (cron, expected) => {
  test(`is ${expected}`, () => {
    expect(toNcrontab(cron, 'schedule "s"')).toBe(expected);
  });
});

describe.each([
  ['0 0 L * *', 'L, W or #'],
  ['0 0 * * 5#2', 'L, W or #'],
  ['0 0 15W * *', 'L, W or #'],
  ['0 0 1 * MON', 'day-of-month and day-of-week'],
])('toNcrontab(%j) is refused', (cron, reason) => {
  test(`because it ${reason}`, () => {
    let error: unknown;
    try {
      toNcrontab(cron, 'schedule "s"');
    } catch (err) {
      error = err;
    }
    expect(isFaasportError(error) && error.code).toBe('CAPABILITY_UNSUPPORTED');
    expect((error as Error).message).toContain(reason);
    expect((error as Error).message).toContain('schedule "s"');
  });
});

describe.each([
  ['1m', 1, '0 * * * * *', 'ncrontab'],
  ['15m', 15, '0 */15 * * * *', 'ncrontab'],
  ['1h', 60, '0 0 * * * *', 'ncrontab'],
  ['6h', 360, '0 0 */6 * * *', 'ncrontab'],
  ['1d', 1440, '0 0 0 * * *', 'ncrontab'],
  ['7d', 10080, '0 0 0 * * 0', 'ncrontab'],
  ['7m', 7, '00:07:00', 'timespan'],
  ['90m', 90, '01:30:00', 'timespan'],
  ['5h', 300, '05:00:00', 'timespan'],
  ['36h', 2160, '1.12:00:00', 'timespan'],
])('everyToSchedule(%s)', (_label, minutes, schedule, kind) => {
  test(`is ${kind} ${schedule}`, () => {
    expect(everyToSchedule(minutes * 60_000)).toEqual({ schedule, kind });
  });
});
