/**
 * AWS HTTP overhead over a raw handler: the same API Gateway v2 event (17 headers, 2 cookies)
 * through a hand-written Lambda handler, hono's `handle()` from hono/aws-lambda and faasport's
 * `toLambda`. Each handler reads a header, the cookies and the path (and on POST the JSON
 * body) and answers JSON with a Set-Cookie. The figure is each one's time over the raw handler.
 */
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { createApp } from '../../src/index.js';
import { toLambda, type ApiGatewayV2EventLike, type LambdaContextLike } from '../../adapters/aws/index.js';
import { loadFixture } from '../../adapters/aws/testing/fixtures.js';
import { interleavedMicros } from '../lib/interleave.js';
import { standardResponse } from '../../src/light-response.js';
import type { BenchRow } from '../row.js';

type Handler = (event: ApiGatewayV2EventLike, context: LambdaContextLike) => Promise<unknown>;
interface Order {
  id: string;
  qty: number;
}

const context: LambdaContextLike = {
  awsRequestId: 'bench',
  functionName: 'orders',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
  getRemainingTimeInMillis: () => 30_000,
};

/** The vendor's HTTP API sample with 17 headers and 2 cookies; with a JSON body on POST. */
export function httpEvent(method: 'GET' | 'POST'): ApiGatewayV2EventLike {
  const base = loadFixture<ApiGatewayV2EventLike>('apigw-http/minimal.json');
  const headers: Record<string, string> = {
    ...(base.headers as Record<string, string>),
    'accept-encoding': 'gzip, deflate, br',
    'accept-language': 'en-GB,en;q=0.9',
    'cache-control': 'no-cache',
    origin: 'https://shop.example',
    referer: 'https://shop.example/checkout',
    'sec-fetch-mode': 'cors',
    'x-request-id': 'b7f1c2d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
    'x-api-version': '2024-06-01',
  };
  const body = method === 'POST' ? JSON.stringify({ id: 'o-1', item: 'book', qty: 2, note: 'leave at the door' }) : undefined;
  if (body) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(body.length);
  } else {
    headers['x-trace'] = 'off';
  }
  if (Object.keys(headers).length !== 17) throw new Error(`bench event has ${Object.keys(headers).length} headers, not 17`);
  return {
    ...base,
    routeKey: `${method} /orders`,
    rawPath: '/orders',
    rawQueryString: '',
    cookies: ['session=abc123', 'theme=dark'],
    headers,
    ...(body ? { body, isBase64Encoded: false } : { body: undefined, isBase64Encoded: false }),
    requestContext: { ...base.requestContext, routeKey: `${method} /orders`, http: { ...base.requestContext.http, method, path: '/orders' } },
  };
}

const SET_COOKIE = 'seen=1; Path=/; HttpOnly';

function raw(method: 'GET' | 'POST'): Handler {
  return async (event) => {
    const order = method === 'POST' ? (JSON.parse(event.body!) as Order) : { id: 'o-1', qty: 0 };
    const body = { id: order.id, qty: order.qty, requestId: event.headers?.['x-request-id'], cookie: (event.cookies ?? []).join('; '), path: event.rawPath };
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [SET_COOKIE], body: JSON.stringify(body), isBase64Encoded: false };
  };
}

function hono(method: 'GET' | 'POST'): Handler {
  const app = new Hono();
  app.on(method, '/orders', async (c) => {
    const order = method === 'POST' ? await c.req.json<Order>() : { id: 'o-1', qty: 0 };
    c.header('set-cookie', SET_COOKIE);
    return c.json({ id: order.id, qty: order.qty, requestId: c.req.header('x-request-id'), cookie: c.req.header('cookie'), path: c.req.path });
  });
  return handle(app) as unknown as Handler;
}

function faasport(method: 'GET' | 'POST'): Handler {
  const app = createApp('bench');
  app.http('orders', { method, route: '/orders' }, async (req) => {
    const order = method === 'POST' ? ((await req.json()) as Order) : { id: 'o-1', qty: 0 };
    const body = {
      id: order.id,
      qty: order.qty,
      requestId: req.headers.get('x-request-id'),
      cookie: req.headers.get('cookie'),
      path: new URL(req.url).pathname,
    };
    return Response.json(body, { headers: { 'set-cookie': SET_COOKIE } });
  });
  return toLambda(app, { logSink: () => {}, keepTransport: true }).orders as unknown as Handler;
}

function httpRow(method: 'GET' | 'POST'): BenchRow {
  let subjects: Record<string, () => Promise<unknown>> | undefined;
  const build = async (): Promise<Record<string, () => Promise<unknown>>> => {
    const event = httpEvent(method);
    const handlers = { 'raw handler': raw(method), 'hono handle()': hono(method), faasport: faasport(method) };
    // The same answer from all three before timing anything.
    const answers: { statusCode: number; body: string; cookies?: string[] }[] = [];
    for (const h of Object.values(handlers)) answers.push((await h(event, context)) as (typeof answers)[number]);
    const expected = JSON.stringify(JSON.parse(answers[0]!.body));
    for (const [i, a] of answers.entries()) {
      if (a.statusCode !== 200 || JSON.stringify(JSON.parse(a.body)) !== expected || a.cookies?.[0] !== SET_COOKIE) {
        throw new Error(`bench ${method}: ${Object.keys(handlers)[i]} answered ${JSON.stringify(a)}, not ${expected}`);
      }
    }
    // faasport's runtime makes globalThis.Response its light Response on its first request; the
    // peers run with the standard one they were written for (each call sets the global it gets).
    const light = globalThis.Response;
    const standard = standardResponse();
    const s = Object.fromEntries(
      Object.entries(handlers).map(([name, h]) => {
        const own = name === 'faasport' ? light : standard;
        return [
          name,
          async () => {
            globalThis.Response = own;
            try {
              return await h(event, context);
            } finally {
              globalThis.Response = light;
            }
          },
        ];
      }),
    );
    await interleavedMicros(s, { slices: 10, calls: 300 }); // warm-up: let the JIT settle
    return s;
  };
  return {
    id: `aws-http-${method.toLowerCase()}`,
    what: `AWS HTTP overhead over a raw handler, API GW v2, 17 headers, 2 cookies, ${method}${method === 'POST' ? ' reading a JSON body' : ''}; the handler reads a header, the cookies and the path, answers JSON + Set-Cookie`,
    unit: 'µs',
    better: 'lower',
    subject: 'faasport toLambda',
    peer: 'hono handle()',
    goal: { ratio: 0.33, text: "≤ 0.33 of hono's overhead" },
    note: 'left per request: a deadline timer and AsyncLocalStorage around the handler, the invocation context, the URL parsed when the handler reads req.url.',
    async measure() {
      subjects ??= await build();
      const t = await interleavedMicros(subjects);
      const rawUs = t['raw handler']!;
      return { 'faasport toLambda': t.faasport! - rawUs, 'hono handle()': t['hono handle()']! - rawUs, 'raw handler': rawUs };
    },
  };
}

export const rows: BenchRow[] = [httpRow('GET'), httpRow('POST')];
