import { createApp, isFaasportError, type LogRecord, type QueueMessage } from 'faasport';
import { describe, expect, test } from 'vitest';
import { AwsProducer } from './producer.js';
import { sqsRecord } from '../testing/events.js';
import { loadFixture } from '../testing/fixtures.js';
import { toLambda } from './to-lambda.js';
import type { SqsEventLike } from './types.js';

// An SQS endpoint nothing listens on: visibility changes and dead-letter writes fail fast.
const unreachable = () =>
  new AwsProducer({
    clientConfig: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 },
    queueUrls: {
      'my-queue': 'http://127.0.0.1:9/000000000000/my-queue',
      work: 'http://127.0.0.1:9/000000000000/work',
      'work-dlq': 'http://127.0.0.1:9/000000000000/work-dlq',
    },
  });

function queueApp(options: { fifo?: boolean; maxAttempts?: number; deadLetter?: boolean } = {}) {
  const logs: LogRecord[] = [];
  const handled: QueueMessage[] = [];
  const app = createApp('handlers');
  app
    .queue<unknown>('work', { maxAttempts: options.maxAttempts ?? 3, deadLetter: options.deadLetter ?? true, fifo: options.fifo ?? false })
    .consume('worker', (m) => {
      handled.push(m);
      if (JSON.stringify(m.body).includes('fail')) throw new Error('planned failure');
    });
  app.http('web', { route: '/' }, () => new Response());
  app.event('onEvent', {}, (e) => {
    if (e.type === 'OrderPurchased' || (e.data instanceof Uint8Array && new TextDecoder().decode(e.data).includes('Hello, this is a test.')))
      throw new Error('event failed');
  });
  app.schedule('tick', { cron: '0 * * * *' }, () => {});
  const handlers = toLambda(app, { producer: unreachable(), logSink: (r) => logs.push(r) });
  return { handlers, handled, logs };
}

describe('SQS batches', () => {
  test('a failed message is reported by id (the vendor request/response pair)', async () => {
    const { handlers } = queueApp();
    const event = loadFixture<SqsEventLike>('sqs/batch-for-partial-failure.json');
    // The second body is not the JSON {"Message":"success"}: make it the failing one.
    event.Records[1]!.body = JSON.stringify({ Message: 'fail' });
    expect(await handlers.worker!(event)).toEqual(loadFixture('sqs/response-batch-item-failures.json'));
  });

  test('FIFO: after a failure, later messages of that group are reported without running; other groups go on', async () => {
    const { handlers, handled } = queueApp({ fifo: true });
    const records = [
      sqsRecord({ messageId: 'a1', body: '"ok a1"', groupId: 'a' }),
      sqsRecord({ messageId: 'a2', body: '"fail a2"', groupId: 'a' }),
      sqsRecord({ messageId: 'b1', body: '"ok b1"', groupId: 'b' }),
      sqsRecord({ messageId: 'a3', body: '"ok a3"', groupId: 'a' }),
    ];
    const result = await handlers.worker!({ Records: records });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'a2' }, { itemIdentifier: 'a3' }] });
    expect(handled.map((m) => m.id)).toEqual(['a1', 'a2', 'b1']);
    expect(handled.map((m) => m.groupId)).toEqual(['a', 'a', 'b']);
  });

  test('at maxAttempts a message whose dead letter cannot be written stays on the queue', async () => {
    const { handlers, logs } = queueApp({ maxAttempts: 2 });
    const record = sqsRecord({ messageId: 'm1', body: '"fail"', receiveCount: 2, eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work' });
    expect(await handlers.worker!({ Records: [record] })).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(logs.find((r) => r.msg.startsWith('could not write the dead letter'))).toMatchObject({ level: 'error', deadLetterQueue: 'work-dlq' });
  });

  test('without a dead-letter queue the last failure is acked with an error log', async () => {
    const { handlers, logs } = queueApp({ maxAttempts: 2, deadLetter: false });
    expect(await handlers.worker!({ Records: [sqsRecord({ messageId: 'm1', body: '"fail"', receiveCount: 2 })] })).toEqual({ batchItemFailures: [] });
    expect(logs.some((r) => r.level === 'error' && r.msg.startsWith('message discarded after its last attempt'))).toBe(true);
  });

  test('ApproximateReceiveCount is the attempt on the message and the context', async () => {
    const { handlers, handled } = queueApp();
    await handlers.worker!({ Records: [sqsRecord({ receiveCount: 2 })] });
    expect(handled[0]!.attempt).toBe(2);
    const attempts: number[] = [];
    const app = createApp('attempts');
    app.queue('work').consume('worker', (_m, ctx) => {
      attempts.push(ctx.attempt);
    });
    await toLambda(app, { producer: unreachable(), logSink: () => {} }).worker!({ Records: [sqsRecord({ receiveCount: 4 })] });
    expect(attempts).toEqual([4]);
  });
});

describe('streams and asynchronous events', () => {
  test('Kinesis stops at the first failure and reports its sequence number', async () => {
    const { handlers } = queueApp();
    const event = loadFixture<{ Records: { kinesis: { sequenceNumber: string } }[] }>('kinesis/two-records.json');
    expect(await handlers.onEvent!(event)).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.kinesis.sequenceNumber }] });
  });

  test('DynamoDB Streams stop at the first failure and report its sequence number; earlier records are not retried', async () => {
    const seen: string[] = [];
    const app = createApp('streams');
    app.event('onChange', {}, (e) => {
      seen.push(e.id);
      if (JSON.stringify(e).includes('MODIFY')) throw new Error('cannot apply the change');
    });
    const { onChange } = toLambda(app, { producer: unreachable(), logSink: () => {} });
    const event = loadFixture<{ Records: { dynamodb: { SequenceNumber: string } }[] }>('dynamodb-streams/insert-and-modify.json');
    expect(await onChange!(event)).toEqual({ batchItemFailures: [{ itemIdentifier: '222' }] });
    expect(seen).toHaveLength(2);
  });

  test('a failed EventBridge event is thrown back so Lambda retries it', async () => {
    const { handlers } = queueApp();
    await expect(handlers.onEvent!(loadFixture('eventbridge/custom-order-purchased.json'))).rejects.toThrow('event failed');
  });
});

describe('unrecognised events', () => {
  test.each([
    ['web', { Records: [{ eventSource: 'aws:ses', mail: { secret: 's3cr3t' } }] }, 'Records[0].eventSource "aws:ses"'],
    ['worker', { detail: { secret: 's3cr3t' }, foo: 1 }, 'top-level keys [detail, foo]'],
    ['tick', loadFixture('sqs/empty-body.json'), 'a sqs event'],
    ['onEvent', 'just a string', 'a string'],
  ])('%s names what it saw, never the values', (name, event, saw) => {
    const { handlers } = queueApp();
    return handlers[name]!(event).then(
      () => expect.unreachable(),
      (err: unknown) => {
        expect(isFaasportError(err) && err.code).toBe('EVENT_UNRECOGNISED');
        expect((err as Error).message).toContain(saw);
        expect((err as Error).message).toContain(`aws function "${name}"`);
        expect((err as Error).message).not.toContain('s3cr3t');
      },
    );
  });
});
