import { FaasportError } from './errors.js';

/**
 * What an idempotency store holds for one key: a claim while the body runs (`pending`), then
 * the stored result (`done`).
 */
export interface IdempotencyRecord {
  readonly state: 'pending' | 'done';
  /** Who holds a pending claim (one per `once` call). */
  readonly owner: string;
  /** Epoch ms: a pending claim lapses then (its holder died or overran); a done record is forgotten then. */
  readonly expiresAt: number;
  /** `done` only: the result as JSON text (`{"v": value}`), or undefined when JSON could not hold it. */
  readonly value?: string;
}

/**
 * Where `once` records keys. Every method may be synchronous or return a promise, so a
 * store can be a Map, SQLite, or a table in the cloud (a conditional put is all `claim` needs).
 */
export interface IdempotencyStore {
  /**
   * Atomically: if `key` has no live record (none, or one whose `expiresAt` ≤ `now`), write a
   * pending record for `owner` until `leaseUntil`. Returns the record that holds afterwards
   * (the caller owns the claim when it is pending with its own `owner`).
   */
  claim(key: string, owner: string, leaseUntil: number, now: number): IdempotencyRecord | Promise<IdempotencyRecord>;
  /** Turns `owner`'s claim into a done record kept until `expiresAt`. */
  complete(key: string, owner: string, value: string | undefined, expiresAt: number): void | Promise<void>;
  /** Drops `owner`'s claim (the body failed), so that a retry runs it again. */
  release(key: string, owner: string): void | Promise<void>;
}

export interface OnceOptions {
  /** How long the result is remembered, ms (default 24 h: longer than any platform redelivers). */
  ttlMs?: number;
  /** Epoch ms after which a claim of a caller that never finished lapses (default: now + 15 min). */
  leaseUntil?: number;
}

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
const DEFAULT_LEASE_MS = 15 * 60 * 1000;
const MAX_KEY_LENGTH = 512;

/**
 * A store in process memory: duplicates that reach the same process (a local runtime, a warm
 * cloud instance) are caught; for duplicates across instances plug in a shared store.
 *
 * @example
 * ```ts
 * import { memoryIdempotencyStore, once } from 'faasport';
 * const store = memoryIdempotencyStore();
 * await once(store, 'charge:order-1', async () => 'charged');
 * ```
 */
export function memoryIdempotencyStore(options: { maxEntries?: number } = {}): IdempotencyStore {
  const records = new Map<string, IdempotencyRecord>();
  const maxEntries = options.maxEntries ?? 100_000;
  // Drops expired records, then the oldest, so a long-running process stays bounded.
  const prune = (now: number): void => {
    if (records.size < maxEntries) return;
    for (const [key, record] of records) if (record.expiresAt <= now) records.delete(key);
    for (const key of records.keys()) {
      if (records.size < maxEntries) break;
      records.delete(key);
    }
  };
  return {
    claim(key, owner, leaseUntil, now) {
      const current = records.get(key);
      if (current && current.expiresAt > now) return current;
      prune(now);
      const record: IdempotencyRecord = { state: 'pending', owner, expiresAt: leaseUntil };
      records.set(key, record);
      return record;
    },
    complete(key, owner, value, expiresAt) {
      const current = records.get(key);
      if (current && current.owner !== owner && current.expiresAt > Date.now()) return;
      records.set(key, { state: 'done', owner, expiresAt, ...(value !== undefined ? { value } : {}) });
    },
    release(key, owner) {
      if (records.get(key)?.owner === owner) records.delete(key);
    },
  };
}

const DEFAULT_STORE = Symbol.for('faasport.idempotencyStore');
type Globals = Record<symbol, IdempotencyStore | undefined>;

/**
 * The store `ctx.once` uses when the runtime passes none: one per process, shared by every
 * copy of this module.
 */
export function defaultIdempotencyStore(): IdempotencyStore {
  return ((globalThis as Globals)[DEFAULT_STORE] ??= memoryIdempotencyStore());
}

/**
 * Replaces the process-wide store behind `ctx.once` (for example with one backed by a
 * table every instance shares). Call it once at module load, before any invocation.
 *
 * @example
 * ```ts
 * import { memoryIdempotencyStore, setDefaultIdempotencyStore } from 'faasport';
 * setDefaultIdempotencyStore(memoryIdempotencyStore({ maxEntries: 10_000 }));
 * ```
 */
export function setDefaultIdempotencyStore(store: IdempotencyStore): void {
  (globalThis as Globals)[DEFAULT_STORE] = store;
}

// Calls of one process share one run per key and store, without asking the store again.
const running = new WeakMap<IdempotencyStore, Map<string, Promise<unknown>>>();
let owners = 0;
const ownerPrefix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * Runs `fn` at most once per `key` in `store` and returns its result; a later (or concurrent)
 * call with the same key returns the first call's result without running `fn` again.
 * Results are kept as JSON (a value JSON cannot hold comes back as undefined to later calls).
 * A call whose `fn` throws releases the key, so the next delivery runs `fn` again; calls that
 * were waiting on it in the same process receive the same error.
 *
 * @example
 * ```ts
 * import { defaultIdempotencyStore, once } from 'faasport';
 * const receipt = await once(defaultIdempotencyStore(), 'charge:order-42', async () => ({ charged: 42 }));
 * ```
 */
export function once<T>(store: IdempotencyStore, key: string, fn: () => T | Promise<T>, options: OnceOptions = {}): Promise<T> {
  checkKey(key);
  let inProcess = running.get(store);
  if (!inProcess) running.set(store, (inProcess = new Map()));
  const existing = inProcess.get(key);
  if (existing) return existing as Promise<T>;
  const run = runOnce(store, key, fn, options).finally(() => inProcess.delete(key));
  inProcess.set(key, run);
  return run;
}

async function runOnce<T>(store: IdempotencyStore, key: string, fn: () => T | Promise<T>, options: OnceOptions): Promise<T> {
  const owner = `${ownerPrefix}-${++owners}`;
  let wait = 10;
  for (;;) {
    const now = Date.now();
    const leaseUntil = options.leaseUntil !== undefined && options.leaseUntil > now ? options.leaseUntil : now + DEFAULT_LEASE_MS;
    const record = await store.claim(key, owner, leaseUntil, now);
    if (record.state === 'done') return decodeValue<T>(record.value);
    if (record.owner === owner) break;
    // Another process holds the key: wait for its result, or for its claim to lapse.
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(1, record.expiresAt - Date.now()))));
    wait = Math.min(wait * 2, 1000);
  }
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await store.release(key, owner);
    throw err;
  }
  await store.complete(key, owner, encodeValue(result), Date.now() + (options.ttlMs ?? DEFAULT_TTL_MS));
  return result;
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `once: key must be a string of 1-${MAX_KEY_LENGTH} characters, got ${typeof key === 'string' ? `${key.length} characters` : typeof key}; use a stable id such as the message id or an order id`,
    );
  }
}

function encodeValue(value: unknown): string | undefined {
  try {
    return JSON.stringify({ v: value });
  } catch {
    return undefined;
  }
}

function decodeValue<T>(text: string | undefined): T {
  if (text === undefined) return undefined as T;
  return (JSON.parse(text) as { v?: T }).v as T;
}
