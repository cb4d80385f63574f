import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { app } from '../../../examples/shop/app.js';
import { build } from '../target/build.js';
import { startLocalSqs, TEST_CLIENT_CONFIG, type Fauxqs } from '../testing/fauxqs-server.js';
import { loadFixture } from '../testing/fixtures.js';
import { startLambdaProcess, type LambdaProcess } from '../testing/lambda-process.js';
import type { ApiGatewayV2EventLike, SqsEventLike } from '../runtime/types.js';

// The shop example, built for AWS, running under AWS's runtime interface client against a
// local Runtime API, fed vendor events; its queue and topic live on a local SQS/SNS server.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
// Inside the repo (a git-ignored folder) so the bundle resolves the runtime-provided @aws-sdk from node_modules.
const outDir = `${repoRoot}.faasport/aws-ric-${randomUUID()}`;
const entry = fileURLToPath(new URL('../../../examples/shop/app.ts', import.meta.url));

let sqsServer: Fauxqs;
let sqs: SQSClient;
let ordersUrl: string;
let dlqUrl: string;
const running: LambdaProcess[] = [];
let env: Record<string, string>;

async function start(name: string): Promise<LambdaProcess> {
  const p = await startLambdaProcess(outDir, name, env);
  running.push(p);
  return p;
}

function jsonLines(p: LambdaProcess): Record<string, unknown>[] {
  return p.output().flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

beforeAll(async () => {
  sqsServer = await startLocalSqs();
  ordersUrl = sqsServer.createQueue('orders').queueUrl;
  dlqUrl = sqsServer.createQueue('orders-dlq').queueUrl;
  const { topicArn } = sqsServer.createTopic('shipped');
  sqs = new SQSClient(TEST_CLIENT_CONFIG(sqsServer.address));
  env = { AWS_ENDPOINT_URL: sqsServer.address, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', FAASPORT_TOPIC_ARN_SHIPPED: topicArn };
  await build({ entry, exportName: 'app', outDir, app, log: () => {} });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  sqs?.destroy();
  await sqsServer?.stop();
  await rm(outDir, { recursive: true, force: true });
});

describe('shop under aws-lambda-ric', () => {
  test('the bundle exports one handler per function and carries no Azure or Google code', async () => {
    const bundle = await readFile(`${outDir}/index.mjs`, 'utf8');
    const mod = (await import(pathToFileURL(`${outDir}/index.mjs`).href)) as Record<string, unknown>;
    expect(Object.keys(mod).sort()).toEqual(app.functions.map((f) => f.name).sort());
    for (const fn of app.functions) expect(typeof mod[fn.name]).toBe('function');
    expect(bundle).not.toMatch(/from ["']@azure\/|from ["']@google-cloud\//);
    const { sources } = JSON.parse(await readFile(`${outDir}/index.mjs.map`, 'utf8')) as { sources: string[] };
    expect(sources.some((s) => s.includes('adapters/aws/'))).toBe(true);
    expect(sources.filter((s) => /@azure|@google-cloud|inversify|adapters\/(azure|gcp|local)\//.test(s))).toEqual([]);
  });

  test('hello answers an HTTP API v2 event and an ALB event', async () => {
    const hello = await start('hello');
    const v2 = loadFixture<ApiGatewayV2EventLike>('apigw-http/minimal.json');
    const event = { ...v2, rawPath: '/hello/ada', requestContext: { ...v2.requestContext, http: { ...v2.requestContext.http, path: '/hello/ada' } } };
    const result = await hello.invoke(event);
    expect(result).toEqual({ ok: true, body: expect.objectContaining({ statusCode: 200, body: '{"hello":"ada"}', isBase64Encoded: false }) });

    const alb = { ...loadFixture<Record<string, unknown>>('alb/single-value-headers.json'), path: '/hello/grace' };
    const albResult = await hello.invoke(alb);
    expect(albResult).toEqual({ ok: true, body: expect.objectContaining({ statusCode: 200, statusDescription: '200 OK', body: '{"hello":"grace"}' }) });
  });

  test('an event of the wrong kind is a function error naming what arrived', async () => {
    const hello = running.find(() => true) ?? (await start('hello'));
    const result = await hello.invoke(loadFixture('sqs/batch-two-messages.json'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.body.errorType).toBe('FaasportError');
    expect(result.body.errorMessage).toContain('received a sqs event');
    expect(result.body.errorMessage).not.toContain('Test message');
  });

  test('placeOrder (Function URL) queues the order on SQS; fulfil handles it, dead-letters poison at maxAttempts', async () => {
    const placeOrder = await start('placeOrder');
    const url = loadFixture<ApiGatewayV2EventLike>('lambda-url/captured-cookies-text-body.json');
    const orderEvent = (order: object) => ({ ...url, rawPath: '/orders', rawQueryString: '', body: JSON.stringify(order) });
    for (const order of [
      { id: 'o-1', item: 'book', qty: 1 },
      { id: 'o-2', item: 'poison', qty: 1 },
    ]) {
      const res = await placeOrder.invoke(orderEvent(order));
      expect(res).toEqual({ ok: true, body: expect.objectContaining({ statusCode: 202 }) });
    }

    // Act as Lambda's SQS event source mapping: receive, wrap in the vendor record shape, invoke.
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: ordersUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
    );
    expect(received.Messages).toHaveLength(2);
    const template = loadFixture<SqsEventLike>('sqs/batch-two-messages.json').Records[0]!;
    const records = received.Messages!.map((m) => ({
      ...template,
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body!,
      // The last allowed delivery of the poison order (maxAttempts 3).
      attributes: { ...template.attributes, ...m.Attributes, ApproximateReceiveCount: m.Body!.includes('poison') ? '3' : '1' },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { dataType: v.DataType!, stringValue: v.StringValue }]),
      ),
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders',
    }));
    expect(records[0]!.messageAttributes.traceparent?.stringValue).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    const fulfil = await start('fulfil');
    const result = await fulfil.invoke({ Records: records });
    // Poison reached maxAttempts: dead-lettered by the SDK and acked, so nothing is reported failed.
    expect(result).toEqual({ ok: true, body: { batchItemFailures: [] } });
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect(dead.Messages).toHaveLength(1);
    const envelope = JSON.parse(dead.Messages![0]!.Body!) as Record<string, unknown>;
    expect(envelope).toMatchObject({ queue: 'orders', functionName: 'fulfil', attempts: 3, message: { body: { id: 'o-2', item: 'poison', qty: 1 } } });
    expect((envelope.lastError as { message: string }).message).toContain('poison');
    const fulfilled = jsonLines(fulfil).find((l) => l.msg === 'order fulfilled');
    expect(fulfilled).toMatchObject({ orderId: 'o-1', functionName: 'fulfil' });
    // The HTTP request's trace reached the consumer through the message attribute.
    const traceId = records.find((r) => r.body.includes('o-1'))!.messageAttributes.traceparent!.stringValue!.split('-')[1];
    expect(fulfilled!.traceId).toBe(traceId);

    // An earlier delivery of the same poison message is reported for retry instead.
    const retry = await fulfil.invoke({
      Records: [{ ...records.find((r) => r.body.includes('poison'))!, attributes: { ...template.attributes, ApproximateReceiveCount: '1' } }],
    });
    expect(retry).toEqual({ ok: true, body: { batchItemFailures: [{ itemIdentifier: expect.any(String) }] } });
  });

  test('notifyCustomer takes an SNS event, nightlyReport a scheduled event, onEvent S3 and EventBridge events', async () => {
    const notify = await start('notifyCustomer');
    const sns = loadFixture<{ Records: { Sns: Record<string, unknown> }[] }>('sns/notification-with-attributes.json');
    sns.Records[0]!.Sns.Message = JSON.stringify({ orderId: 'o-1' });
    expect(await notify.invoke(sns)).toEqual({ ok: true, body: null });
    expect(jsonLines(notify).find((l) => l.msg === 'customer notified')).toMatchObject({ orderId: 'o-1' });

    const nightly = await start('nightlyReport');
    expect(await nightly.invoke(loadFixture('eventbridge/scheduled-event.json'))).toEqual({ ok: true, body: null });
    expect(jsonLines(nightly).find((l) => l.msg === 'nightly report')).toMatchObject({ scheduledTime: '2015-10-08T16:53:06.000Z', isPastDue: true });

    const onEvent = await start('onEvent');
    expect(await onEvent.invoke(loadFixture('s3/put-url-encoded-key.json'))).toEqual({ ok: true, body: null });
    expect(await onEvent.invoke(loadFixture('eventbridge/custom-order-purchased.json'))).toEqual({ ok: true, body: null });
    const seen = jsonLines(onEvent).filter((l) => l.msg === 'event received');
    expect(seen).toEqual([
      expect.objectContaining({ type: 'aws.s3.ObjectCreated:Put', subject: 'Happy Face.jpg' }),
      expect.objectContaining({ type: 'OrderPurchased', source: 'OrderService' }),
    ]);
  });
});
