import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { decideFailure } from './invoke.js';

describe('backoff', () => {
  it('caps the exponential ceiling', () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffCeiling(DEFAULT_BACKOFF, a))).toEqual([1000, 2000, 4000, 8000, 60_000]);
  });

  it('full jitter spans [0, ceiling] and never leaves it', () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 3, () => 0)).toBe(0);
    expect(backoffDelay(DEFAULT_BACKOFF, 3, () => 0.999_999_9)).toBe(4000);
    for (let i = 0; i < 1000; i++) {
      const attempt = 1 + (i % 8);
      const d = backoffDelay(DEFAULT_BACKOFF, attempt);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(backoffCeiling(DEFAULT_BACKOFF, attempt));
    }
  });

  it('no backoff retries at once', () => expect(backoffDelay(false, 5)).toBe(0));

  it('decides retry until maxAttempts, then dead-letter or discard', () => {
    const q = { maxAttempts: 3, backoff: false as const, deadLetter: true };
    expect(decideFailure(q, 1)).toEqual({ action: 'retry', delayMs: 0 });
    expect(decideFailure(q, 2)).toEqual({ action: 'retry', delayMs: 0 });
    expect(decideFailure(q, 3)).toEqual({ action: 'dead-letter' });
    expect(decideFailure({ ...q, deadLetter: false }, 3)).toEqual({ action: 'discard' });
  });
});
