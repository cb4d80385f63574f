import { describe, expect, it } from 'vitest';
import { app as shop } from '../../examples/shop/app.js';
import { measureApp } from './measure.js';

describe('measureApp (--measure)', () => {
  it('times the HTTP and schedule functions in the local runtime and says which it could not run', async () => {
    const { durations, skipped } = await measureApp(shop);
    expect(Object.keys(durations).sort()).toEqual(['hello', 'nightlyReport', 'placeOrder']);
    for (const ms of Object.values(durations)) expect(Number.isInteger(ms) && ms >= 1).toBe(true);
    expect(Object.keys(skipped).sort()).toEqual(['fulfil', 'notifyCustomer', 'onEvent']);
    expect(skipped.fulfil).toMatch(/queue consumers need a real message; --duration-ms applies/);
  });
});
