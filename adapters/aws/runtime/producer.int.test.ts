import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { attachTransport, createApp, isFaasportError } from 'faasport';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AwsProducer } from './producer.js';
import { startLocalSqs, TEST_CLIENT_CONFIG, type Fauxqs } from '../testing/fauxqs-server.js';

// queue.send / sendBatch / topic.publish through SQS and SNS on a local SQS-compatible server.

let server: Fauxqs;
let sqs: SQSClient;
let sns: SNSClient;
/** AWS API calls the producer made, by command name. */
const calls: string[] = [];

type Middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>;

function countCalls<C extends SQSClient | SNSClient>(client: C): C {
  const counter: Middleware = (next, context) => async (args) => {
    calls.push(String(context.commandName));
    return next(args);
  };
  (client.middlewareStack as unknown as { add(m: Middleware, o: { step: string; name: string }): void }).add(counter, {
    step: 'initialize',
    name: 'countCalls',
  });
  return client;
}

async function drain(url: string): Promise<{ body: string; attributes: Record<string, string | undefined> }[]> {
  const out: { body: string; attributes: Record<string, string | undefined> }[] = [];
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    if (!res.Messages || res.Messages.length === 0) return out;
    for (const m of res.Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
      out.push({
        body: m.Body!,
        attributes: {
          ...Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
          groupId: m.Attributes?.MessageGroupId,
        },
      });
    }
  }
}

function setup() {
  const app = createApp('producer');
  const jobs = app.queue<{ n: number; pad?: string }>('jobs');
  const small = app.queue<{ pad: string }>('small');
  const ordered = app.queue<{ n: number }>('ordered', { fifo: true });
  const news = app.topic<{ headline: string }>('news');
  const producer = new AwsProducer({
    sqs: countCalls(new SQSClient(TEST_CLIENT_CONFIG(server.address))),
    sns: countCalls(new SNSClient(TEST_CLIENT_CONFIG(server.address))),
    region: 'us-east-1',
    accountId: '000000000000',
  });
  attachTransport(app, producer);
  return { jobs, small, ordered, news };
}

let urls: Record<string, string>;

beforeAll(async () => {
  server = await startLocalSqs();
  urls = {
    jobs: server.createQueue('jobs').queueUrl,
    // A queue whose MaximumMessageSize is below the SQS ceiling: SQS rejects such entries one by one.
    small: server.createQueue('small', { attributes: { MaximumMessageSize: '1024' } }).queueUrl,
    ordered: server.createQueue('ordered.fifo', { attributes: { FifoQueue: 'true' } }).queueUrl,
    newsSub: server.createQueue('news-sub').queueUrl,
  };
  server.createTopic('news');
  server.subscribe({ topic: 'news', queue: 'news-sub' });
  sqs = new SQSClient(TEST_CLIENT_CONFIG(server.address));
  sns = new SNSClient(TEST_CLIENT_CONFIG(server.address));
});

afterAll(async () => {
  sqs?.destroy();
  sns?.destroy();
  await server?.stop();
});

describe('AwsProducer on a local SQS/SNS server', () => {
  test('send delivers the JSON body and string attributes; the id is the SQS message id', async () => {
    const { jobs } = setup();
    calls.length = 0;
    const { id } = await jobs.send({ n: 1 }, { attributes: { tenant: 'acme' } });
    expect(id).toMatch(/[0-9a-f-]{36}/);
    expect(calls).toEqual(['GetQueueUrlCommand', 'SendMessageBatchCommand']);
    const got = await drain(urls.jobs!);
    expect(got).toEqual([{ body: '{"n":1}', attributes: { tenant: 'acme', groupId: undefined } }]);
  });

  test('sendBatch is chunked by 10 entries and keeps result order', async () => {
    const { jobs } = setup();
    calls.length = 0;
    const results = await jobs.sendBatch(Array.from({ length: 25 }, (_, n) => ({ n })));
    expect(results).toHaveLength(25);
    expect(new Set(results.map((r) => r.id)).size).toBe(25);
    expect(calls.filter((c) => c === 'SendMessageBatchCommand')).toHaveLength(3);
    const got = (await drain(urls.jobs!)).map((m) => (JSON.parse(m.body) as { n: number }).n).sort((a, b) => a - b);
    expect(got).toEqual(Array.from({ length: 25 }, (_, n) => n));
  });

  test('sendBatch is chunked by the 1 MiB batch payload limit', async () => {
    const { jobs } = setup();
    calls.length = 0;
    const pad = 'x'.repeat(400 * 1024);
    await jobs.sendBatch([
      { n: 1, pad },
      { n: 2, pad },
      { n: 3, pad },
    ]);
    // 2 × 400 KiB fit in one request, the third does not.
    expect(calls.filter((c) => c === 'SendMessageBatchCommand')).toHaveLength(2);
    expect(await drain(urls.jobs!)).toHaveLength(3);
  });

  test('a message over 1 MiB is refused before any network call', async () => {
    const { jobs } = setup();
    calls.length = 0;
    const err = await jobs.send({ n: 1, pad: 'x'.repeat(1024 * 1024) }).catch((e: unknown) => e);
    expect(isFaasportError(err) && err.code).toBe('PAYLOAD_TOO_LARGE');
    expect((err as Error).message).toMatch(/^queue "jobs": send: payload is 1 MB, .* 1 MB;/);
    expect(calls).toEqual([]);
  });

  test('per-entry failures are surfaced with their index while the rest are sent', async () => {
    const { small } = setup();
    const err = await small.sendBatch([{ pad: 'a' }, { pad: 'b'.repeat(2000) }, { pad: 'c' }]).catch((e: unknown) => e);
    expect(isFaasportError(err) && err.code).toBe('SEND_FAILED');
    expect((err as Error).message).toContain('1 of 3 messages were not sent (first: [1] InvalidParameterValue');
    const details = (err as { details: { failed: { index: number }[]; sent: { index: number; id: string }[] } }).details;
    expect(details.failed.map((f) => f.index)).toEqual([1]);
    expect(details.sent.map((s) => s.index)).toEqual([0, 2]);
    expect((await drain(urls.small!)).map((m) => m.body)).toEqual(['{"pad":"a"}', '{"pad":"c"}']);
  });

  test('FIFO sends carry the group id; a per-message delay is refused', async () => {
    const { ordered } = setup();
    await ordered.sendBatch([{ n: 1 }, { n: 2 }], { groupId: 'g1' });
    const got = await drain(urls.ordered!);
    expect(got.map((m) => [m.body, m.attributes.groupId])).toEqual([
      ['{"n":1}', 'g1'],
      ['{"n":2}', 'g1'],
    ]);
    const err = await ordered.send({ n: 3 }, { groupId: 'g1', delaySeconds: 5 }).catch((e: unknown) => e);
    expect(isFaasportError(err) && err.code).toBe('MESSAGE_INVALID');
  });

  test('publish goes through SNS PublishBatch to every subscription', async () => {
    const { news } = setup();
    calls.length = 0;
    await news.publish({ headline: 'hello' }, { attributes: { lang: 'en' } });
    expect(calls).toEqual(['PublishBatchCommand']);
    const got = await drain(urls.newsSub!);
    expect(got).toHaveLength(1);
    const envelope = JSON.parse(got[0]!.body) as { Message: string; MessageAttributes: Record<string, { Value: string }> };
    expect(JSON.parse(envelope.Message)).toEqual({ headline: 'hello' });
    expect(envelope.MessageAttributes.lang?.Value).toBe('en');
  });

  test('a topic message over the SNS 256 KiB limit is refused before any network call', async () => {
    const { news } = setup();
    calls.length = 0;
    const err = await news.publish({ headline: 'x'.repeat(300 * 1024) }).catch((e: unknown) => e);
    expect(isFaasportError(err) && err.code).toBe('PAYLOAD_TOO_LARGE');
    expect((err as Error).message).toContain('payload is 300 KB, SNS accepts 256 KB');
    expect(calls).toEqual([]);
  });
});
