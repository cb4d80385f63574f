import { checkInteger, checkKnownOptions, invalid } from './options.js';

/** Capped exponential backoff with full jitter. */
export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2 });

export function normaliseBackoff(what: string, value: unknown): BackoffPolicy | false {
  if (value === undefined) return DEFAULT_BACKOFF;
  if (value === false) return false;
  if (typeof value !== 'object' || value === null) {
    throw invalid(what, 'backoff must be an object { initialDelayMs, maxDelayMs, multiplier } or false');
  }
  checkKnownOptions(`${what} backoff`, value, ['initialDelayMs', 'maxDelayMs', 'multiplier']);
  const v = value as Partial<BackoffPolicy>;
  const initialDelayMs = checkInteger(`${what} backoff`, 'initialDelayMs', v.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs, 0, 43_200_000);
  const maxDelayMs = checkInteger(
    `${what} backoff`,
    'maxDelayMs',
    v.maxDelayMs ?? Math.max(initialDelayMs, DEFAULT_BACKOFF.maxDelayMs),
    initialDelayMs,
    43_200_000,
  );
  const multiplier = v.multiplier ?? DEFAULT_BACKOFF.multiplier;
  if (typeof multiplier !== 'number' || !(multiplier >= 1 && multiplier <= 10)) {
    throw invalid(`${what} backoff`, `multiplier must be a number from 1 to 10, got ${JSON.stringify(multiplier)}`);
  }
  return Object.freeze({ initialDelayMs, maxDelayMs, multiplier });
}

/** The cap for the delay after the `attempt`-th failure (attempt starts at 1). */
export function backoffCeiling(policy: BackoffPolicy, attempt: number): number {
  const exp = policy.initialDelayMs * Math.pow(policy.multiplier, Math.max(0, attempt - 1));
  return Math.min(policy.maxDelayMs, exp);
}

/**
 * Delay before the next delivery after the `attempt`-th failure: uniform in [0, ceiling]
 * ("full jitter"), so that retries of many failed messages spread out.
 *
 * @example
 * ```ts
 * import { backoffDelay, DEFAULT_BACKOFF } from 'faasport';
 * const ms = backoffDelay(DEFAULT_BACKOFF, 3); // somewhere in [0, 4000]
 * ```
 */
export function backoffDelay(policy: BackoffPolicy | false, attempt: number, random: () => number = Math.random): number {
  if (!policy) return 0;
  return Math.floor(random() * (backoffCeiling(policy, attempt) + 1));
}
