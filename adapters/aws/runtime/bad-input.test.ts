import { attachTransport, createApp, isFaasportError, type LogRecord, type QueueMessage } from 'faasport';
import { describe, expect, test } from 'vitest';
import { decodeApiGatewayV1 } from './decode-api-gateway-v1.js';
import { decodeSqsRecord } from './decode-sqs.js';
import { AwsProducer } from './producer.js';
import { albEvent, apiGatewayV1Event, apiGatewayV2Event, lambdaContext, sqsRecord } from '../testing/events.js';
import { loadFixture } from '../testing/fixtures.js';
import { toLambda } from './to-lambda.js';
import type { ProxyResultV2 } from './types.js';

/** Stands for a secret a wrong-typed field may carry: it must never reach a message or a log. */
const CANARY = 'canary-7f3e1d';

function app() {
  const logs: LogRecord[] = [];
  const handled: QueueMessage[] = [];
  const events: string[] = [];
  const seen: { headers?: [string, string][]; url?: string } = {};
  const a = createApp('bad-input');
  a.queue<unknown>('work', { maxAttempts: 3 }).consume('worker', (m) => {
    handled.push(m);
  });
  a.event('onEvent', {}, (e) => {
    events.push(e.id);
  });
  a.http('web', { method: '*', route: '/*' }, async (req) => {
    seen.headers = [...req.headers];
    seen.url = req.url;
    return new Response(await req.text());
  });
  const producer = new AwsProducer({ region: 'us-east-1', accountId: '000000000000' });
  const handlers = toLambda(a, { producer, production: true, logSink: (r) => logs.push(r) });
  return { handlers, handled, events, logs, seen };
}

const allLogs = (logs: LogRecord[]) => JSON.stringify(logs);

describe('an SQS record that cannot be decoded', () => {
  test('fails alone: it is reported for redelivery (and the redrive policy), the rest of the batch runs', async () => {
    const { handlers, handled, logs } = app();
    const bad = { ...sqsRecord({ messageId: 'bad' }), body: { secret: CANARY } } as never;
    const result = await handlers.worker!(
      { Records: [sqsRecord({ messageId: 'a', body: '"one"' }), bad, sqsRecord({ messageId: 'c', body: '"three"' })] },
      lambdaContext(),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(handled.map((m) => m.id).sort()).toEqual(['a', 'c']);
    const log = logs.find((r) => r.msg.startsWith('message cannot be decoded'));
    expect(log).toMatchObject({ level: 'error', messageId: 'bad', path: 'Records.1.body' });
    expect(allLogs(logs)).not.toContain(CANARY);
  });

  test('FIFO: the undecodable record holds back the rest of its group only', async () => {
    const logs: LogRecord[] = [];
    const handled: string[] = [];
    const a = createApp('fifo');
    a.queue<unknown>('work', { fifo: true, maxAttempts: 3 }).consume('worker', (m) => {
      handled.push(m.id);
    });
    // Backoff of the held-back message needs SQS: one nothing listens on fails fast and is logged.
    const producer = new AwsProducer({
      clientConfig: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 },
      queueUrls: { 'my-queue': 'http://127.0.0.1:9/000000000000/my-queue' },
    });
    const worker = toLambda(a, { producer, logSink: (r) => logs.push(r) }).worker!;
    const bad = { ...sqsRecord({ messageId: 'a1', groupId: 'a' }), messageAttributes: 'x'.repeat(1 << 20) } as never;
    const records = [bad, sqsRecord({ messageId: 'b1', groupId: 'b' }), sqsRecord({ messageId: 'a2', groupId: 'a' })];
    expect(await worker({ Records: records })).toEqual({ batchItemFailures: [{ itemIdentifier: 'a1' }, { itemIdentifier: 'a2' }] });
    expect(handled).toEqual(['b1']);
    expect(logs.find((r) => r.msg.startsWith('message cannot be decoded'))).toMatchObject({ path: 'Records.0.messageAttributes' });
  });

  test('a record without a messageId refuses the batch before any message runs (nothing could name it as failed)', async () => {
    const { handlers, handled } = app();
    const records = [sqsRecord({ messageId: 'a' }), { ...sqsRecord(), messageId: 42 } as never];
    const err = await handlers.worker!({ Records: records }).catch((e: unknown) => e);
    expect(isFaasportError(err) && err.code).toBe('EVENT_INVALID');
    expect(isFaasportError(err) && err.details).toEqual({ path: 'Records.1.messageId' });
    expect(handled).toEqual([]);
  });

  test('the error names the path and types, never the value', () => {
    const err = (() => {
      try {
        decodeSqsRecord({ ...sqsRecord(), attributes: { ApproximateReceiveCount: '1', SentTimestamp: { secret: CANARY } } } as never);
      } catch (e) {
        return e;
      }
    })();
    expect(isFaasportError(err) && err.details).toEqual({ path: 'attributes.SentTimestamp' });
    expect((err as Error).message).toMatch(/^aws SQS record: attributes\.SentTimestamp must be a string, got object; /);
    expect((err as Error).message).not.toContain(CANARY);
  });
});

describe('stream batches', () => {
  test('Kinesis: an undecodable record is reported by its sequence number, after the records before it ran', async () => {
    const { handlers, events, logs } = app();
    const event = loadFixture<{ Records: { eventID: string; kinesis: { sequenceNumber: string; data: unknown } }[] }>('kinesis/two-records.json');
    event.Records[1]!.kinesis.data = 'not base64!';
    expect(await handlers.onEvent!(event)).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }] });
    expect(events).toEqual([event.Records[0]!.eventID]);
    expect(logs.find((r) => r.msg.startsWith('record cannot be decoded'))).toMatchObject({ path: 'Records.1.kinesis.data' });
  });
});

describe('HTTP events with fields of the wrong type', () => {
  test('a method that is not a string is answered 400 EVENT_INVALID; the function does not run', async () => {
    const { handlers, seen } = app();
    const event = apiGatewayV2Event();
    const result = (await handlers.web!(
      { ...event, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: [CANARY] } } },
      lambdaContext(),
    )) as ProxyResultV2;
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!)).toMatchObject({
      code: 'EVENT_INVALID',
      error: expect.stringContaining('requestContext.http.method must be a string, got array'),
    });
    expect(result.body).not.toContain(CANARY);
    expect(seen.url).toBeUndefined();
  });

  test('a header map of the wrong type is refused when read (400), even a 1 MB string, without iterating it', async () => {
    const { handlers } = app();
    // The first request loads undici (the Fetch API) and probes it: not part of what is timed here.
    await handlers.web!(albEvent('multi'), lambdaContext());
    const started = performance.now();
    const result = (await handlers.web!({ ...albEvent('multi'), multiValueHeaders: 'A'.repeat(1 << 20) }, lambdaContext())) as ProxyResultV2;
    expect(performance.now() - started).toBeLessThan(200);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!)).toMatchObject({
      code: 'EVENT_INVALID',
      error: expect.stringContaining('multiValueHeaders must be an object, got string'),
    });
  });

  test('a header value outside Latin-1 (or with CR/LF) is dropped; the other headers arrive', async () => {
    const { handlers, seen } = app();
    const event = apiGatewayV2Event();
    const result = (await handlers.web!(
      { ...event, headers: { ...event.headers, 'x-ok': 'yes', 'x-emoji': 'a\u{1F600}b', 'x-split': 'a\r\nb', 'bad name': 'v' } },
      lambdaContext(),
    )) as ProxyResultV2;
    expect(result.statusCode).toBe(200);
    const names = seen.headers!.map(([n]) => n);
    expect(names).toContain('x-ok');
    expect(names).not.toContain('x-emoji');
    expect(names).not.toContain('x-split');
  });

  test('a Host header that is not a host name does not become the origin; the platform domain name does', () => {
    const event = apiGatewayV1Event({ headers: { Host: 'evil.example/x?' }, multiValueHeaders: { Host: ['evil.example/x?'] } });
    expect(new URL(decodeApiGatewayV1(event).url).host).toBe(event.requestContext.domainName);
  });

  test('a path that does not start with "/" is refused (it would change the origin)', () => {
    expect(() => decodeApiGatewayV1(apiGatewayV1Event({ path: '@evil.example/' }))).toThrow(
      expect.objectContaining({ code: 'EVENT_INVALID', details: { path: 'path' } }),
    );
  });

  test('a query value with a lone surrogate is encoded as U+FFFD instead of throwing', () => {
    const request = decodeApiGatewayV1(apiGatewayV1Event({ multiValueQueryStringParameters: { q: ['a\uD800b'] } }));
    expect(new URL(request.url).searchParams.get('q')).toBe('a\uFFFDb');
  });

  test('a body of the wrong type is refused when read', async () => {
    // Refused on first read; on a Node that takes no lazy request (24), when the real one is built.
    const err = await Promise.resolve()
      .then(() => decodeApiGatewayV1(apiGatewayV1Event({ body: { secret: CANARY } as never })).text())
      .catch((e: unknown) => e);
    expect(isFaasportError(err) && err.details).toEqual({ path: 'body' });
    expect((err as Error).message).not.toContain(CANARY);
  });
});

describe('SQS and SNS message attributes', () => {
  const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'v']));
  test('11 attributes are refused before any network call: SQS takes 10, SNS discards more on raw delivery to SQS', async () => {
    const a = createApp('limits');
    const orders = a.queue('orders');
    const news = a.topic('news');
    // Nothing listens here: a network call would fail with another error.
    attachTransport(
      a,
      new AwsProducer({
        clientConfig: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 },
        accountId: '000000000000',
      }),
    );
    await expect(orders.send({ n: 1 }, { attributes: attrs(11) })).rejects.toMatchObject({
      code: 'MESSAGE_INVALID',
      details: { attributes: 11, limit: 10, target: 'aws' },
    });
    await expect(news.publish({ n: 1 }, { attributes: attrs(5_000) })).rejects.toMatchObject({
      code: 'MESSAGE_INVALID',
      details: { attributes: 5_000, limit: 10 },
    });
  });
});
