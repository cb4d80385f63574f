import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvocationContext } from './context.js';
import { isFaasportError } from './errors.js';
import { memoryIdempotencyStore, once, type IdempotencyRecord, type IdempotencyStore } from './idempotency.js';

function context(store: IdempotencyStore, functionName = 'fulfil'): InvocationContext {
  return new InvocationContext({
    functionName,
    invocationId: `inv-${Math.random()}`,
    provider: 'local',
    deadline: Date.now() + 30_000,
    coldStart: false,
    native: undefined,
    idempotencyStore: store,
    logSink: () => {},
  });
}

/** A store that counts what reaches it, around the memory store. */
function countingStore(): IdempotencyStore & { claims: number } {
  const inner = memoryIdempotencyStore();
  const store = {
    claims: 0,
    claim: (key: string, owner: string, leaseUntil: number, now: number) => {
      store.claims++;
      return inner.claim(key, owner, leaseUntil, now);
    },
    complete: inner.complete,
    release: inner.release,
  };
  return store;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('once', () => {
  it('runs the body once for 100 concurrent calls with one key, through 100 contexts (duplicate deliveries)', async () => {
    // Prepare
    const store = memoryIdempotencyStore();
    let runs = 0;
    const body = async (): Promise<{ charged: number }> => {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
      return { charged: 42 };
    };
    // Act
    const results = await Promise.all(Array.from({ length: 100 }, () => context(store).once('order-42', body)));
    // Assess
    expect(runs).toBe(1);
    expect(results).toHaveLength(100);
    for (const r of results) expect(r).toEqual({ charged: 42 });
  });

  it('returns the stored result to a later duplicate without running the body, as JSON', async () => {
    const store = memoryIdempotencyStore();
    const when = new Date('2024-05-01T00:00:00.000Z');
    const first = await context(store).once('k', () => ({ when, n: 1 }));
    let ranAgain = false;
    const second = await context(store).once('k', () => {
      ranAgain = true;
      return { when, n: 2 };
    });
    expect(first).toEqual({ when, n: 1 });
    expect(second).toEqual({ when: when.toISOString(), n: 1 });
    expect(ranAgain).toBe(false);
  });

  it('scopes keys per function: two subscribers with one business key both run', async () => {
    const store = memoryIdempotencyStore();
    const ran: string[] = [];
    await context(store, 'subscriberA').once('order-1', () => ran.push('A'));
    await context(store, 'subscriberB').once('order-1', () => ran.push('B'));
    expect(ran).toEqual(['A', 'B']);
  });

  it('releases the key when the body throws, so the next delivery runs it again', async () => {
    const store = memoryIdempotencyStore();
    await expect(context(store).once('k', () => Promise.reject(new Error('card declined')))).rejects.toThrow('card declined');
    expect(await context(store).once('k', () => 'second try')).toBe('second try');
  });

  it('gives concurrent callers in one process the same error, and runs the body once', async () => {
    const store = memoryIdempotencyStore();
    let runs = 0;
    const calls = Array.from({ length: 10 }, () =>
      context(store).once('k', async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('down');
      }),
    );
    const settled = await Promise.allSettled(calls);
    expect(runs).toBe(1);
    expect(settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'down')).toBe(true);
  });

  it('asks the store once for concurrent calls of one process', async () => {
    const store = countingStore();
    await Promise.all(Array.from({ length: 100 }, () => once(store, 'k', async () => 1)));
    expect(store.claims).toBe(1);
  });

  it('forgets a result after ttlMs', async () => {
    vi.useFakeTimers({ now: new Date('2024-01-01T00:00:00Z') });
    const store = memoryIdempotencyStore();
    let runs = 0;
    await once(store, 'k', () => ++runs, { ttlMs: 60_000 });
    await once(store, 'k', () => ++runs, { ttlMs: 60_000 });
    expect(runs).toBe(1);
    vi.advanceTimersByTime(60_001);
    await once(store, 'k', () => ++runs, { ttlMs: 60_000 });
    expect(runs).toBe(2);
  });

  it('waits for a claim held elsewhere and returns its result when it completes', async () => {
    vi.useFakeTimers({ now: new Date('2024-01-01T00:00:00Z') });
    const store = memoryIdempotencyStore();
    // Another process claimed the key and is still running.
    store.claim('k', 'other-process', Date.now() + 60_000, Date.now());
    let runs = 0;
    const call = once(store, 'k', () => ++runs);
    await vi.advanceTimersByTimeAsync(500);
    store.complete('k', 'other-process', JSON.stringify({ v: 'theirs' }), Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await call).toBe('theirs');
    expect(runs).toBe(0);
  });

  it('takes over a claim whose holder died when its lease lapses', async () => {
    vi.useFakeTimers({ now: new Date('2024-01-01T00:00:00Z') });
    const store = memoryIdempotencyStore();
    store.claim('k', 'dead-process', Date.now() + 5_000, Date.now());
    let runs = 0;
    const call = once(store, 'k', () => ++runs);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await call).toBe(1);
  });

  it('lets a context claim lapse at the invocation deadline', async () => {
    const store = countingStore();
    const seen: IdempotencyRecord[] = [];
    const spy: IdempotencyStore = {
      claim: (k, o, lease, now) => {
        const r = store.claim(k, o, lease, now);
        seen.push(r as IdempotencyRecord);
        return r;
      },
      complete: store.complete,
      release: store.release,
    };
    const ctx = context(spy);
    await ctx.once('k', () => 1);
    expect(seen[0]!.expiresAt).toBe(ctx.deadline);
  });

  it('hands a result JSON cannot hold to the first caller and undefined to later ones', async () => {
    const store = memoryIdempotencyStore();
    expect(await once(store, 'big', () => 10n)).toBe(10n);
    expect(await once(store, 'big', () => 11n)).toBeUndefined();
  });

  it.each([
    ['an empty key', ''],
    ['a key over 512 characters', 'x'.repeat(513)],
    ['a number', 42 as unknown as string],
  ])('refuses %s with CONFIG_INVALID', (_name, key) => {
    const store = memoryIdempotencyStore();
    let caught: unknown;
    try {
      void once(store, key, () => 1);
    } catch (err) {
      caught = err;
    }
    expect(isFaasportError(caught) && caught.code).toBe('CONFIG_INVALID');
  });

  it('keeps the memory store bounded', async () => {
    const store = memoryIdempotencyStore({ maxEntries: 100 });
    for (let i = 0; i < 1000; i++) await once(store, `k${i}`, () => i);
    let runs = 0;
    // The newest keys are still remembered.
    await once(store, 'k999', () => ++runs);
    expect(runs).toBe(0);
  });
});
