import { request as httpRequest } from 'node:http';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../adapters/aws/testing/fixtures.js';
import { startDev, type DevChild } from './dev-child.js';
import { HELD_SECRET } from './dev-server-app.js';

// A hostile web page against a real `faasport dev` child process over real sockets: what a
// browser can send without a CORS preflight (a foreign Origin, text/plain and form bodies,
// Sec-Fetch-Site: cross-site) and what a DNS-rebinding page sends (its own name as Host).
// Every attack must be refused and change nothing; requests from this machine without an
// Origin (curl, the SDKs) keep working with no ceremony.

const APP = 'conformance/security/dev-server-app.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request with exactly these headers (node:http lets a test set Host, as a rebinding browser does). */
function send(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers }, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Status and headers of a GET, then hangs up (for an event stream, which never ends). */
function head(base: string, path: string, headers: Record<string, string> = {}): Promise<Omit<Answer, 'text'>> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { headers, agent: false }, (res) => {
      resolve({ status: res.statusCode!, headers: res.headers });
      res.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

/** The child's output once it holds `text` (the banner's last line may arrive after the token), or as it is after 5 s. */
async function printed(dev: DevChild, text: string): Promise<string> {
  for (let i = 0; i < 200 && !dev.output().includes(text); i++) await new Promise((r) => setTimeout(r, 25));
  return dev.output();
}

const scheduledEvent = (): unknown => loadFixture('eventbridge/scheduled-event.json');
const cloudEvent = JSON.stringify({ specversion: '1.0', id: 'e1', source: 'test', type: 'test.ping', data: {} });

/** Every state-changing route of the dev API (the dashboard's buttons call these) and the Lambda APIs, with a body each accepts. */
const stateChanging: { name: string; path: string; body: () => string; method?: string }[] = [
  { name: 'enqueue a message', path: '/_faasport/queues/inbox/messages', body: () => '{"n":1}' },
  { name: 'redrive dead letters', path: '/_faasport/queues/inbox/dead-letter/redrive', body: () => '{}' },
  { name: 'purge a queue', path: '/_faasport/queues/inbox/messages', body: () => '', method: 'DELETE' },
  { name: 'purge dead letters', path: '/_faasport/queues/inbox/dead-letter', body: () => '', method: 'DELETE' },
  { name: 'publish to a topic', path: '/_faasport/topics/news/messages', body: () => '{"n":1}' },
  { name: 'run a schedule', path: '/_faasport/schedules/tick/run', body: () => '{}' },
  { name: 'emit a CloudEvent', path: '/_faasport/events', body: () => cloudEvent },
  { name: 'invoke a function (Lambda Invoke API)', path: '/2015-03-31/functions/tick/invocations', body: () => JSON.stringify(scheduledEvent()) },
  {
    name: 'create a function (Lambda control API)',
    path: '/2015-03-31/functions',
    body: () => '{"FunctionName":"evil","Runtime":"nodejs20.x","Role":"r","Handler":"index.handler","Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}',
  },
];

/** What the dev server holds: queue depths and how often each counted handler ran. */
async function state(base: string): Promise<unknown> {
  await new Promise((r) => setTimeout(r, 200)); // let anything a refused request might have set off run
  const queues = JSON.parse((await send(base, 'GET', '/_faasport/queues')).text) as unknown;
  const counts = JSON.parse((await send(base, 'GET', '/counts')).text) as unknown;
  return { queues, counts };
}

function lambdaClient(base: string, accessKeyId: string): LambdaClient {
  return new LambdaClient({ endpoint: base, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'any' }, maxAttempts: 1 });
}

describe('faasport dev with default flags: a web page cannot drive it', () => {
  let dev: DevChild;
  let host: string;
  beforeAll(async () => {
    dev = await startDev([APP, '--port', '0', '--no-schedules']);
    host = new URL(dev.url).host;
  }, 60_000);
  afterAll(() => dev?.stop());

  const attacks: { name: string; status: number; headers: (h: string) => Record<string, string> }[] = [
    { name: 'a foreign Origin (JSON body)', status: 403, headers: () => ({ origin: 'http://evil.example', 'content-type': 'application/json' }) },
    { name: 'Origin: null (sandboxed frame, file://)', status: 403, headers: () => ({ origin: 'null', 'content-type': 'application/json' }) },
    { name: 'text/plain without Origin', status: 403, headers: () => ({ 'content-type': 'text/plain;charset=UTF-8' }) },
    { name: 'a form body (urlencoded)', status: 403, headers: () => ({ 'content-type': 'application/x-www-form-urlencoded' }) },
    { name: 'a form body (multipart)', status: 403, headers: () => ({ 'content-type': 'multipart/form-data; boundary=x' }) },
    { name: 'Sec-Fetch-Site: cross-site', status: 403, headers: () => ({ 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }) },
    {
      name: 'DNS rebinding: Host names the page, Origin matches it',
      status: 421,
      headers: (h) => ({ host: `evil.example:${h.split(':')[1]}`, origin: `http://evil.example:${h.split(':')[1]}`, 'content-type': 'application/json' }),
    },
    { name: 'DNS rebinding: Host names the page, text/plain', status: 421, headers: () => ({ host: 'evil.example', 'content-type': 'text/plain' }) },
  ];

  it('every state-changing dev-API and Lambda-API request carrying a foreign Origin, a form content type or a foreign Host is refused and changes nothing', async () => {
    // A waiting message, so a purge that got through would show in the depth.
    expect((await send(dev.url, 'POST', '/_faasport/queues/inbox/messages', { 'content-type': 'application/json' }, '{"n":0}')).status).toBe(202);
    const before = await state(dev.url);
    const answers: string[] = [];
    for (const attack of attacks) {
      for (const route of stateChanging) {
        const res = await send(dev.url, route.method ?? 'POST', route.path, attack.headers(host), route.body());
        answers.push(`${attack.name} → ${route.name}: ${res.status}`);
        expect(res.status, `${attack.name} → ${route.name}: ${res.text}`).toBe(attack.status);
        expect(JSON.parse(res.text)).toMatchObject({ code: 'FORBIDDEN' });
      }
    }
    expect(answers).toHaveLength(attacks.length * stateChanging.length);
    expect(await state(dev.url)).toEqual(before);
    console.log(
      `[figures] dev-server guard: ${answers.length} hostile requests (${attacks.length} attacks × ${stateChanging.length} routes) refused, state unchanged`,
    );
  });

  it.each([
    ['GET', '/_faasport/functions'],
    ['GET', '/_faasport/queues'],
    ['GET', '/_faasport/queues/inbox/dead-letter'],
    ['GET', '/2015-03-31/functions'],
    ['POST', '/2015-03-31/functions/counts/invocations'],
    ['GET', '/_faasport/no-such-route'],
    // The dashboard: its page and files, its data and its event stream
    ['GET', '/_faasport/'],
    ['GET', '/_faasport/ui/app.js'],
    ['GET', '/_faasport/stream'],
    ['GET', '/_faasport/invocations'],
    ['GET', '/_faasport/queues/inbox/messages'],
    ['GET', '/_faasport/schedules'],
  ])('a foreign Host is refused with 421 on %s %s, and a foreign Origin with 403', async (method, path) => {
    const rebinding = await send(dev.url, method, path, { host: 'evil.example:80', 'content-type': 'application/json' }, method === 'POST' ? '{}' : undefined);
    expect(rebinding.status).toBe(421);
    const crossSite = await send(
      dev.url,
      method,
      path,
      { origin: 'https://evil.example', 'content-type': 'application/json' },
      method === 'POST' ? '{}' : undefined,
    );
    expect(crossSite.status).toBe(403);
  });

  it('requests from this machine without an Origin work with no ceremony: curl --json, a bodiless POST, localhost and [::1] names, and same-origin pages', async () => {
    const before = (await state(dev.url)) as { counts: { tick: number; event: number; news: number } };
    const port = host.split(':')[1]!;
    const json = { 'content-type': 'application/json' };
    expect((await send(dev.url, 'POST', '/_faasport/queues/inbox/messages', json, '{"n":1}')).status).toBe(202);
    expect((await send(dev.url, 'POST', '/_faasport/topics/news/messages', { ...json, host: `localhost:${port}` }, '{"n":1}')).status).toBe(202);
    expect((await send(dev.url, 'POST', '/_faasport/schedules/tick/run')).status).toBe(200); // curl -X POST, no body, no type
    expect((await send(dev.url, 'POST', '/_faasport/events', { ...json, host: `[::1]:${port}` }, cloudEvent)).status).toBe(202);
    // A page the dev server itself serves (a dashboard) sends its own origin.
    expect((await send(dev.url, 'GET', '/_faasport/functions', { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // The Lambda Invoke API as @aws-sdk/client-lambda calls it (application/octet-stream, any credentials on loopback).
    const lambda = lambdaClient(dev.url, 'AKIDANYTHING');
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'tick', Payload: Buffer.from(JSON.stringify(scheduledEvent())) }));
    lambda.destroy();
    expect(out.FunctionError).toBeUndefined();
    let after = (await state(dev.url)) as { queues: { queue: string; depth?: number }[]; counts: typeof before.counts };
    for (let i = 0; i < 50 && after.counts.event === before.counts.event; i++) after = (await state(dev.url)) as typeof after;
    expect(after.counts).toEqual({ tick: before.counts.tick + 2, event: before.counts.event + 1, news: before.counts.news + 1 });
  });

  it('the dashboard: a page on another site can neither navigate to it nor frame it; its own page gets the page, and the event stream', async () => {
    const crossSite = await send(dev.url, 'GET', '/_faasport/', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    expect(crossSite.status).toBe(403);
    const typed = await send(dev.url, 'GET', '/_faasport/', { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' });
    expect(typed.status).toBe(200);
    expect(typed.headers['content-type']).toMatch(/^text\/html/);
    expect(typed.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(typed.headers['content-security-policy']).toContain("script-src 'self'");
    expect(typed.headers['x-frame-options']).toBe('DENY');
    const ownPage = { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' };
    const stream = await head(dev.url, '/_faasport/stream', ownPage);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect((await head(dev.url, '/_faasport/stream', { ...ownPage, origin: 'http://evil.example' })).status).toBe(403);
    expect((await head(dev.url, '/_faasport/stream', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });

  it("the app's own routes are not the guard's: they answer any Host, as the app decides", async () => {
    expect((await send(dev.url, 'GET', '/counts', { host: 'shop.example' })).status).toBe(200);
  });

  it('the Lambda control API is off unless asked for: CreateFunction and UpdateFunctionCode answer 403 and change nothing', async () => {
    const lambda = lambdaClient(dev.url, 'AKIDANYTHING');
    const zip = Buffer.from(zipSync({ 'index.js': new TextEncoder().encode('exports.handler = async () => 1;') }));
    await expect(
      lambda.send(new CreateFunctionCommand({ FunctionName: 'uploaded', Runtime: 'nodejs20.x', Role: 'r', Handler: 'index.handler', Code: { ZipFile: zip } })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining('--lambda-control-api'),
    });
    await expect(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'tick', ZipFile: zip }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(lambda.send(new ListFunctionsCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    lambda.destroy();
  });

  it('outside production, a failed schedule run answers with its message (what production mode hides)', async () => {
    const res = await send(dev.url, 'POST', '/_faasport/schedules/broken/run');
    expect(res.status).toBe(500);
    expect(res.text).toContain(HELD_SECRET);
  });
});

describe('faasport dev --lambda-control-api: uploaded code needs the per-run credential', () => {
  let dev: DevChild;
  beforeAll(async () => {
    dev = await startDev([APP, '--port', '0', '--no-schedules', '--lambda-control-api'], { expectToken: true });
  }, 60_000);
  afterAll(() => dev?.stop());
  const zip = Buffer.from(zipSync({ 'index.js': new TextEncoder().encode('exports.handler = async () => "uploaded";') }));
  const create = (name: string) =>
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::000000000000:role/r',
      Handler: 'index.handler',
      Code: { ZipFile: zip },
    });

  it('prints the access key id to deploy with', () => {
    expect(dev.token).toMatch(/^FPDEV[0-9A-F]{32}$/);
    expect(dev.output()).toContain(`AWS_ACCESS_KEY_ID=${dev.token}`);
  });

  it('without it (no Authorization, another access key id, a wrong bearer) the control API answers 401 and creates nothing', async () => {
    const other = lambdaClient(dev.url, 'AKIDLOCALTEST');
    await expect(other.send(create('uploaded'))).rejects.toMatchObject({ $metadata: { httpStatusCode: 401 } });
    other.destroy();
    const json = { 'content-type': 'application/json' };
    expect((await send(dev.url, 'POST', '/2015-03-31/functions', json, '{}')).status).toBe(401);
    expect((await send(dev.url, 'GET', '/2015-03-31/functions', { authorization: 'Bearer FPDEV0000' })).status).toBe(401);
    const list = await send(dev.url, 'GET', '/2015-03-31/functions', { 'x-faasport-token': dev.token! });
    expect(list.status).toBe(200);
    expect(JSON.parse(list.text)).toEqual({ Functions: [] });
  });

  it("is never written to a log line: a handler that logs its request's headers gets [redacted] in their place", async () => {
    const res = await send(dev.url, 'GET', '/echo-headers', { 'x-faasport-token': dev.token!, authorization: `Bearer ${dev.token!}` });
    expect(res.status).toBe(200);
    let line: string | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      line = dev
        .output()
        .split('\n')
        .find((l) => l.includes('request headers'));
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    expect(line, dev.output()).toContain('[redacted]');
    expect(line).not.toContain(dev.token!);
  });

  it('the credential does not open the door to a web page: a foreign Origin with it is still refused', async () => {
    const res = await send(
      dev.url,
      'POST',
      '/2015-03-31/functions',
      { origin: 'http://evil.example', 'content-type': 'application/json', 'x-faasport-token': dev.token! },
      '{}',
    );
    expect(res.status).toBe(403);
  });

  it("with it, a function may not take an app function's name; the app's function still answers", async () => {
    const lambda = lambdaClient(dev.url, dev.token!);
    await expect(lambda.send(create('tick'))).rejects.toMatchObject({ name: 'ResourceConflictException', $metadata: { httpStatusCode: 409 } });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'tick', Payload: Buffer.from(JSON.stringify(scheduledEvent())) }));
    expect(out.FunctionError).toBeUndefined();
    const created = await lambda.send(create('uploaded'));
    expect(created.FunctionName).toBe('uploaded');
    lambda.destroy();
  });
});

describe('faasport dev --host beyond loopback: a warning, and a token on every dev and Lambda API request', () => {
  // 127.1 is no loopback literal, so faasport treats it as it treats 0.0.0.0 or a LAN address;
  // the resolver maps it to 127.0.0.1, so the test itself stays on loopback.
  let dev: DevChild;
  beforeAll(async () => {
    dev = await startDev([APP, '--port', '0', '--no-schedules', '--host', '127.1'], { expectToken: true });
  }, 60_000);
  afterAll(() => dev?.stop());

  it('prints the address it really listens on, a warning and the token', () => {
    expect(dev.url).toMatch(/^http:\/\/127\.1:\d+$/);
    expect(dev.output()).toMatch(/WARNING: listening on http:\/\/127\.1:\d+/);
    expect(dev.output()).toContain(`x-faasport-token: ${dev.token}`);
  });

  it.each([
    ['GET', '/_faasport/queues/inbox/dead-letter'],
    ['GET', '/_faasport/functions'],
    ['POST', '/_faasport/schedules/tick/run'],
    ['POST', '/2015-03-31/functions/tick/invocations'],
  ])('%s %s: 401 without the token; with x-faasport-token or a bearer it answers', async (method, path) => {
    const body = method === 'POST' ? JSON.stringify(scheduledEvent()) : undefined;
    const json = { 'content-type': 'application/json' };
    const without = await send(dev.url, method, path, json, body);
    expect(without.status).toBe(401);
    expect(without.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await send(dev.url, method, path, { ...json, 'x-faasport-token': `${dev.token}x` }, body)).status).toBe(401);
    expect((await send(dev.url, method, path, { ...json, 'x-faasport-token': dev.token! }, body)).status).toBeLessThan(300);
    expect((await send(dev.url, method, path, { ...json, authorization: `Bearer ${dev.token}` }, body)).status).toBeLessThan(300);
  });

  it('@aws-sdk/client-lambda invokes with the token as its access key id, and not without it', async () => {
    const denied = lambdaClient(dev.url, 'AKIDLOCALTEST');
    await expect(denied.send(new InvokeCommand({ FunctionName: 'tick', Payload: Buffer.from('{}') }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 401 },
    });
    denied.destroy();
    const lambda = lambdaClient(dev.url, dev.token!);
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'tick', Payload: Buffer.from(JSON.stringify(scheduledEvent())) }));
    lambda.destroy();
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
  });

  it("the app's own routes answer without the token", async () => {
    expect((await send(dev.url, 'GET', '/counts')).status).toBe(200);
  });

  it('the dashboard: the printed URL carries the token in its fragment; the page and its files load without it (they hold no data), its data and event stream do not', async () => {
    expect(await printed(dev, 'dashboard: ')).toContain(`dashboard: ${dev.url}/_faasport/#token=${dev.token}`);
    expect((await send(dev.url, 'GET', '/_faasport/')).status).toBe(200);
    expect((await send(dev.url, 'GET', '/_faasport/ui/api.js')).status).toBe(200);
    for (const path of ['/_faasport/stream', '/_faasport/invocations', '/_faasport/schedules', '/_faasport/queues/inbox/messages']) {
      expect((await head(dev.url, path)).status, path).toBe(401);
      expect((await head(dev.url, path, { 'x-faasport-token': dev.token! })).status, path).toBe(200);
    }
    // Only the files: anything else under /_faasport/ still needs it
    expect((await send(dev.url, 'GET', '/_faasport/ui/../queues')).status).toBe(401);
  });
});

describe('faasport dev with NODE_ENV=production: the dev API and the Lambda Invoke API redact as the app routes do', () => {
  let dev: DevChild;
  beforeAll(async () => {
    dev = await startDev([APP, '--port', '0', '--no-schedules', '--lambda-control-api'], { env: { NODE_ENV: 'production' }, expectToken: true });
  }, 60_000);
  afterAll(() => dev?.stop());
  const noDetail = (text: string): void => {
    expect(text).not.toContain(HELD_SECRET);
    expect(text).not.toMatch(/dev-server-app\.ts|\bat\s+\S+\s+\(|stack|trace/i);
  };

  it('the dashboard (log lines, error messages) is off', async () => {
    expect(await printed(dev, 'dashboard: ')).toContain('dashboard: off (NODE_ENV=production)');
    expect((await send(dev.url, 'GET', '/_faasport/')).status).toBe(404);
    expect((await send(dev.url, 'GET', '/_faasport/stream')).status).toBe(404);
  });

  it('a failed schedule run answers 500 with no message and no stack', async () => {
    const res = await send(dev.url, 'POST', '/_faasport/schedules/broken/run');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({ ok: false, error: 'Internal Server Error' });
    noDetail(res.text);
    // The operator's log keeps the real error.
    expect(dev.output()).toContain('warehouse login failed');
  });

  it('a function error through the Lambda Invoke API carries no message and no trace', async () => {
    const lambda = lambdaClient(dev.url, 'AKIDANYTHING');
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'broken', Payload: Buffer.from(JSON.stringify(scheduledEvent())) }));
    expect(out.FunctionError).toBe('Unhandled');
    const payload = Buffer.from(out.Payload!).toString('utf8');
    expect(JSON.parse(payload)).toEqual({ errorType: 'Error', errorMessage: 'Internal Server Error' });
    noDetail(payload);
    // An HTTP function that throws, invoked with an API Gateway event: the same bare 500 as its route.
    const event = loadFixture<Record<string, unknown>>('apigw-http/minimal.json');
    const http = await lambda.send(
      new InvokeCommand({
        FunctionName: 'explode',
        Payload: Buffer.from(
          JSON.stringify({
            ...event,
            rawPath: '/explode',
            requestContext: {
              ...(event.requestContext as object),
              http: { method: 'GET', path: '/explode', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
            },
          }),
        ),
      }),
    );
    lambda.destroy();
    const result = JSON.parse(Buffer.from(http.Payload!).toString('utf8')) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'Internal Server Error' });
    noDetail(JSON.stringify(result));
  });

  it('a function deployed through the control API that throws: the error payload carries no message and no trace', async () => {
    const lambda = lambdaClient(dev.url, dev.token!);
    const code = `exports.handler = async () => { throw new Error(${JSON.stringify(`payroll db refused ${HELD_SECRET}`)}); };`;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'thrower',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: { ZipFile: Buffer.from(zipSync({ 'index.js': new TextEncoder().encode(code) })) },
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'thrower', Payload: Buffer.from('{}') }));
    lambda.destroy();
    expect(out.FunctionError).toBe('Unhandled');
    const payload = Buffer.from(out.Payload!).toString('utf8');
    expect(JSON.parse(payload)).toEqual({ errorType: 'Error', errorMessage: 'Internal Server Error' });
    noDetail(payload);
  }, 60_000);
});
