import { describe, expect, it } from 'vitest';
import { defineAdapter } from './adapter.js';
import { defineTarget, targetOf } from './target.js';

const adapter = defineAdapter({
  name: 'my-runtime',
  capabilities: {
    http: true,
    queues: true,
    topics: true,
    schedules: false,
    events: true,
    fifo: false,
    maxDelaySeconds: 0,
    batchSend: false,
    maxMessageBytes: 1024 * 1024,
    maxAttempts: { min: 1, max: 10 },
    maxHttpBodyBytes: 10 * 1024 * 1024,
    maxTimeoutMs: 300_000,
  },
});

describe('defineTarget', () => {
  it('returns the target as written', () => {
    const target = { adapter, expectedFailures: [] };
    expect(defineTarget(target)).toBe(target);
  });

  it.each([
    ['no adapter', {}, /defineTarget\(\): the module must export "adapter" made with defineAdapter\(\)/],
    ['an adapter without capabilities', { adapter: { name: 'x' } }, /must export "adapter"/],
    ['a build that is not a function', { adapter, build: 'dist' }, /defineTarget\(\): "build" must be a function, got string/],
    ['expected failures that are not a list', { adapter, expectedFailures: 'none' }, /"expectedFailures" must be an array/],
  ])('refuses %s with ADAPTER_INVALID', (_name, target, message) => {
    expect(() => defineTarget(target as never)).toThrow(expect.objectContaining({ code: 'ADAPTER_INVALID', message: expect.stringMatching(message) }));
  });
});

describe('targetOf', () => {
  it("takes a module's target export, else its loose exports", () => {
    const target = defineTarget({ adapter });
    expect(targetOf({ target, adapter: 'ignored' }, 'target "x"')).toBe(target);
    const loose = { adapter, build: async () => ({ outDir: '/out', files: [] }) };
    expect(targetOf(loose, 'target "x"')).toBe(loose);
  });

  it('names the module it refuses', () => {
    expect(() => targetOf({ default: {} }, 'target "./nope"')).toThrow(/^target "\.\/nope": the module must export "adapter"/);
  });
});
