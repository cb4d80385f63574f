import { ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { createApp, type LogRecord } from 'faasport';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { queueUrlFromArn } from './handle-sqs.js';
import { AwsProducer } from './producer.js';
import { startLocalSqs, TEST_CLIENT_CONFIG, type Fauxqs } from '../testing/fauxqs-server.js';
import { toLambda } from './to-lambda.js';

// The retry backoff on a deployed stack, where the physical queue name carries the stack
// prefix ("mystack-orders") and the consumer role has no sqs:GetQueueUrl: the URL must come
// from FAASPORT_QUEUE_URL_<logical name> (set by the template) or from the record's ARN.

let server: Fauxqs;
let sqs: SQSClient;
beforeAll(async () => {
  server = await startLocalSqs();
  sqs = new SQSClient(TEST_CLIENT_CONFIG(server.address));
});
afterAll(async () => {
  sqs?.destroy();
  await server?.stop();
});

const lambdaContext = { awsRequestId: 'req-1', functionName: 'fulfil', getRemainingTimeInMillis: () => 30_000 };

async function receiveOne(url: string, waitSeconds = 0): Promise<Message | undefined> {
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ['All'] }),
  );
  return out.Messages?.[0];
}

describe('SQS retry backoff with stack-prefixed queue names', () => {
  test('a failed message is made visible again after the backoff delay, through the URL the template provides', async () => {
    const url = server.createQueue('mystack-orders', { attributes: { VisibilityTimeout: '30' } }).queueUrl;
    const app = createApp('shop');
    const orders = app.queue<{ id: string }>('orders', { maxAttempts: 5, backoff: { initialDelayMs: 50, maxDelayMs: 50 } });
    orders.consume('fulfil', async () => {
      throw new Error('warehouse offline');
    });
    const logs: LogRecord[] = [];
    const gets: string[] = [];
    const client = new SQSClient(TEST_CLIENT_CONFIG(server.address));
    client.middlewareStack.add(
      (next, context) => async (args) => {
        gets.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'record' },
    );
    // Only what the template hands over: the logical queue's URL under FAASPORT_QUEUE_URL_ORDERS.
    const producer = new AwsProducer({ sqs: client, queueUrls: { orders: url }, region: 'us-east-1', accountId: '000000000000' });
    const { fulfil } = toLambda(app, { producer, logSink: (r) => logs.push(r) });

    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ id: 'o1' }) }));
    const received = (await receiveOne(url))!;
    expect(received).toBeDefined();
    const event = {
      Records: [
        {
          messageId: received.MessageId!,
          receiptHandle: received.ReceiptHandle!,
          body: received.Body!,
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), ApproximateFirstReceiveTimestamp: String(Date.now()) },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:mystack-orders',
          awsRegion: 'us-east-1',
        },
      ],
    };
    const result = (await fulfil!(event as never, lambdaContext as never)) as { batchItemFailures: { itemIdentifier: string }[] };
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: received.MessageId }]);
    expect(gets).toEqual(['ChangeMessageVisibilityCommand']);
    expect(logs.filter((r) => /could not delay/.test(r.msg))).toEqual([]);
    // Visible again after ~50 ms, not after the queue's 30 s visibility timeout.
    const again = await receiveOne(url, 2);
    expect(again?.MessageId).toBe(received.MessageId);
    client.destroy();
  }, 30_000);
});

describe('queueUrlFromArn', () => {
  test.each([
    ['arn:aws:sqs:eu-west-1:123456789012:mystack-orders', 'https://sqs.eu-west-1.amazonaws.com/123456789012/mystack-orders'],
    ['arn:aws:sqs:us-east-1:123456789012:jobs.fifo', 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo'],
    ['arn:aws-cn:sqs:cn-north-1:123456789012:q', 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q'],
  ])('%s → %s', (arn, url) => expect(queueUrlFromArn(arn)).toBe(url));

  test.each(['arn:aws:sns:us-east-1:123456789012:t', 'not-an-arn', 'arn:aws:sqs:us-east-1::q'])('refuses %s', (arn) => {
    expect(() => queueUrlFromArn(arn)).toThrow(/is not an SQS queue ARN/);
  });
});
