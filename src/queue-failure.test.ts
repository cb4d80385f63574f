import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord } from './logger.js';
import { applyQueueFailure, type QueueFailure } from './queue-failure.js';

const POLICY = { maxAttempts: 3, backoff: { initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2 }, deadLetter: true } as const;

function setup(overrides: Partial<QueueFailure> = {}) {
  const logs: LogRecord[] = [];
  const done: string[] = [];
  const failure: QueueFailure = {
    policy: POLICY,
    messageId: 'm-1',
    attempt: 1,
    log: createLogger({ sink: (r) => logs.push(r), level: 'debug' }),
    fields: { queue: 'orders' },
    random: () => 0.5,
    ...overrides,
  };
  const actions = {
    retry: (delayMs: number) => void done.push(`retry ${delayMs}`),
    deadLetter: () => void done.push('dead-letter'),
    discard: () => void done.push('discard'),
    ifDeadLetterFails: 'the platform redelivers it',
  };
  return { logs, done, failure, actions };
}

describe('applyQueueFailure', () => {
  it.each([
    [
      'attempt 1 of 3 is retried after the jittered backoff',
      { attempt: 1 },
      { action: 'retry', delayMs: 500, returnsToQueue: true },
      'retry 500',
      ['debug', 'message will be retried'],
    ],
    [
      'attempt 2 of 3: the ceiling doubles',
      { attempt: 2 },
      { action: 'retry', delayMs: 1000, returnsToQueue: true },
      'retry 1000',
      ['debug', 'message will be retried'],
    ],
    ['attempt 3 of 3 is dead-lettered', { attempt: 3 }, { action: 'dead-lettered', returnsToQueue: false }, 'dead-letter', ['warn', 'message dead-lettered']],
    [
      'attempt 3 of 3 without dead letters is discarded',
      { attempt: 3, policy: { ...POLICY, deadLetter: false } },
      { action: 'discarded', returnsToQueue: false },
      'discard',
      ['error', 'message discarded after its last attempt (the queue has deadLetter: false)'],
    ],
    [
      'a failure no retry can mend is dead-lettered at once',
      { attempt: 1, retryable: false },
      { action: 'dead-lettered', returnsToQueue: false },
      'dead-letter',
      ['warn', 'message dead-lettered'],
    ],
    [
      '… or discarded at once',
      { attempt: 1, retryable: false, policy: { ...POLICY, deadLetter: false } },
      { action: 'discarded', returnsToQueue: false },
      'discard',
      ['error', 'message discarded after its last attempt (the queue has deadLetter: false)'],
    ],
  ] as const)('%s', async (_name, overrides, outcome, action, [level, msg]) => {
    // Prepare
    const { logs, done, failure, actions } = setup(overrides);
    // Act
    const result = await applyQueueFailure(failure, actions);
    // Assess
    expect(result).toEqual(outcome);
    expect(done).toEqual([action]);
    expect(logs.map((r) => [r.level, r.msg])).toEqual([[level, msg]]);
    expect(logs[0]).toMatchObject({ messageId: 'm-1', attempts: overrides.attempt, queue: 'orders' });
  });

  it('reports the retry delay even where the platform redelivers by itself (no retry action)', async () => {
    const { failure, actions } = setup({ attempt: 2 });
    expect(await applyQueueFailure(failure, { deadLetter: actions.deadLetter, ifDeadLetterFails: actions.ifDeadLetterFails })).toEqual({
      action: 'retry',
      delayMs: 1000,
      returnsToQueue: true,
    });
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('queue service down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('queue service down'))],
  ])('a dead letter that cannot be written (the action %s) returns the message to the queue, and says what happens next', async (_name, deadLetter) => {
    const { logs, failure, actions } = setup({ attempt: 3 });
    const result = await applyQueueFailure(failure, { ...actions, deadLetter });
    expect(result).toMatchObject({ action: 'dead-letter-failed', returnsToQueue: true, error: { message: 'queue service down' } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'error',
      msg: 'could not write the dead letter',
      messageId: 'm-1',
      attempts: 3,
      then: 'the platform redelivers it',
      error: { message: 'queue service down' },
    });
  });

  it('applies and logs synchronous actions before it returns; waits for asynchronous ones', async () => {
    const sync = setup({ attempt: 3 });
    const pending = applyQueueFailure(sync.failure, sync.actions);
    expect(sync.logs.map((r) => r.msg)).toEqual(['message dead-lettered']);
    await pending;

    const later = setup({ attempt: 3 });
    let release!: () => void;
    const written = new Promise<void>((resolve) => (release = resolve));
    const result = applyQueueFailure(later.failure, { ...later.actions, deadLetter: () => written });
    expect(later.logs).toEqual([]);
    release();
    expect(await result).toMatchObject({ action: 'dead-lettered' });
    expect(later.logs.map((r) => r.msg)).toEqual(['message dead-lettered']);
  });
});
