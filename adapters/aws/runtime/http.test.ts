import { createApp, type Context } from 'faasport';
import { describe, expect, test } from 'vitest';
import { ApiGatewayV2Request } from './decode-api-gateway-v2.js';
import { isTextContentType } from './encode-body.js';
import { clientAddress, lazyRequestSupported, toFetchRequest } from './lambda-request.js';
import { albEvent, apiGatewayV1Event, apiGatewayV2Event, functionUrlEvent, lambdaContext } from '../testing/events.js';
import { toLambda } from './to-lambda.js';
import type { ProxyResultV1, ProxyResultV2 } from './types.js';

const COOKIES = ['session=abc123; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/'];
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

function httpApp(handler: (req: Request, ctx: Context) => Response | Promise<Response>) {
  const app = createApp('http-test');
  app.http('fn', { method: '*', route: '/*' }, handler);
  app.http('user', { method: 'GET', route: '/users/:id' }, (_req, ctx) => Response.json(ctx.params));
  const warnings: unknown[] = [];
  const handlers = toLambda(app, { logSink: (r) => r.level === 'warn' && warnings.push(r), production: true });
  return { fn: handlers.fn!, user: handlers.user!, warnings };
}

const cookieResponse = () => {
  const headers = new Headers({ 'content-type': 'text/plain' });
  for (const c of COOKIES) headers.append('set-cookie', c);
  headers.append('x-multi', 'one');
  headers.append('x-multi', 'two');
  return new Response('ok', { headers });
};

describe('Set-Cookie is never split or joined', () => {
  test.each([
    ['API Gateway v2', () => apiGatewayV2Event(), (r: ProxyResultV2 & ProxyResultV1) => r.cookies],
    ['Function URL', () => functionUrlEvent(), (r: ProxyResultV2 & ProxyResultV1) => r.cookies],
    ['API Gateway v1', () => apiGatewayV1Event(), (r: ProxyResultV2 & ProxyResultV1) => r.multiValueHeaders?.['set-cookie']],
    ['ALB multi-value', () => albEvent('multi'), (r: ProxyResultV2 & ProxyResultV1) => r.multiValueHeaders?.['set-cookie']],
  ])('%s', async (_name, event, cookiesOf) => {
    const { fn } = httpApp(cookieResponse);
    const result = (await fn(event())) as ProxyResultV2 & ProxyResultV1;
    expect(cookiesOf(result)).toEqual(COOKIES);
    expect(JSON.stringify(result.headers ?? {})).not.toContain('session=');
  });

  test('ALB single-value mode carries one Set-Cookie and warns', async () => {
    const { fn, warnings } = httpApp(cookieResponse);
    const result = (await fn(albEvent('single'))) as ProxyResultV1;
    expect(result.headers?.['set-cookie']).toBe(COOKIES[0]);
    expect(result.multiValueHeaders).toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ msg: expect.stringContaining('lambda.multi_value_headers.enabled'), cookies: 2 })]);
  });

  test('v2 request cookies[] become one Cookie header', async () => {
    const { fn } = httpApp((req) => new Response(req.headers.get('cookie')));
    const result = (await fn(apiGatewayV2Event({ cookies: ['a=1', 'b=two'] }))) as ProxyResultV2;
    expect(result.body).toBe('a=1; b=two');
  });
});

describe('repeated headers and query keys are kept', () => {
  test('API Gateway v1 multiValue maps win over the last-value maps', async () => {
    const { fn } = httpApp((req) => Response.json({ h: req.headers.get('headername'), q: new URL(req.url).searchParams.getAll('name') }));
    const result = (await fn(apiGatewayV1Event())) as ProxyResultV1;
    expect(JSON.parse(result.body)).toEqual({ h: 'headerValue, headerValue2', q: ['me', 'me2'] });
  });

  test('repeated response headers are combined; v1 keeps them as one value list entry', async () => {
    const { fn } = httpApp(cookieResponse);
    const result = (await fn(apiGatewayV1Event())) as ProxyResultV1;
    expect(result.multiValueHeaders?.['x-multi']).toEqual(['one, two']);
  });
});

describe('query values are decoded exactly once', () => {
  test.each([
    // API Gateway v1 hands over decoded values
    ['API Gateway v1', () => apiGatewayV1Event({ multiValueQueryStringParameters: { q: ['a b&c=d', '100%'] }, queryStringParameters: null })],
    // HTTP API: rawQueryString as sent
    ['API Gateway v2', () => apiGatewayV2Event({ rawQueryString: 'q=a%20b%26c%3Dd&q=100%25' })],
    // ALB leaves values percent-encoded
    ['ALB', () => albEvent('multi', { multiValueQueryStringParameters: { q: ['a%20b%26c%3Dd', '100%25'] } })],
  ])('%s', async (_name, event) => {
    const { fn } = httpApp((req) => Response.json(new URL(req.url).searchParams.getAll('q')));
    const result = (await fn(event())) as ProxyResultV1;
    expect(JSON.parse(result.body)).toEqual(['a b&c=d', '100%']);
  });
});

describe('bodies keep every byte', () => {
  test('a base64 request body decodes to the exact bytes 0-255', async () => {
    const { fn } = httpApp(async (req) => Response.json([...new Uint8Array(await req.arrayBuffer())]));
    const event = apiGatewayV2Event({
      body: Buffer.from(ALL_BYTES).toString('base64'),
      isBase64Encoded: true,
      requestContext: { ...apiGatewayV2Event().requestContext, http: { method: 'POST' } },
    });
    const result = (await fn(event)) as ProxyResultV2;
    expect(JSON.parse(result.body)).toEqual([...ALL_BYTES]);
  });

  test.each([
    ['image/png', true],
    ['application/pdf', true],
    ['image/svg+xml', true],
    ['application/atom+xml', true],
    ['application/x-unknown', true],
    ['text/plain; charset=iso-8859-1', true],
    ['text/html; charset=utf-8', false],
    ['application/json', false],
    ['application/problem+json', false],
    ['application/xml; charset=utf-8', false],
  ])('a %s response is base64: %s', async (type, binary) => {
    expect(isTextContentType(type)).toBe(!binary);
    const body = binary ? ALL_BYTES : new TextEncoder().encode('héllo');
    const { fn } = httpApp(() => new Response(body, { headers: { 'content-type': type } }));
    const result = (await fn(apiGatewayV2Event())) as ProxyResultV2;
    expect(result.isBase64Encoded).toBe(binary);
    const bytes = binary ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
    expect([...bytes]).toEqual([...body]);
  });

  test('a text type whose bytes are not UTF-8 falls back to base64', async () => {
    const { fn } = httpApp(() => new Response(Uint8Array.of(0xff, 0xfe, 0x41), { headers: { 'content-type': 'text/plain' } }));
    const result = (await fn(apiGatewayV2Event())) as ProxyResultV2;
    expect(result).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0xff, 0xfe, 0x41]).toString('base64') });
  });

  test('a streamed response body is read through the stream', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(ALL_BYTES.subarray(0, 128));
        controller.enqueue(ALL_BYTES.subarray(128));
        controller.close();
      },
    });
    const { fn } = httpApp(() => new Response(stream, { headers: { 'content-type': 'application/octet-stream' } }));
    const result = (await fn(apiGatewayV2Event())) as ProxyResultV2;
    expect([...Buffer.from(result.body, 'base64')]).toEqual([...ALL_BYTES]);
  });

  test('HEAD answers headers without a body', async () => {
    const { user } = httpApp(() => new Response('x'));
    const event = apiGatewayV2Event({ rawPath: '/users/7', requestContext: { ...apiGatewayV2Event().requestContext, http: { method: 'HEAD' } } });
    const result = (await user(event)) as ProxyResultV2;
    expect(result).toMatchObject({ statusCode: 200, body: '', isBase64Encoded: false });
  });
});

describe('client address', () => {
  test.each([
    ['API Gateway v2 sourceIp', () => apiGatewayV2Event({ headers: { 'x-forwarded-for': '6.6.6.6, 65.78.31.245' } }), '65.78.31.245'],
    ['API Gateway v1 identity.sourceIp', () => apiGatewayV1Event(), '192.168.196.186'],
    // The client may send its own X-Forwarded-For; ALB appends the real peer last.
    [
      'ALB last X-Forwarded-For entry',
      () => albEvent('single', { headers: { ...albEvent('single').headers, 'x-forwarded-for': '6.6.6.6, 25.12.198.67' } }),
      '25.12.198.67',
    ],
  ])('%s', async (_name, event, ip) => {
    const { fn } = httpApp((req) => new Response(clientAddress(req)));
    expect(((await fn(event())) as ProxyResultV2).body).toBe(ip);
  });
});

describe('routing inside the function', () => {
  test('params from the route, also under a named HTTP API stage', async () => {
    const { user } = httpApp(() => new Response());
    const base = apiGatewayV2Event();
    const event = apiGatewayV2Event({ rawPath: '/prod/users/ada%20l', requestContext: { ...base.requestContext, stage: 'prod' } });
    expect(JSON.parse(((await user(event)) as ProxyResultV2).body)).toEqual({ id: 'ada l' });
  });

  test('a method the function does not take answers 405 with Allow', async () => {
    const { user } = httpApp(() => new Response());
    const base = apiGatewayV2Event();
    const result = (await user(
      apiGatewayV2Event({ rawPath: '/users/1', requestContext: { ...base.requestContext, http: { method: 'DELETE' } } }),
    )) as ProxyResultV2;
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('GET, HEAD');
    expect(JSON.parse(result.body!)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });
});

/** The event with every top-level field behind a getter that counts its reads. */
function counting<T extends object>(event: T): { event: T; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const out = {} as T;
  for (const key of Object.keys(event)) {
    Object.defineProperty(out, key, {
      enumerable: true,
      get: () => {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return (event as Record<string, unknown>)[key];
      },
    });
  }
  return { event: out, reads };
}

describe('the Request is built lazily', () => {
  test('this Node either takes the lazy Request as a Request, or the function gets a real one', async () => {
    let seen: Request | undefined;
    const { fn } = httpApp((req) => {
      seen = req;
      // What proxies and middleware do with a request: copy it with other headers.
      const copy = new Request(req, { headers: { 'x-copied': '1' } });
      return Response.json({ url: copy.url, copied: copy.headers.get('x-copied'), ip: clientAddress(req) ?? null });
    });
    const result = (await fn(apiGatewayV2Event({ rawPath: '/a', rawQueryString: 'x=1' }))) as ProxyResultV2;
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toEqual({ url: 'https://xxx.execute-api.us-east-1.amazonaws.com/a?x=1', copied: '1', ip: '65.78.31.245' });
    // Node 20/22: the lazy request; Node 24 (undici reads private fields): a real Request.
    const major = Number(process.versions.node.split('.')[0]);
    expect(lazyRequestSupported()).toBe(process.env.FAASPORT_LAZY_REQUEST !== '0' && major < 24);
    expect(Object.getPrototypeOf(seen) === Request.prototype).toBe(!lazyRequestSupported());
  });

  test('the standard path (lazy request off) gives a real Request with the same URL, headers, body and client address', async () => {
    const lazy = new ApiGatewayV2Request(
      apiGatewayV2Event({
        rawPath: '/a',
        rawQueryString: 'x=1',
        body: '{"a":1}',
        headers: { 'x-one': '1' },
        requestContext: { ...apiGatewayV2Event().requestContext, http: { ...apiGatewayV2Event().requestContext.http, method: 'POST' } },
      }),
    );
    const real = toFetchRequest(lazy, false);
    expect(Object.getPrototypeOf(real)).toBe(Request.prototype);
    expect(real.method).toBe('POST');
    expect(real.url).toBe('https://xxx.execute-api.us-east-1.amazonaws.com/a?x=1');
    expect(real.headers.get('x-one')).toBe('1');
    expect(clientAddress(real)).toBe('65.78.31.245');
    expect(await real.json()).toEqual({ a: 1 });
  });

  test('headers, cookies, query and body are read only when the handler asks for them', async () => {
    let seen: Request | undefined;
    const app = createApp('lazy');
    app.http('quiet', { method: 'POST', route: '/orders' }, (req) => {
      seen = req;
      return new Response(null, { status: 204 });
    });
    const { quiet } = toLambda(app, { logSink: () => {} });
    const base = apiGatewayV2Event({
      rawPath: '/orders',
      rawQueryString: 'x=1',
      body: '{"a":1}',
      requestContext: { ...apiGatewayV2Event().requestContext, http: { ...apiGatewayV2Event().requestContext.http, method: 'POST', path: '/orders' } },
    });
    const { event, reads } = counting(base);
    const result = (await quiet!(event, lambdaContext())) as ProxyResultV2;
    expect(result.statusCode).toBe(204);
    // Where this Node cannot take the lazy request (Node 24), the function got a real one, built from every field.
    if (lazyRequestSupported()) for (const field of ['headers', 'cookies', 'rawQueryString']) expect(reads.get(field) ?? 0, field).toBe(0);
    else expect(reads.get('headers') ?? 0).toBeGreaterThan(0);
    // The body string is referenced once (kept, not decoded or copied) and decoded on first read.
    for (const field of ['body', 'isBase64Encoded']) expect(reads.get(field) ?? 0, field).toBeLessThanOrEqual(1);
    // Reading them later works, from the same event.
    expect(seen!.headers.get('content-type')).toBe(base.headers!['content-type'] ?? null);
    expect(reads.get('headers')).toBeGreaterThan(0);
    expect(new URL(seen!.url).search).toBe('?x=1');
    expect(await seen!.text()).toBe('{"a":1}');
  });

  test('nothing is parsed until used; then it behaves as a Request', async () => {
    const req = new ApiGatewayV2Request(
      apiGatewayV2Event({
        rawPath: '/a',
        rawQueryString: 'x=1',
        body: '{"a":1}',
        requestContext: { ...apiGatewayV2Event().requestContext, http: { method: 'POST' } },
      }),
    );
    const asRequest = req as unknown as Request;
    expect(asRequest).toBeInstanceOf(Request);
    expect(asRequest.method).toBe('POST');
    expect(await asRequest.json()).toEqual({ a: 1 });
    expect(asRequest.bodyUsed).toBe(true);
    await expect(asRequest.text()).rejects.toThrow(TypeError);
    // Members without a fast path come from one real Request.
    expect(asRequest.signal.aborted).toBe(false);
    // Node 24's undici refuses it (private fields): there toFetchRequest hands over a real Request instead.
    // (What this Node's undici does, whether or not FAASPORT_LAZY_REQUEST=0 turned the fast path off.)
    if (Number(process.versions.node.split('.')[0]) < 24) expect(new Request(asRequest).url).toBe('https://xxx.execute-api.us-east-1.amazonaws.com/a?x=1');
    else expect(() => new Request(asRequest)).toThrow(TypeError);
  });
});

describe('context', () => {
  test('request id, deadline, cold start once, X-Ray trace mapped to W3C', async () => {
    const seen: Context[] = [];
    const { fn } = httpApp((_req, ctx) => {
      seen.push(ctx);
      void ctx.trace;
      return new Response();
    });
    const event = apiGatewayV2Event({ headers: { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' } });
    await fn(event, lambdaContext(5000, 'req-a'));
    await fn(event, lambdaContext(5000, 'req-b'));
    expect(seen.map((c) => [c.invocationId, c.coldStart, c.provider])).toEqual([
      ['req-a', true, 'aws'],
      ['req-b', false, 'aws'],
    ]);
    expect(seen[0]!.deadline - Date.now()).toBeGreaterThan(4000);
    expect(seen[0]!.deadline - Date.now()).toBeLessThanOrEqual(5000);
    expect(seen[0]!.trace).toMatchObject({ traceId: '5759e988bd862e3fe1be46a994272793', parentSpanId: '53995c3f42cd8ad8', traceFlags: 1 });
  });
});
