import { decideFailure, type FailureDecision } from './invoke.js';
import type { Logger } from './logger.js';
import { summariseError } from './errors.js';
import type { QueueDefinition } from './definitions.js';

/** One failed delivery of a queue message, and where the lines about it are logged. */
export interface QueueFailure {
  /** The retry policy: the definition's `source`, or a broker's delivery policy. */
  readonly policy: Pick<QueueDefinition, 'maxAttempts' | 'backoff' | 'deadLetter'>;
  readonly messageId: string;
  /** The delivery that failed, 1-based. */
  readonly attempt: number;
  /** False when another delivery cannot succeed (a subscriber's 4xx): the last attempt's rule applies now. */
  readonly retryable?: boolean;
  /** The invocation's logger, or the runtime's. */
  readonly log: Logger;
  /** Added to every line: the queue, the consumer, where the dead letter goes. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Jitter source for the backoff (tests pass a fixed one). */
  readonly random?: () => number;
}

/**
 * What the platform does for each decision. `retry` and `discard` are optional: a platform
 * that redelivers a failed message by itself needs no `retry`. They report their own
 * failures; a `deadLetter` that throws leaves the message to the platform.
 */
export interface QueueFailureActions {
  /** Makes the message come back after `delayMs`. */
  retry?(delayMs: number): void | Promise<void>;
  /** Writes the dead letter; throws when it could not. */
  deadLetter(): void | Promise<void>;
  /** Removes the message for good. */
  discard?(): void | Promise<void>;
  /** What becomes of the message when its dead letter cannot be written, said in the log line. */
  readonly ifDeadLetterFails: string;
}

/**
 * What was done with a failed message. `returnsToQueue`: the platform must deliver it again
 * (nack it, throw, report it in `batchItemFailures`); otherwise it may be deleted (acked).
 */
export type QueueFailureOutcome =
  | { readonly action: 'retry'; readonly delayMs: number; readonly returnsToQueue: true }
  | { readonly action: 'dead-lettered'; readonly returnsToQueue: false }
  | { readonly action: 'discarded'; readonly returnsToQueue: false }
  | { readonly action: 'dead-letter-failed'; readonly error: unknown; readonly returnsToQueue: true };

const DEAD_LETTERED: QueueFailureOutcome = Object.freeze({ action: 'dead-lettered', returnsToQueue: false });
const DISCARDED: QueueFailureOutcome = Object.freeze({ action: 'discarded', returnsToQueue: false });

/**
 * Applies the core's decision for a failed delivery (`decideFailure`: retry after a jittered
 * backoff, dead-letter at `maxAttempts`, or discard when the queue keeps no dead letters)
 * through the platform's `actions`, and logs it with the same words on every adapter:
 * `message dead-lettered` (warn), `message discarded after its last attempt (the queue has
 * deadLetter: false)` (error), `could not write the dead letter` (error, with `then`),
 * `message will be retried` (debug). Actions that return synchronously are applied and
 * logged before this returns.
 *
 * @example
 * ```ts
 * import { applyQueueFailure, createLogger } from 'faasport';
 *
 * const log = createLogger();
 * const outcome = await applyQueueFailure(
 *   { policy: { maxAttempts: 3, backoff: false, deadLetter: true }, messageId: 'm-1', attempt: 3, log },
 *   { deadLetter: async () => {}, ifDeadLetterFails: 'the broker redelivers it' },
 * );
 * if (outcome.returnsToQueue) throw new Error('hand it back');
 * ```
 */
export function applyQueueFailure(failure: QueueFailure, actions: QueueFailureActions): Promise<QueueFailureOutcome> {
  const decision = failure.retryable === false ? lastAttemptRule(failure.policy) : decideFailure(failure.policy, failure.attempt, failure.random);
  const fields = { messageId: failure.messageId, attempts: failure.attempt, ...failure.fields };
  const { log } = failure;
  if (decision.action === 'retry') {
    const { delayMs } = decision;
    return then(actions.retry?.(delayMs), () => {
      log.debug('message will be retried', { ...fields, delayMs });
      return { action: 'retry', delayMs, returnsToQueue: true };
    });
  }
  if (decision.action === 'discard') {
    return then(actions.discard?.(), () => {
      log.error('message discarded after its last attempt (the queue has deadLetter: false)', fields);
      return DISCARDED;
    });
  }
  const failed = (error: unknown): QueueFailureOutcome => {
    log.error('could not write the dead letter', { ...fields, then: actions.ifDeadLetterFails, error: summariseError(error) });
    return { action: 'dead-letter-failed', error, returnsToQueue: true };
  };
  let written: void | Promise<void>;
  try {
    written = actions.deadLetter();
  } catch (error) {
    return Promise.resolve(failed(error));
  }
  return then(
    written,
    () => {
      log.warn('message dead-lettered', fields);
      return DEAD_LETTERED;
    },
    failed,
  );
}

function lastAttemptRule(policy: Pick<QueueDefinition, 'deadLetter'>): FailureDecision {
  return policy.deadLetter ? { action: 'dead-letter' } : { action: 'discard' };
}

/** Runs `next` at once when `result` is not a promise, so synchronous actions are logged synchronously. */
function then(result: void | Promise<void>, next: () => QueueFailureOutcome, onError?: (error: unknown) => QueueFailureOutcome): Promise<QueueFailureOutcome> {
  if (result instanceof Promise) return result.then(next, onError);
  return Promise.resolve(next());
}
