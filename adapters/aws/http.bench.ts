/**
 * Side by side on the same API Gateway v2 event (17 headers, 2 cookies, JSON body): a raw
 * Lambda handler, hono's handle() from hono/aws-lambda, and faasport's toLambda; then an
 * SQS batch of 10, raw vs faasport. Prints each one's overhead over raw and the ratio
 * (target: faasport's overhead at most one third of hono's).
 *
 * Run: npm run bench                 (the Node that runs npm)
 *      npm run bench -- --node 22     (a Node major, fetched once by .ci/node-versions --bin)
 *      npm run bench -- --node /path/to/node
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { Bench } from 'tinybench';
import { createApp } from '../../src/index.js';
import { toLambda } from './index.js';
import { loadFixture } from './test/fixtures.js';
import type { ApiGatewayV2EventLike, LambdaContextLike, SqsEventLike } from './index.js';

// --node: run this same file under another Node binary, so figures for the deployed runtime
// (Node 22) stand beside the floor's (Node 20).
const nodeAt = process.argv.indexOf('--node');
if (nodeAt !== -1) {
  const wanted = process.argv[nodeAt + 1];
  if (!wanted) throw new Error('npm run bench -- --node needs a Node major (22) or the path of a node binary');
  const bin = /^\d+$/.test(wanted)
    ? `${execFileSync('bash', [fileURLToPath(new URL('../../.ci/node-versions', import.meta.url)), '--bin', wanted], { encoding: 'utf8' }).trim()}/node`
    : wanted;
  const rest = process.argv.slice(2).filter((_, i) => i !== nodeAt - 2 && i !== nodeAt - 1);
  const run = spawnSync(bin, ['--import', 'tsx', fileURLToPath(import.meta.url), ...rest], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
console.log(`Node ${process.version}`);

const context: LambdaContextLike = {
  awsRequestId: 'bench',
  functionName: 'orders',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
  getRemainingTimeInMillis: () => 30_000,
};

function httpEvent(): ApiGatewayV2EventLike {
  const base = loadFixture<ApiGatewayV2EventLike>('apigw-http/minimal.json');
  const headers: Record<string, string> = {
    ...(base.headers as Record<string, string>),
    'content-type': 'application/json',
    'accept-encoding': 'gzip, deflate, br',
    'accept-language': 'en-GB,en;q=0.9',
    'cache-control': 'no-cache',
    origin: 'https://shop.example',
    referer: 'https://shop.example/checkout',
    'sec-fetch-mode': 'cors',
    'x-request-id': 'b7f1c2d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
    'x-api-version': '2024-06-01',
  };
  const body = JSON.stringify({ id: 'o-1', item: 'book', qty: 2, note: 'leave at the door' });
  headers['content-length'] = String(body.length);
  if (Object.keys(headers).length !== 17) throw new Error(`bench event has ${Object.keys(headers).length} headers, not 17`);
  return {
    ...base,
    routeKey: 'POST /orders',
    rawPath: '/orders',
    cookies: ['session=abc123', 'theme=dark'],
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { ...base.requestContext, routeKey: 'POST /orders', http: { ...base.requestContext.http, method: 'POST', path: '/orders' } },
  };
}

function sqsEvent(): SqsEventLike {
  const template = loadFixture<SqsEventLike>('sqs/batch-two-messages.json').Records[0]!;
  return {
    Records: Array.from({ length: 10 }, (_, i) => ({
      ...template,
      messageId: `m-${i}`,
      body: JSON.stringify({ id: `o-${i}`, item: 'book', qty: 1 }),
      messageAttributes: { traceparent: { dataType: 'String', stringValue: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
    })),
  };
}

// raw: what a hand-written handler does
const raw = async (event: ApiGatewayV2EventLike) => {
  const order = JSON.parse(event.body!) as { id: string; qty: number };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ queued: order.id, qty: order.qty }), isBase64Encoded: false };
};

// hono
const hono = new Hono();
hono.post('/orders', async (c) => {
  const order = await c.req.json<{ id: string; qty: number }>();
  return c.json({ queued: order.id, qty: order.qty });
});
const honoHandler = handle(hono) as unknown as (event: unknown, context: unknown) => Promise<unknown>;

// The same three, each also reading a header, the cookies and the path: a handler that looks
// at its request pays for building what faasport otherwise builds lazily.
const rawReading = async (event: ApiGatewayV2EventLike) => {
  const requestId = event.headers?.['x-request-id'];
  const cookie = (event.cookies ?? []).join('; ');
  const order = JSON.parse(event.body!) as { id: string; qty: number };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ queued: order.id, qty: order.qty, requestId, cookie, path: event.rawPath }), isBase64Encoded: false };
};
const honoReading = new Hono();
honoReading.post('/orders', async (c) => {
  const order = await c.req.json<{ id: string; qty: number }>();
  return c.json({ queued: order.id, qty: order.qty, requestId: c.req.header('x-request-id'), cookie: c.req.header('cookie'), path: c.req.path });
});
const honoReadingHandler = handle(honoReading) as unknown as (event: unknown, context: unknown) => Promise<unknown>;

// faasport
const app = createApp('bench');
app.http('orders', { method: 'POST', route: '/orders' }, async (req) => {
  const order = (await req.json()) as { id: string; qty: number };
  return Response.json({ queued: order.id, qty: order.qty });
});
app.queue<{ id: string }>('jobs').consume('work', () => {});
const readingApp = createApp('bench-reading');
readingApp.http('orders', { method: 'POST', route: '/orders' }, async (req) => {
  const order = (await req.json()) as { id: string; qty: number };
  return Response.json({ queued: order.id, qty: order.qty, requestId: req.headers.get('x-request-id'), cookie: req.headers.get('cookie'), path: new URL(req.url).pathname });
});
const faasportReading = toLambda(readingApp, { logSink: () => {}, keepTransport: true }).orders!;
const handlers = toLambda(app, { logSink: () => {}, keepTransport: true });
const faasport = handlers.orders!;
const faasportSqs = handlers.work!;

const rawSqs = async (event: SqsEventLike) => {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    try {
      JSON.parse(record.body);
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};

const http = httpEvent();
const sqs = sqsEvent();

// Same answer from all three before timing anything.
const answers = await Promise.all([raw(http), honoHandler(http, context), faasport(http, context)]);
for (const a of answers) {
  const r = a as { statusCode: number; body: string };
  if (r.statusCode !== 200 || JSON.parse(r.body).queued !== 'o-1') throw new Error(`unexpected answer ${JSON.stringify(a)}`);
}
const readingAnswers = await Promise.all([rawReading(http), honoReadingHandler(http, context), faasportReading(http, context)]);
const readBodies = readingAnswers.map((a) => JSON.parse((a as { body: string }).body) as Record<string, unknown>);
for (const b of readBodies) {
  if (JSON.stringify(b) !== JSON.stringify(readBodies[0])) throw new Error(`the reading handlers disagree: ${JSON.stringify(readBodies)}`);
}

const bench = new Bench({ name: 'aws http (API Gateway v2)', time: 2000, warmupTime: 500 });
bench
  .add('raw handler', () => raw(http))
  .add('hono handle()', () => honoHandler(http, context))
  .add('faasport toLambda', () => faasport(http, context))
  .add('raw handler, reading headers', () => rawReading(http))
  .add('hono handle(), reading headers', () => honoReadingHandler(http, context))
  .add('faasport toLambda, reading headers', () => faasportReading(http, context))
  .add('raw SQS batch of 10', () => rawSqs(sqs))
  .add('faasport SQS batch of 10', () => faasportSqs(sqs, context));
await bench.run();
console.table(bench.table());

const stat = (name: string, which: 'mean' | 'p50'): number => {
  const result = bench.getTask(name)?.result as { latency?: { mean: number; p50?: number } } | undefined;
  const value = result?.latency?.[which];
  if (value === undefined) throw new Error(`no ${which} for ${name}`);
  return value * 1000; // µs
};
for (const [label, suffix] of [['HTTP', ''], ['HTTP reading headers', ', reading headers']] as const) {
  for (const which of ['p50', 'mean'] as const) {
    const rawUs = stat(`raw handler${suffix}`, which);
    const honoOver = stat(`hono handle()${suffix}`, which) - rawUs;
    const faasOver = stat(`faasport toLambda${suffix}`, which) - rawUs;
    const ratio = faasOver / honoOver;
    console.log(
      `${label} ${which === 'p50' ? 'median' : 'mean  '} (µs): raw ${rawUs.toFixed(2)}, hono +${honoOver.toFixed(2)}, faasport +${faasOver.toFixed(2)}; ` +
        `overhead ratio faasport/hono ${ratio.toFixed(2)} (target <= 0.33: ${ratio <= 1 / 3 ? 'met' : 'NOT met'})`,
    );
  }
}
for (const which of ['p50', 'mean'] as const) {
  const rawUs = stat('raw SQS batch of 10', which);
  const over = stat('faasport SQS batch of 10', which) - rawUs;
  console.log(`SQS batch of 10 ${which === 'p50' ? 'median' : 'mean  '} (µs): raw ${rawUs.toFixed(2)}, faasport +${over.toFixed(2)} (${(over / 10).toFixed(2)} per message)`);
}
