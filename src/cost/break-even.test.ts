import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { breakEven, estimator } from './break-even.js';
import { instancesNeeded } from './container-cost.js';
import { loadPriceTables, withPrices } from './price-table.js';
import { SECONDS_PER_MONTH } from './workload.js';

function api() {
  const app = createApp('api');
  app.http('get', { route: '/items/:id' }, () => new Response('{}'));
  return app;
}

describe('break-even', () => {
  const tables = loadPriceTables();
  const estimate = estimator(api(), { durationMs: 100, memoryMb: 512 }, tables);

  it.each(['aws', 'gcp'] as const)('%s: containers cost less from the rate found, and functions cost less just below it', (cloud) => {
    const b = breakEven(cloud, estimate);
    expect(b.rps).not.toBeNull();
    const at = estimate(b.rps!).clouds[cloud];
    const below = estimate(b.rps! * 0.99).clouds[cloud];
    expect(at.containers.totalUsd).toBeLessThan(at.functions.totalUsd);
    expect(below.containers.totalUsd).toBeGreaterThanOrEqual(below.functions.totalUsd);
    expect(b.requestsPerMonth).toBeCloseTo(b.rps! * SECONDS_PER_MONTH, 3);
    // Once containers are cheaper they stay so: the rest is per-request work they do for less.
    expect(b.untilRps).toBeNull();
    expect(estimate(1000).clouds[cloud].containers.totalUsd).toBeLessThan(estimate(1000).clouds[cloud].functions.totalUsd);
  });

  it('azure: functions are never dearer for a 100 ms, 512 MB route (Flex bills busy 512 MB instances at the price Container Apps charges for the CPU they use)', () => {
    const b = breakEven('azure', estimate);
    expect(b).toEqual({ cloud: 'azure', rps: null, requestsPerMonth: null, functionsUsd: null, containersUsd: null, untilRps: null });
    for (const rps of [0.01, 1, 100, 5000]) {
      const c = estimate(rps).clouds.azure;
      expect(c.functions.totalUsd).toBeLessThanOrEqual(c.containers.totalUsd);
    }
  });

  it('finds where containers stop being cheaper again: a per-period minimum makes functions dear only at moderate rates', () => {
    // One always-on replica ($21 a month here) beats the 1 s minimum of sparse executions, which
    // tops out at one busy 512 MB instance (~$34), but at 10% target utilisation each replica
    // does little work, so busy functions win again at high rates.
    const tables2 = {
      ...tables,
      azure: withPrices(tables.azure, {
        'containerApps.vcpuSecond': 0.000006,
        'containerApps.gibSecond': 0.000001,
        'containerApps.freeVcpuSeconds': 0,
        'containerApps.freeGibSeconds': 0,
      }),
    };
    const e = estimator(api(), { durationMs: 100, memoryMb: 512 }, tables2, { vcpu: 1, memoryGiB: 2, targetUtilisation: 0.1, minInstances: 1 });
    const b = breakEven('azure', e);
    expect(b.rps).not.toBeNull();
    expect(b.untilRps).not.toBeNull();
    expect(b.untilRps!).toBeGreaterThan(b.rps!);
    const inside = e(Math.sqrt(b.rps! * b.untilRps!)).clouds.azure;
    expect(inside.containers.totalUsd).toBeLessThan(inside.functions.totalUsd);
    const past = e(b.untilRps! * 1.01).clouds.azure;
    expect(past.containers.totalUsd).toBeGreaterThanOrEqual(past.functions.totalUsd);
  });

  it('says "none" when containers never get cheaper below 10,000 rps', () => {
    // Free compute for functions: nothing a container does can beat it.
    const free = { ...tables, aws: withPrices(tables.aws, { 'lambda.gbSecond': 0, 'lambda.requestsPerMillion': 0, 'apigw.httpRequestsPerMillion': 0 }) };
    const b = breakEven('aws', estimator(api(), { durationMs: 100, memoryMb: 512 }, free));
    expect(b).toEqual({ cloud: 'aws', rps: null, requestsPerMonth: null, functionsUsd: null, containersUsd: null, untilRps: null });
  });

  it('adds container instances as the work grows, keeping at least one', () => {
    const fn = (invocations: number) => ({ functions: [{ name: 'f', kind: 'http' as const, invocations, durationMs: 1000, memoryMb: 1769 }] });
    expect(instancesNeeded(fn(0))).toBe(1);
    // One vCPU busy all month at 60% target utilisation needs two 1-vCPU instances.
    expect(instancesNeeded(fn(SECONDS_PER_MONTH))).toBe(2);
    expect(instancesNeeded(fn(SECONDS_PER_MONTH * 6))).toBe(10);
  });
});
