import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { createApp, type LogRecord, type QueueMessage } from 'faasport';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLambdaInvokeApi, type LambdaInvokeApi } from './invoke-api.js';
import { serve, type RunningServer } from '../../local/index.js';
import { LAMBDA_MAX_PAYLOAD_BYTES } from '../runtime/limits.js';
import { loadFixture } from '../testing/fixtures.js';
import type { ApiGatewayV2EventLike, SqsEventLike } from '../runtime/types.js';

// @aws-sdk/client-lambda's InvokeCommand against a node:http server around the Invoke API.

const logs: LogRecord[] = [];
const consumed: QueueMessage[] = [];
let invokeApi: LambdaInvokeApi;
let server: RunningServer;
let lambda: LambdaClient;

function buildApp() {
  const app = createApp('invoke');
  app.http('hello', { method: 'GET', route: '/hello/:name' }, (req, ctx) => Response.json({ hello: ctx.params.name, invocationId: ctx.invocationId }));
  app.queue('jobs').consume('worker', (m) => {
    consumed.push(m);
    if (m.body === 'fail') throw new Error('job failed');
  });
  app.event('explode', {}, () => {
    throw new Error('event handler exploded');
  });
  app.schedule('slowTick', { every: '1m', timeoutMs: 300 }, () => new Promise((r) => setTimeout(r, 2000)));
  return app;
}

const utf8 = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

beforeAll(async () => {
  invokeApi = createLambdaInvokeApi(buildApp(), { logSink: (r) => logs.push(r) });
  // The local dev server's own node:http front, as `faasport dev` serves the Invoke API.
  server = await serve(async (request) => (await invokeApi(request)) ?? new Response('not found', { status: 404 }), {
    port: 0,
    host: '127.0.0.1',
    maxBodyBytes: LAMBDA_MAX_PAYLOAD_BYTES,
  });
  lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});

afterAll(async () => {
  lambda?.destroy();
  await server?.close();
});

describe('Lambda Invoke API', () => {
  test('RequestResponse runs an HTTP function on an HTTP API event and returns its result', async () => {
    const v2 = loadFixture<ApiGatewayV2EventLike>('apigw-http/minimal.json');
    const event = { ...v2, rawPath: '/hello/ada' };
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: JSON.stringify(event) }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    const result = JSON.parse(utf8(out.Payload)) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ hello: 'ada' });
  });

  test('a full ARN with a qualifier names the same function', async () => {
    const v2 = loadFixture<ApiGatewayV2EventLike>('apigw-http/minimal.json');
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:hello:$LATEST',
        Payload: JSON.stringify({ ...v2, rawPath: '/hello/arn' }),
      }),
    );
    expect(JSON.parse((JSON.parse(utf8(out.Payload)) as { body: string }).body)).toMatchObject({ hello: 'arn' });
  });

  test('an SQS batch returns batchItemFailures for the failed message', async () => {
    const fixture = loadFixture<SqsEventLike>('sqs/batch-two-messages.json');
    const records = fixture.Records.map((r, i) => ({ ...r, body: JSON.stringify(i === 0 ? 'ok' : 'fail') }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'worker', Payload: JSON.stringify({ Records: records }) }));
    expect(JSON.parse(utf8(out.Payload))).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]!.messageId }] });
    expect(consumed.map((m) => m.body)).toEqual(['ok', 'fail']);
  });

  test('a function error is reported with X-Amz-Function-Error and the error payload', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'explode', Payload: JSON.stringify(loadFixture('eventbridge/custom-order-purchased.json')) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(utf8(out.Payload))).toMatchObject({ errorType: 'Error', errorMessage: 'event handler exploded' });
  });

  test('an unrecognised event is a function error naming its shape', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'explode', Payload: JSON.stringify({ hello: 'world' }) }));
    expect(out.FunctionError).toBe('Unhandled');
    const payload = JSON.parse(utf8(out.Payload)) as { errorType: string; errorMessage: string };
    expect(payload.errorType).toBe('FaasportError');
    expect(payload.errorMessage).toContain('top-level keys [hello]');
    expect(payload.errorMessage).not.toContain('world');
  });

  test('a function past its timeout is a function error saying so', async () => {
    const started = Date.now();
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'slowTick', Payload: JSON.stringify(loadFixture('eventbridge/scheduled-event.json')) }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(utf8(out.Payload))).toMatchObject({ errorType: 'FaasportError', errorMessage: expect.stringContaining('timed out') });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('Event invocations answer 202 at once and run in the background', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'explode', InvocationType: 'Event', Payload: JSON.stringify(loadFixture('s3/put.json')) }));
    expect(out.StatusCode).toBe(202);
    await invokeApi.whenIdle();
    expect(logs.find((r) => r.msg === 'async invocation failed')).toMatchObject({
      level: 'error',
      function: 'explode',
      errorMessage: 'event handler exploded',
    });
  });

  test('DryRun answers 204 without running', async () => {
    const before = consumed.length;
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'worker', InvocationType: 'DryRun', Payload: '{}' }));
    expect(out.StatusCode).toBe(204);
    expect(consumed.length).toBe(before);
  });

  test('an unknown function is ResourceNotFoundException', async () => {
    const err = await lambda.send(new InvokeCommand({ FunctionName: 'nope', Payload: '{}' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toContain('Function not found');
  });

  test('other paths are left to the dev server', async () => {
    expect(await invokeApi(new Request('http://localhost/hello/x'))).toBeUndefined();
    expect((await fetch(`${server.url}/2015-03-31/functions`)).status).toBe(404);
  });
});
