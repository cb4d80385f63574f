import { describe, expect, it } from 'vitest';
import { assertSupported, createApp, defineAdapter, findUnsupported, type Capabilities } from './index.js';

const caps: Capabilities = {
  http: true,
  queues: true,
  topics: true,
  schedules: true,
  events: true,
  fifo: false,
  maxDelaySeconds: 0,
  batchSend: true,
  maxMessageBytes: 64 * 1024,
  maxAttempts: { min: 5, max: 100 },
  maxHttpBodyBytes: 1024,
  maxTimeoutMs: 60_000,
};

describe('defineAdapter', () => {
  it('freezes a valid adapter', () => {
    const a = defineAdapter({ name: 'edge', capabilities: caps });
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.capabilities)).toBe(true);
  });

  it.each([
    [{ name: 'Bad Name', capabilities: caps }, /name "Bad Name"/],
    [{ name: 'x' }, /capabilities are required/],
    [{ name: 'x', capabilities: { ...caps, fifo: 'yes' } }, /capability "fifo"/],
    [{ name: 'x', capabilities: { ...caps, maxAttempts: 5 } }, /capability "maxAttempts"/],
    [{ name: 'x', capabilities: { ...caps, maxAttempts: { min: 5, max: 1 } } }, /"maxAttempts" must be 1 <= min <= max, got \{ min: 5, max: 1 \}/],
    [{ name: 'x', capabilities: { ...caps, maxAttempts: { min: 0, max: 3 } } }, /"maxAttempts" must be 1 <= min <= max/],
  ])('refuses %j', (spec, message) => {
    expect(() => defineAdapter(spec as never)).toThrowError(message);
  });
});

describe('findUnsupported', () => {
  it('lists every definition the target cannot honour, naming the alternative', () => {
    const app = createApp('t');
    app.queue('ordered', { fifo: true });
    app.queue('later', { delaySeconds: 10, maxAttempts: 3 });
    app.http('slow', { route: '/s', timeoutMs: 120_000 }, () => new Response());
    const problems = findUnsupported(app, defineAdapter({ name: 'edge', capabilities: caps }));
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/queue "ordered": fifo .* is not supported on edge; drop fifo: true/),
      expect.stringMatching(/queue "later": delaySeconds 10 is not supported on edge; use at most 0/),
      expect.stringMatching(/queue "later": maxAttempts 3 is not supported on edge; use a value from 5 to 100/),
      expect.stringMatching(/function "slow": timeoutMs 120000 is not supported on edge; use at most 60000/),
    ]);
    expect(problems.every((p) => p.code === 'CAPABILITY_UNSUPPORTED')).toBe(true);
    expect(() => assertSupported(app, defineAdapter({ name: 'edge', capabilities: caps }))).toThrowError(/cannot run on edge/);
  });
});
