import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GetFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { isFaasportError } from 'faasport';
import { app as shop } from '../../../examples/shop/app.js';
import { serve, type RunningServer } from '../../local/index.js';
import { createLambdaControlApi, type LambdaControlApi } from '../dev/control-api.js';
import { deploy } from './deploy.js';
import { startLocalSqs, TEST_CLIENT_CONFIG, type Fauxqs } from '../testing/fauxqs-server.js';
import { loadFixture } from '../testing/fixtures.js';
import type { ApiGatewayV2EventLike } from '../runtime/types.js';

// `faasport deploy --target aws` for real: @aws-sdk/client-lambda against the local Lambda
// control API, which unpacks each uploaded zip and runs it under aws-lambda-ric; the shop's
// queue lives on a local SQS server.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const work = `${repoRoot}.faasport/deploy-${randomUUID()}`;
const outDir = `${work}/dist/aws`;
const entry = fileURLToPath(new URL('../../../examples/shop/app.ts', import.meta.url));
const SECRET = `secret-${randomUUID()}`;
const CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: SECRET };

let sqsServer: Fauxqs;
let ordersUrl: string;
let controlApi: LambdaControlApi;
let server: RunningServer;
let lambda: LambdaClient;
const functionLogs: string[] = [];

function run(args: string[], log: string[]): Promise<void> {
  return deploy({ entry, exportName: 'app', app: shop, outDir, args, log: (l) => log.push(l), env: process.env });
}

function v2Event(method: string, path: string, body?: string): ApiGatewayV2EventLike {
  const base = loadFixture<ApiGatewayV2EventLike>('apigw-http/minimal.json');
  return { ...base, rawPath: path, rawQueryString: '', body, requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method, path } } };
}

async function invoke(name: string, event: unknown): Promise<{ error?: string; payload: Record<string, unknown> }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
  return { error: out.FunctionError, payload: JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as Record<string, unknown> };
}

beforeAll(async () => {
  await mkdir(work, { recursive: true });
  sqsServer = await startLocalSqs();
  ordersUrl = sqsServer.createQueue('orders').queueUrl;
  controlApi = createLambdaControlApi({
    // What Lambda gives a function from its role and region; the SDK inside reaches the local SQS.
    env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL: sqsServer.address },
    onLog: (fn, line) => functionLogs.push(`${fn}: ${line}`),
  });
  server = await serve(async (request) => (await controlApi(request)) ?? new Response('not found', { status: 404 }), {
    port: 0,
    host: '127.0.0.1',
    maxBodyBytes: 64 * 1024 * 1024,
  });
  // The standard credential chain: deploy reads these from the environment like any AWS tool.
  vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
  lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  lambda?.destroy();
  await controlApi?.close();
  await server?.close();
  await sqsServer?.stop();
  await rm(work, { recursive: true, force: true });
});

const baseArgs = (): string[] => ['--endpoint-url', server.url, '--region', 'us-east-1'];

describe('faasport deploy --target aws against the local Lambda control API', () => {
  const firstLog: string[] = [];

  test('creates one Lambda function per definition, step by step, printing no secret', async () => {
    await run([...baseArgs(), '--role', 'arn:aws:iam::000000000000:role/shop-{function}', '--env', `FAASPORT_QUEUE_URL_ORDERS=${ordersUrl}`], firstLog);
    expect(firstLog[0]).toBe(`aws deploy: app "shop", 6 function(s) at ${server.url} in us-east-1`);
    expect(firstLog[1]).toBe('[1/9] build: bundling the app for Lambda');
    expect(firstLog[2]).toMatch(/^\[2\/9\] package: [\d.]+ KB zip of index\.mjs, index\.mjs\.map$/);
    for (const [i, fn] of shop.functions.entries()) {
      expect(firstLog[3 + i]).toMatch(
        new RegExp(
          `^\\[${3 + i}/9\\] function shop-${fn.name}: created \\(nodejs22\\.x, index\\.${fn.name}, 256 MB, 30 s; environment NODE_ENV, NODE_OPTIONS, FAASPORT_QUEUE_URL_ORDERS\\)$`,
        ),
      );
    }
    expect(firstLog[9]).toBe(`[9/9] done: 6 function(s) deployed; build and template.json in ${outDir}`);
    const printed = firstLog.join('\n');
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(ordersUrl);
    expect((await readdir(outDir)).sort()).toEqual(['faasport-aws.json', 'index.mjs', 'index.mjs.map', 'template.json']);
    expect(controlApi.functions().sort()).toEqual(shop.functions.map((f) => `shop-${f.name}`).sort());
  });

  test('GetFunction shows the runtime, handler, role, memory, timeout and environment deploy set', async () => {
    const out = await lambda.send(new GetFunctionCommand({ FunctionName: 'shop-fulfil' }));
    expect(out.Configuration).toMatchObject({
      FunctionName: 'shop-fulfil',
      Runtime: 'nodejs22.x',
      Handler: 'index.fulfil',
      Role: 'arn:aws:iam::000000000000:role/shop-fulfil',
      MemorySize: 256,
      Timeout: 30,
      State: 'Active',
      Environment: { Variables: { NODE_ENV: 'production', FAASPORT_QUEUE_URL_ORDERS: ordersUrl } },
    });
  });

  test('the deployed zip answers an HTTP API event under aws-lambda-ric', async () => {
    const { error, payload } = await invoke('shop-hello', v2Event('GET', '/hello/ada'));
    expect(error).toBeUndefined();
    expect(payload).toMatchObject({ statusCode: 200, body: '{"hello":"ada"}' });
  });

  test('placeOrder, deployed, sends the order to SQS', async () => {
    const { payload } = await invoke('shop-placeOrder', v2Event('POST', '/orders', JSON.stringify({ id: 'd-1', item: 'book', qty: 2 })));
    expect(payload).toMatchObject({ statusCode: 202, body: '{"queued":"d-1"}' });
    const sqs = new SQSClient(TEST_CLIENT_CONFIG(sqsServer.address));
    try {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      expect(received.Messages?.map((m) => JSON.parse(m.Body!) as unknown)).toEqual([{ id: 'd-1', item: 'book', qty: 2 }]);
    } finally {
      sqs.destroy();
    }
  });

  test('an unknown event is a function error, reported as Lambda reports it', async () => {
    const { error, payload } = await invoke('shop-hello', { nothing: 'here' });
    expect(error).toBe('Unhandled');
    expect(payload.errorMessage).toContain('aws function "hello"');
  });

  test('deploying again skips unchanged code, updates configuration and keeps environment set elsewhere', async () => {
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'shop-notifyCustomer',
        Environment: { Variables: { FAASPORT_TOPIC_ARN_SHIPPED: 'arn:aws:sns:us-east-1:000000000000:shipped' } },
      }),
    );
    const log: string[] = [];
    await run(baseArgs(), log);
    expect(log.filter((l) => / function shop-/.test(l)).every((l) => l.includes(': code unchanged, configuration updated ('))).toBe(true);
    const out = await lambda.send(new GetFunctionCommand({ FunctionName: 'shop-notifyCustomer' }));
    expect(out.Configuration?.Environment?.Variables).toMatchObject({
      FAASPORT_TOPIC_ARN_SHIPPED: 'arn:aws:sns:us-east-1:000000000000:shipped',
      NODE_ENV: 'production',
    });
  });

  test('a failure names the step, says what changed remotely and leaves the local build as it was', async () => {
    const before = await stat(`${outDir}/template.json`);
    const closed = await serve(async () => new Response(null, { status: 404 }), { port: 0, host: '127.0.0.1', maxBodyBytes: 1024 });
    await closed.close();
    const log: string[] = [];
    const err = await run(['--endpoint-url', closed.url, '--region', 'us-east-1'], log).catch((e: unknown) => e);
    expect(isFaasportError(err)).toBe(true);
    expect((err as Error & { code: string }).code).toBe('DEPLOY_FAILED');
    expect((err as Error).message).toMatch(
      /^aws deploy: function shop-hello failed: .+\. Nothing was changed on Lambda\. The local build in .+ is unchanged\.$/,
    );
    expect((err as Error).message).not.toContain(SECRET);
    expect((await stat(`${outDir}/template.json`)).mtimeMs).toBe(before.mtimeMs);
    expect((await readdir(`${work}/dist`)).sort()).toEqual(['aws']);
  });

  test('a new function without --role is refused before anything is uploaded', async () => {
    const log: string[] = [];
    const err = await run([...baseArgs(), '--prefix', 'other'], log).catch((e: unknown) => e);
    expect((err as Error).message).toContain('function other-hello failed: function other-hello does not exist yet and needs an execution role: pass --role');
    expect(controlApi.functions().some((f) => f.startsWith('other-'))).toBe(false);
  });

  test('the runtime logs of the deployed functions are JSON lines without the credentials', () => {
    expect(functionLogs.some((l) => l.startsWith('shop-placeOrder: ') && l.includes('"order queued"'))).toBe(true);
    expect(functionLogs.join('\n')).not.toContain(SECRET);
  });

  test('--dry-run builds and packages but calls nothing', async () => {
    const log: string[] = [];
    await run(['--dry-run', '--prefix', 'dry'], log);
    expect(log.filter((l) => l.includes(': would create or update ('))).toHaveLength(6);
    expect(controlApi.functions().some((f) => f.startsWith('dry-'))).toBe(false);
    expect(JSON.parse(await readFile(`${outDir}/template.json`, 'utf8'))).toHaveProperty('Resources.HelloFunction');
  });
});
