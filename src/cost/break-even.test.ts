import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { breakEven, estimator } from './break-even.js';
import { instancesNeeded } from './container-cost.js';
import { CLOUDS, loadPriceTables, withPrices } from './price-table.js';
import { SECONDS_PER_MONTH } from './workload.js';

function api() {
  const app = createApp('api');
  app.http('get', { route: '/items/:id' }, () => new Response('{}'));
  return app;
}

describe('break-even', () => {
  const tables = loadPriceTables();
  const estimate = estimator(api(), { durationMs: 100, memoryMb: 512 }, tables);

  it.each(CLOUDS)('%s: containers cost less from the rate found, and functions cost less just below it', (cloud) => {
    const b = breakEven(cloud, estimate);
    expect(b.rps).not.toBeNull();
    const at = estimate(b.rps!).clouds[cloud];
    const below = estimate(b.rps! * 0.99).clouds[cloud];
    expect(at.containers.totalUsd).toBeLessThan(at.functions.totalUsd);
    expect(below.containers.totalUsd).toBeGreaterThanOrEqual(below.functions.totalUsd);
    expect(b.requestsPerMonth).toBeCloseTo(b.rps! * SECONDS_PER_MONTH, 3);
  });

  it('says "none" when containers never get cheaper below 10,000 rps', () => {
    // Free compute for functions: nothing a container does can beat it.
    const free = { ...tables, aws: withPrices(tables.aws, { 'lambda.gbSecond': 0, 'lambda.requestsPerMillion': 0, 'apigw.httpRequestsPerMillion': 0 }) };
    const b = breakEven('aws', estimator(api(), { durationMs: 100, memoryMb: 512 }, free));
    expect(b).toEqual({ cloud: 'aws', rps: null, requestsPerMonth: null, functionsUsd: null, containersUsd: null });
  });

  it('adds container instances as the work grows, keeping at least one', () => {
    const fn = (invocations: number) => ({ functions: [{ name: 'f', kind: 'http' as const, invocations, durationMs: 1000, memoryMb: 1769 }] });
    expect(instancesNeeded(fn(0))).toBe(1);
    // One vCPU busy all month at 60% target utilisation needs two 1-vCPU instances.
    expect(instancesNeeded(fn(SECONDS_PER_MONTH))).toBe(2);
    expect(instancesNeeded(fn(SECONDS_PER_MONTH * 6))).toBe(10);
  });
});
