import { describe, expect, it } from 'vitest';
import { createApp, isFaasportError } from './index.js';
import { impossibleCronDate } from './cron-dates.js';

const fields = (cron: string) => cron.split(' ');

describe('cron dates that never come', () => {
  it.each([
    ['0 0 30 2 *', /day 30 does not exist in Feb/],
    ['0 0 31 4 *', /day 31 does not exist in Apr/],
    ['0 0 31 4,6,9,11 *', /Apr, Jun, Sep, Nov/],
    ['0 0 30-31 FEB *', /day 30,31 does not exist in Feb/],
    ['0 0 31 2,4 ?', /Feb, Apr/],
  ])('%s is refused at definition with INVALID_CRON', (cron, reason) => {
    expect(impossibleCronDate(fields(cron))).toMatch(reason);
    let caught: unknown;
    try {
      createApp('a').schedule('s', { cron }, () => {});
    } catch (err) {
      caught = err;
    }
    expect(isFaasportError(caught) && caught.code).toBe('INVALID_CRON');
    expect((caught as Error).message).toMatch(/names no real date/);
  });

  it.each([
    '0 0 29 2 *', // leap years
    '0 0 30 2 1', // day-of-week too: fires on Mondays in February (either matches)
    '0 0 31 */2 *',
    '0 0 31 1-12 *',
    '0 0 30,31 2,3 *',
    '0 0 L 2 *', // a form this does not read is left to the parser
    '0 3 * * *',
  ])('%s is accepted', (cron) => {
    expect(impossibleCronDate(fields(cron))).toBeUndefined();
    expect(() => createApp('a').schedule('s', { cron }, () => {})).not.toThrow();
  });
});
