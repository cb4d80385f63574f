/**
 * HTTP events as peers' own test suites write them (hono's aws-lambda tests, serverless-http,
 * serverless-express, Powertools parser and event-handler fixtures): one map per header, names
 * capitalised as `sam local` sends them, placeholders left in AWS's sample domain names, paths
 * a function's route does not serve, methods a Fetch Request cannot carry. Each event is a
 * vendor fixture with the fields under test replaced.
 */
import { createApp, type Context } from 'faasport';
import { describe, expect, test } from 'vitest';
import { ApiGatewayV1Request } from './decode-api-gateway-v1.js';
import { albEvent, apiGatewayV1Event, apiGatewayV2Event, functionUrlEvent, lambdaContext } from '../testing/events.js';
import { toLambda } from './to-lambda.js';
import type { AlbEventLike, ApiGatewayV1EventLike, ApiGatewayV2EventLike, ProxyResultV1 } from './types.js';

interface Seen {
  url: string;
  headers: Record<string, string>;
  params: Readonly<Record<string, string>>;
}

function peerApp() {
  const seen: Seen[] = [];
  const observe = (req: Request, ctx: Context) => {
    seen.push({ url: req.url, headers: Object.fromEntries(req.headers), params: ctx.params });
    // What a handler commonly does first: fails on a URL that does not parse.
    new URL(req.url);
    return Response.json({ ok: true });
  };
  const app = createApp('peer-events');
  app.http('any', { method: '*', route: '/api/*', public: true }, observe);
  app.http('user', { method: 'GET', route: '/users/:id', public: true }, observe);
  app.http('submit', { method: 'POST', route: '/submit', public: true }, observe);
  const handlers = toLambda(app, { logSink: () => {}, production: true });
  const invoke = async (name: 'any' | 'user' | 'submit', event: unknown) =>
    (await handlers[name]!(event, lambdaContext())) as ProxyResultV1 & { body: string; headers?: Record<string, string> };
  return { seen, invoke };
}

const v1 = (overrides: Partial<ApiGatewayV1EventLike>): ApiGatewayV1EventLike => apiGatewayV1Event({ path: '/api/x', resource: '/{proxy+}', ...overrides });
const alb = (overrides: Partial<AlbEventLike>): AlbEventLike => albEvent('multi', { path: '/api/x', ...overrides });
type MapsEvent = (overrides: Partial<ApiGatewayV1EventLike & AlbEventLike>) => unknown;

describe.each<[string, MapsEvent]>([
  ['API Gateway v1', v1 as MapsEvent],
  ['ALB', alb as MapsEvent],
])('%s: both header maps and both query maps are read', (_kind, event) => {
  test('an empty multiValueHeaders / multiValueQueryStringParameters ({}) hides nothing', async () => {
    // Prepare: how hono's and serverless-http's tests write events
    const { seen, invoke } = peerApp();
    const e = event({
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer t', host: 'api.example.com' },
      multiValueHeaders: {},
      queryStringParameters: { only: 'single' },
      multiValueQueryStringParameters: {},
    });
    // Act
    const result = await invoke('any', e);
    // Assess
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.headers.authorization).toBe('Bearer t');
    expect(new URL(seen[0]!.url).searchParams.get('only')).toBe('single');
  });

  test('a name in both maps keeps its multi-value form; a name in one map only is kept', async () => {
    const { seen, invoke } = peerApp();
    const e = event({
      headers: { 'X-Tag': 'b', 'X-Single': 'one', host: 'api.example.com' },
      multiValueHeaders: { 'x-tag': ['a', 'b'] },
      queryStringParameters: { tag: 'b', only: 'single' },
      multiValueQueryStringParameters: { tag: ['a', 'b'] },
    });
    await invoke('any', e);
    expect(seen[0]!.headers['x-tag']).toBe('a, b');
    expect(seen[0]!.headers['x-single']).toBe('one');
    const query = new URL(seen[0]!.url).searchParams;
    expect(query.getAll('tag')).toEqual(['a', 'b']);
    expect(query.getAll('only')).toEqual(['single']);
  });
});

describe('header names in any case (sam local capitalises them)', () => {
  test.each([
    ['HTTP API v2', apiGatewayV2Event],
    ['Function URL', functionUrlEvent],
  ])('%s: Host and X-Forwarded-Proto build the URL', async (_kind, factory) => {
    const { seen, invoke } = peerApp();
    const base = factory();
    const e: ApiGatewayV2EventLike = { ...base, rawPath: '/api/x', headers: { Host: 'api.example.com:8443', 'X-Forwarded-Proto': 'http' } };
    await invoke('any', e);
    expect(seen[0]!.url).toBe('http://api.example.com:8443/api/x');
  });
});

describe('a domain name that is not a host (AWS sample placeholders) never makes the URL unparseable', () => {
  const placeholder = '<url-id>.lambda-url.us-east-1.on.aws';
  test.each([
    ['no Host header: a safe fallback', undefined, 'https://localhost/api/x'],
    ['a Host header: used', 'app.example.com', 'https://app.example.com/api/x'],
    ['a Host header that is not a host either: the fallback', 'evil.example/@x', 'https://localhost/api/x'],
  ])('Function URL, %s', async (_name, host, url) => {
    const { seen, invoke } = peerApp();
    const base = functionUrlEvent();
    const e: ApiGatewayV2EventLike = {
      ...base,
      rawPath: '/api/x',
      headers: host ? { host } : {},
      requestContext: { ...base.requestContext, domainName: placeholder },
    };
    const result = await invoke('any', e);
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.url).toBe(url);
  });

  test('API Gateway v1 without a Host header', async () => {
    const { seen, invoke } = peerApp();
    const base = v1({ headers: {}, multiValueHeaders: {} });
    const e = { ...base, requestContext: { ...base.requestContext, domainName: '<api-id>.execute-api.{region}.amazonaws.com' } };
    expect((await invoke('any', e)).statusCode).toBe(200);
    expect(seen[0]!.url).toMatch(/^https:\/\/localhost\/api\/x\?/);
  });
});

describe('a path the function does not serve answers 404 JSON without running it', () => {
  test.each<[string, () => unknown]>([
    ['Function URL', () => ({ ...functionUrlEvent(), rawPath: '/no/such/route' })],
    ['ALB rule', () => alb({ path: '/no/such/route' })],
    ['REST {proxy+}', () => v1({ path: '/no/such/route', resource: '/{proxy+}' })],
    ['HTTP API $default route', () => ({ ...apiGatewayV2Event(), rawPath: '/no/such/route', routeKey: '$default' })],
  ])('%s', async (_kind, event) => {
    const { seen, invoke } = peerApp();
    const result = await invoke('user', event());
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'NOT_FOUND' });
    expect(seen).toHaveLength(0);
  });

  test("a path another function serves with other methods is 405 with that function's Allow", async () => {
    const { seen, invoke } = peerApp();
    const result = await invoke('user', { ...functionUrlEvent(), rawPath: '/submit' });
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('POST');
    expect(seen).toHaveLength(0);
  });

  test("API Gateway matched the function's own route on another path (a custom domain's base path): it runs with API Gateway's parameters", async () => {
    const { seen, invoke } = peerApp();
    const result = await invoke('user', v1({ httpMethod: 'GET', path: '/v1/users/42', resource: '/users/{id}', pathParameters: { id: '42' } }));
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.params).toEqual({ id: '42' });
  });
});

describe('methods a Fetch Request cannot carry are refused before the function runs', () => {
  test.each(['CONNECT', 'TRACE', 'TRACK', 'trace'])('%s under method "*" answers 501 METHOD_NOT_SUPPORTED', async (method) => {
    const { seen, invoke } = peerApp();
    for (const event of [
      v1({ httpMethod: method }),
      alb({ httpMethod: method }),
      {
        ...functionUrlEvent(),
        rawPath: '/api/x',
        requestContext: { ...functionUrlEvent().requestContext, http: { ...functionUrlEvent().requestContext.http, method } },
      },
    ]) {
      const result = await invoke('any', event);
      expect(result.statusCode).toBe(501);
      expect(JSON.parse(result.body)).toMatchObject({ code: 'METHOD_NOT_SUPPORTED' });
    }
    expect(seen).toHaveLength(0);
  });
});

describe('a body sent with GET reads the same before and after the request is materialised', () => {
  const getWithBody = () => v1({ httpMethod: 'GET', body: 'sent anyway', isBase64Encoded: false });

  test('read first, then materialised', async () => {
    const req = new ApiGatewayV1Request(getWithBody());
    expect(await req.text()).toBe('');
    expect(req.materialise().body).toBeNull();
  });

  test('materialised first, then read', async () => {
    const req = new ApiGatewayV1Request(getWithBody());
    expect(req.materialise().body).toBeNull();
    expect(await req.text()).toBe('');
  });

  test('bytes() and a fresh request agree', async () => {
    expect((await new ApiGatewayV1Request(getWithBody()).bytes()).length).toBe(0);
    expect(await (new ApiGatewayV1Request(getWithBody()) as unknown as Request).clone().text()).toBe('');
  });
});
