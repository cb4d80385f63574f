import { describe, expect, it } from 'vitest';
import { cloudRunFunctionsCost, flexCost, lambdaCost } from './function-cost.js';
import type { LineItem } from './line-item.js';
import { messagingCost } from './messaging-cost.js';
import { builtInPriceTable } from './price-table.js';
import type { FunctionUse, Workload } from './workload.js';

const aws = builtInPriceTable('aws');
const azure = builtInPriceTable('azure');
const gcp = builtInPriceTable('gcp');

function fn(invocations: number, durationMs: number, memoryMb: number): FunctionUse {
  return { name: 'f', kind: 'queue', invocations, durationMs, memoryMb };
}

function channels(messages: number, messageBytes: number, extra: Partial<Workload> = {}): Workload {
  return {
    requestsPerMonth: 0,
    functions: [],
    channels: [{ name: 'q', kind: 'queue', messages, subscribers: 0 }],
    schedules: [],
    messageBytes,
    notes: [],
    ...extra,
  };
}

function pick(items: readonly LineItem[], item: string): LineItem {
  const found = items.find((i) => i.item === item);
  if (!found) throw new Error(`no line "${item}" in ${items.map((i) => i.item).join(', ')}`);
  return found;
}

// Each case builds a month whose metered quantity is exactly `q` (in the line's own unit), so
// the free tier can be probed just under, at and just over its boundary, and well over it.
const cases: { name: string; free: number; line: (q: number) => LineItem; wellOver: number; wellOverUsd: number }[] = [
  {
    name: 'Lambda requests (1M)',
    free: 1_000_000,
    line: (q) => pick(lambdaCost({ functions: [fn(q, 1, 128)], requestsPerMonth: 0 }, aws).items, 'requests'),
    wellOver: 5_000_000,
    wellOverUsd: 1,
  },
  {
    name: 'Lambda compute (400,000 GB-s)',
    free: 400_000,
    line: (q) => pick(lambdaCost({ functions: [fn(q, 1000, 1024)], requestsPerMonth: 0 }, aws).items, 'compute'),
    wellOver: 60_000,
    wellOverUsd: 1,
  },
  {
    name: 'Flex Consumption executions (250,000)',
    free: 250_000,
    line: (q) => pick(flexCost({ functions: [fn(q, 1000, 512)] }, azure).items, 'executions'),
    wellOver: 2_500_000,
    wellOverUsd: 1,
  },
  // 512 MB instances for 2 s: one GB-s per execution.
  {
    name: 'Flex Consumption execution time (100,000 GB-s)',
    free: 100_000,
    line: (q) => pick(flexCost({ functions: [fn(q, 2000, 512)] }, azure).items, 'on-demand execution time'),
    wellOver: 100_000,
    wellOverUsd: 2.6,
  },
  {
    name: 'Cloud Run functions requests (2M)',
    free: 2_000_000,
    line: (q) => pick(cloudRunFunctionsCost({ functions: [fn(q, 100, 256)] }, gcp).items, 'requests'),
    wellOver: 2_500_000,
    wellOverUsd: 1,
  },
  // 2 GiB gets 1 vCPU: one vCPU-s per 1 s execution.
  {
    name: 'Cloud Run functions CPU (180,000 vCPU-s)',
    free: 180_000,
    line: (q) => pick(cloudRunFunctionsCost({ functions: [fn(q, 1000, 2048)] }, gcp).items, 'CPU'),
    wellOver: 100_000,
    wellOverUsd: 2.4,
  },
  {
    name: 'Cloud Run functions memory (360,000 GiB-s)',
    free: 360_000,
    line: (q) => pick(cloudRunFunctionsCost({ functions: [fn(q, 1000, 1024)] }, gcp).items, 'memory'),
    wellOver: 400_000,
    wellOverUsd: 1,
  },
  // 1 KiB messages to a queue nobody consumes: 1024 billable bytes each, 10 GiB free.
  {
    name: 'Pub/Sub data (10 GiB)',
    free: 10 * 2 ** 30,
    line: (q) => messagingCost('gcp', channels(q / 1024, 1024), gcp)[0]!,
    wellOver: 2 ** 40,
    wellOverUsd: 40,
  },
];

describe('free tiers at their boundaries', () => {
  describe.each(cases)('$name', ({ free, line, wellOver, wellOverUsd }) => {
    const unit = free === 10 * 2 ** 30 ? 1024 : 1;
    it.each([
      ['just under', free - unit, 0],
      ['at', free, 0],
      ['just over', free + unit, unit],
    ])('%s the free tier', (_label, quantity, billable) => {
      const l = line(quantity);
      expect(l.quantity).toBeCloseTo(quantity, 6);
      expect(l.free).toBeCloseTo(Math.min(quantity, free), 6);
      expect(l.billable).toBeCloseTo(billable, 6);
      if (billable === 0) expect(l.usd).toBe(0);
    });

    it(`well over it: ${wellOver} more costs $${wellOverUsd}`, () => {
      expect(line(free + wellOver).usd).toBe(wellOverUsd);
    });
  });

  it.each([
    [2, 0],
    [3, 0],
    [4, 0.1],
  ])('Cloud Scheduler: %i jobs cost $%s (3 free per billing account)', (jobs, usd) => {
    const schedules = Array.from({ length: jobs }, (_, i) => ({ name: `s${i}`, runsPerMonth: 30 }));
    const scheduler = messagingCost('gcp', { ...channels(0, 1024), channels: [], schedules }, gcp).find((l) => l.service === 'Cloud Scheduler')!;
    expect(scheduler.billable).toBe(Math.max(0, jobs - 3));
    expect(scheduler.usd).toBe(usd);
  });

  it.each([
    // SQS bills 3 requests per message; the free million sits between 333,333 and 333,334 messages.
    [333_333, 999_999, 0],
    [333_334, 1_000_002, 2],
  ])('SQS: %i messages are %i requests, %i of them billable', (messages, requests, billable) => {
    const [sqs] = messagingCost('aws', channels(messages, 1024), aws);
    expect(sqs!.quantity).toBe(requests);
    expect(sqs!.billable).toBe(billable);
  });

  it('the API Gateway HTTP API free tier (first 12 months only) is not applied', () => {
    const api = pick(lambdaCost({ functions: [{ ...fn(1_000_000, 10, 128), kind: 'http' }], requestsPerMonth: 1_000_000 }, aws).items, 'HTTP API requests');
    expect(api.free).toBe(0);
    expect(api.usd).toBe(1);
  });
});
