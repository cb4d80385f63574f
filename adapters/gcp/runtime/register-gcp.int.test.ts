import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type CloudEvent, type Context, type LogRecord, type QueueMessage, type ScheduleTick } from 'faasport';
import { CONTENT_TYPE_ATTRIBUTE } from './decode-pubsub.js';
import { PUBSUB_MAX_ATTRIBUTES } from './producer.js';
import { fixtureText, loadFixture } from '../testing/load-fixture.js';
import type { PubsubOutgoingMessage, PubsubPublisher } from './pubsub-publisher.js';
import { registerGcp } from './register-gcp.js';
import { serveRegistered, type ServedFunction } from '../testing/serve-registered.js';

// ── the app under test ─────────────────────────────────────────────────────────
interface Seen {
  fn: string;
  message?: QueueMessage<unknown>;
  event?: CloudEvent;
  tick?: ScheduleTick;
  ctx: Context;
}
const seen: Seen[] = [];
const logs: LogRecord[] = [];
const deadLetters: { topic: string; messages: readonly PubsubOutgoingMessage[] }[] = [];
/** Test double for the Pub/Sub service the dead-lettering publishes to. */
const publisher: PubsubPublisher = {
  async publish(topic, messages) {
    deadLetters.push({ topic, messages });
    return messages.map((_, i) => `dl-${deadLetters.length}-${i}`);
  },
  async close() {},
};

const app = createApp('web');
// maxAttempts 3, like examples/shop: below Pub/Sub's floor of 5, so the adapter dead-letters itself.
const orders = app.queue<{ id: string; fail?: boolean }>('orders', { maxAttempts: 3 });
const feed = app.topic('feed');
app.http('echo', { method: '*', route: '/echo/*', timeoutMs: 20_000 }, async (req, ctx) => {
  const url = new URL(req.url);
  return Response.json({
    method: req.method,
    path: url.pathname,
    params: ctx.params,
    query: [...url.searchParams],
    multi: req.headers.get('x-multi'),
    bodyBase64: Buffer.from(await req.arrayBuffer()).toString('base64'),
    invocationId: ctx.invocationId,
    provider: ctx.provider,
    traceId: ctx.trace.traceId,
    parentSpanId: ctx.trace.parentSpanId ?? null,
    remainingTimeMs: ctx.remainingTimeMs(),
  });
});
app.http('cookies', { route: '/cookies' }, () => {
  const headers = new Headers({ 'content-type': 'text/plain' });
  headers.append('set-cookie', 'session=abc; Path=/; HttpOnly');
  headers.append('set-cookie', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT');
  headers.append('x-multi', 'one');
  headers.append('x-multi', 'two');
  return new Response('set', { status: 201, headers });
});
app.http(
  'binary',
  { route: '/binary' },
  () =>
    new Response(
      Uint8Array.from({ length: 256 }, (_, i) => i),
      { headers: { 'content-type': 'image/png' } },
    ),
);
app.http('boom', { route: '/boom' }, () => {
  throw new Error('internal detail: db password rejected');
});
orders.consume('fulfil', async (message, ctx) => {
  seen.push({ fn: 'fulfil', message, ctx });
  if ((message.body as { fail?: boolean }).fail) throw new Error(`cannot fulfil ${(message.body as { id: string }).id}`);
});
feed.subscribe('tap', async (message, ctx) => void seen.push({ fn: 'tap', message, ctx }));
app.schedule('nightly', { cron: '0 3 * * *' }, async (tick, ctx) => void seen.push({ fn: 'nightly', tick, ctx }));
app.event('onStorage', { type: 'google.cloud.storage.object.v1.*' }, async (event, ctx) => void seen.push({ fn: 'onStorage', event, ctx }));
app.event('anyEvent', {}, async (event, ctx) => void seen.push({ fn: 'anyEvent', event, ctx }));

// A second app with the default mode (production unless NODE_ENV=development; vitest sets "test"),
// to see what a failing function shows the world there.
const prod = createApp('prod');
prod.http('prodBoom', { route: '/boom' }, () => {
  throw new Error('internal detail: db password rejected');
});

const servers: Record<string, ServedFunction> = {};
const url = (fn: string, path = '/') => servers[fn]!.url + path;
const last = (fn: string) => seen.filter((s) => s.fn === fn).at(-1)!;

beforeAll(async () => {
  registerGcp(app, { logSink: (r) => logs.push(r), publisher, maxHttpBodyBytes: 1024 * 1024, production: false });
  registerGcp(prod, { logSink: () => {} });
  for (const fn of [...app.functions.map((f) => f.name), 'prodBoom']) servers[fn] = await serveRegistered(fn);
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

// ── wire forms, as Google's infrastructure sends them ────────────────────────────
type Attrs = { id: string; source: string; type: string; time?: string; subject?: string };
const binary = (target: string, attrs: Attrs, data: unknown, headers: Record<string, string> = {}) =>
  fetch(target, {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      ...Object.fromEntries(Object.entries(attrs).map(([k, v]) => [`ce-${k}`, String(v)])),
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify(data),
  });
const structured = (target: string, text: string, headers: Record<string, string> = {}) =>
  fetch(target, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', ...headers }, body: text });
const plainJson = (target: string, text: string, headers: Record<string, string> = {}) =>
  fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });

const PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';
const ordersSource = '//pubsub.googleapis.com/projects/p/topics/web-orders';
function pubsubData(body: unknown, extra: { attributes?: Record<string, string>; deliveryAttempt?: number; messageId?: string } = {}) {
  return {
    subscription: 'projects/p/subscriptions/web-orders-fulfil',
    message: {
      data: Buffer.from(JSON.stringify(body)).toString('base64'),
      messageId: extra.messageId ?? 'm-1',
      publishTime: '2024-05-01T10:00:00.000Z',
      attributes: { [CONTENT_TYPE_ATTRIBUTE]: 'application/json', ...extra.attributes },
    },
    ...(extra.deliveryAttempt ? { deliveryAttempt: extra.deliveryAttempt } : {}),
  };
}

// ── HTTP ─────────────────────────────────────────────────────────────────────
describe('http through the framework server', () => {
  test('method, wildcard param, repeated query keys and headers reach the handler', async () => {
    const res = await fetch(url('echo', '/echo/a/b%20c?x=1&x=2'), {
      headers: [
        ['x-multi', 'one'],
        ['x-multi', 'two'],
      ],
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      method: 'GET',
      path: '/echo/a/b%20c',
      params: { '*': 'a/b c' },
      query: [
        ['x', '1'],
        ['x', '2'],
      ],
      multi: 'one, two',
      provider: 'gcp',
    });
  });

  test.each([
    { name: 'binary bytes', headers: { 'content-type': 'application/octet-stream' }, body: Uint8Array.from({ length: 256 }, (_, i) => i) },
    {
      name: 'JSON text (parsed by the framework, raw bytes kept)',
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode('{"a": 1,  "b":[2]}'),
    },
    { name: 'a form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new TextEncoder().encode('a=1&a=2&b=%C3%A9') },
    { name: 'no content type (no parser ran)', headers: {}, body: new TextEncoder().encode('raw text') },
  ] as { name: string; headers: Record<string, string>; body: Uint8Array<ArrayBuffer> }[])(
    'the body arrives byte for byte: $name',
    async ({ headers, body }) => {
      const res = await fetch(url('echo', '/echo/x'), { method: 'POST', headers, body });
      const echoed = await res.json();
      expect(echoed.bodyBase64).toBe(Buffer.from(body).toString('base64'));
    },
  );

  test('status, each Set-Cookie on its own header line, repeated headers', async () => {
    const res = await fetch(url('cookies', '/cookies'));
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT']);
    expect(res.headers.get('x-multi')).toBe('one, two');
    expect(res.headers.get('etag')).toBeNull();
    expect(await res.text()).toBe('set');
  });

  test('a binary response is intact', async () => {
    const res = await fetch(url('binary', '/binary'));
    expect(res.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });

  test('HEAD answers a GET route without a body', async () => {
    const res = await fetch(url('binary', '/binary'), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  test('a path outside the route is 404, a method outside the list 405 with Allow', async () => {
    const notFound = await fetch(url('cookies', '/elsewhere'));
    expect(notFound.status).toBe(404);
    expect((await notFound.json()).code).toBe('NOT_FOUND');
    const notAllowed = await fetch(url('cookies', '/cookies'), { method: 'DELETE' });
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers.get('allow')).toBe('GET, HEAD');
  });

  test('a body over the limit is 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(url('echo', '/echo/big'), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('errors: stack outside production, a bare message in production', async () => {
    const dev = await (await fetch(url('boom', '/boom'))).json();
    expect(dev.error).toContain('db password rejected');
    expect(dev.stack).toBeDefined();
    const res = await fetch(url('prodBoom', '/boom'));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('password');
    expect(JSON.parse(text)).toMatchObject({ error: 'Internal Server Error' });
  });

  test("context: execution id header, traceparent, the function's timeout as deadline", async () => {
    const res = await fetch(url('echo', '/echo/ctx'), {
      headers: { 'function-execution-id': 'exec-42', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    const body = await res.json();
    expect(body.invocationId).toBe('exec-42');
    expect(body.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(body.parentSpanId).toBe('00f067aa0ba902b7');
    expect(body.remainingTimeMs).toBeGreaterThan(19_000);
    expect(body.remainingTimeMs).toBeLessThanOrEqual(20_000);
  });

  test('context: X-Cloud-Trace-Context when there is no traceparent', async () => {
    const res = await fetch(url('echo', '/echo/ctx'), { headers: { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' } });
    const body = await res.json();
    expect(body.traceId).toBe('105445aa7843bc8bf206b12000100000');
    expect(body.parentSpanId).toBe('0000000000000001');
  });
});

// ── Pub/Sub ──────────────────────────────────────────────────────────────────
describe('Pub/Sub queue consumer through the framework server', () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  test("binary CloudEvent (Eventarc): JSON body, attributes, id, publish time, delivery attempt, the sender's trace", async () => {
    const res = await binary(
      url('fulfil'),
      { id: 'ce-1', source: ordersSource, type: PUBLISHED, time: '2024-05-01T10:00:00Z' },
      pubsubData({ id: 'o-1' }, { attributes: { tenant: 'a', traceparent }, deliveryAttempt: 2 }),
      { 'function-execution-id': 'exec-pubsub-1' },
    );
    expect(res.status).toBe(204);
    const { message, ctx } = last('fulfil');
    expect(message).toMatchObject({ id: 'm-1', body: { id: 'o-1' }, attempt: 2, attributes: { tenant: 'a', traceparent } });
    expect(message!.enqueuedAt.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(ctx.attempt).toBe(2);
    expect(ctx.trace.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(ctx.invocationId).toBe('exec-pubsub-1');
    expect(ctx.deadline - Date.now()).toBeLessThanOrEqual(30_000);
  });

  test('structured CloudEvent: the same message', async () => {
    const event = {
      specversion: '1.0',
      id: 'ce-2',
      source: ordersSource,
      type: PUBLISHED,
      datacontenttype: 'application/json',
      data: pubsubData({ id: 'o-2' }, { messageId: 'm-2' }),
    };
    const res = await structured(url('fulfil'), JSON.stringify(event));
    expect(res.status).toBe(204);
    expect(last('fulfil').message).toMatchObject({ id: 'm-2', body: { id: 'o-2' }, attempt: 1 });
  });

  test('legacy push body ({ message, subscription }): delivered, though the framework keeps only data, attributes, id and time', async () => {
    const body = { ...pubsubData({ id: 'o-3' }, { messageId: 'm-3' }), deliveryAttempt: 3 };
    (body.message as Record<string, unknown>).orderingKey = 'k';
    const res = await plainJson(url('fulfil', '/projects/p/topics/web-orders'), JSON.stringify(body));
    expect(res.status).toBe(204);
    const { message } = last('fulfil');
    expect(message).toMatchObject({ id: 'm-3', body: { id: 'o-3' } });
    // The framework's pubsub middleware drops orderingKey and deliveryAttempt (deploys use Eventarc, which keeps them).
    expect(message!.attempt).toBe(1);
    expect(message!.groupId).toBeUndefined();
  });

  test("a failure before the last attempt answers 500 so Pub/Sub redelivers; the handler's text stays in the log", async () => {
    const res = await binary(
      url('fulfil'),
      { id: 'ce-4', source: ordersSource, type: PUBLISHED },
      pubsubData({ id: 'o-4', fail: true }, { messageId: 'm-4', deliveryAttempt: 2 }),
    );
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('queue "orders" consumer "fulfil" failed on message m-4');
    expect(text).not.toContain('cannot fulfil');
    expect(deadLetters.filter((d) => Buffer.from(d.messages[0]!.data).includes('o-4'))).toHaveLength(0);
    expect(logs.some((r) => r.level === 'error' && JSON.stringify(r).includes('cannot fulfil o-4'))).toBe(true);
  });

  test("a failure on attempt maxAttempts (3, below Pub/Sub's 5) forwards the message to the dead-letter topic with the error, then acks", async () => {
    const res = await binary(
      url('fulfil'),
      { id: 'ce-5', source: ordersSource, type: PUBLISHED },
      pubsubData({ id: 'o-5', fail: true }, { messageId: 'm-5', deliveryAttempt: 3 }),
    );
    expect(res.status).toBe(204);
    const letter = deadLetters.at(-1)!;
    expect(letter.topic).toBe('web-orders-dead-letter');
    expect(JSON.parse(Buffer.from(letter.messages[0]!.data).toString())).toEqual({ id: 'o-5', fail: true });
    expect(letter.messages[0]!.attributes).toMatchObject({
      'faasport-dead-letter-message-id': 'm-5',
      'faasport-dead-letter-attempts': '3',
      'faasport-dead-letter-error': JSON.stringify({ name: 'Error', message: 'cannot fulfil o-5' }),
    });
    expect(logs.some((r) => r.msg === 'message dead-lettered' && r.functionName === 'fulfil' && r.attempts === 3)).toBe(true);
  });

  test('when that forward fails, the message is nacked (500) so Pub/Sub redelivers it, and the next failing delivery forwards it', async () => {
    const failing = createApp('flaky');
    failing.queue<{ id: string }>('jobs', { maxAttempts: 2 }).consume('flakyWorker', (m) => {
      throw new Error(`cannot do ${m.body.id}`);
    });
    const published: string[] = [];
    let down = true;
    const flakyPublisher: PubsubPublisher = {
      async publish(topic, messages) {
        if (down) throw new Error('Pub/Sub unavailable');
        published.push(topic);
        return messages.map(() => 'dl');
      },
      async close() {},
    };
    const own: LogRecord[] = [];
    registerGcp(failing, { logSink: (r) => own.push(r), publisher: flakyPublisher, production: false });
    const served = await serveRegistered('flakyWorker');
    try {
      const deliver = (attempt: number) =>
        binary(
          served.url + '/',
          { id: `f-${attempt}`, source: '//pubsub.googleapis.com/projects/p/topics/flaky-jobs', type: PUBLISHED },
          pubsubData({ id: 'j-1' }, { messageId: 'j-1', deliveryAttempt: attempt }),
        );
      expect((await deliver(2)).status).toBe(500);
      expect(own.some((r) => r.level === 'error' && r.msg === 'could not write the dead letter' && /the message is nacked/.test(String(r.then)))).toBe(true);
      down = false;
      expect((await deliver(3)).status).toBe(204);
      expect(published).toEqual(['flaky-jobs-dead-letter']);
    } finally {
      await served.close();
    }
  });

  test("a message with too many attributes for faasport's record is left to Pub/Sub's policy (500), and the log says why", async () => {
    const attributes = Object.fromEntries(Array.from({ length: PUBSUB_MAX_ATTRIBUTES - 2 }, (_, i) => [`a${i}`, 'x']));
    const before = deadLetters.length;
    const res = await binary(
      url('fulfil'),
      { id: 'ce-8', source: ordersSource, type: PUBLISHED },
      pubsubData({ id: 'o-8', fail: true }, { messageId: 'm-8', deliveryAttempt: 3, attributes }),
    );
    expect(res.status).toBe(500);
    expect(deadLetters.length).toBe(before);
    expect(
      logs.some(
        (r) =>
          r.level === 'error' &&
          r.messageId === 'm-8' &&
          r.msg === 'could not write the dead letter' &&
          /too many attributes for faasport's dead-letter record/.test(JSON.stringify(r.error)),
      ),
    ).toBe(true);
  });

  test('a failure with no delivery count leaves the decision to Pub/Sub (500)', async () => {
    const res = await binary(url('fulfil'), { id: 'ce-6', source: ordersSource, type: PUBLISHED }, pubsubData({ id: 'o-6', fail: true }, { messageId: 'm-6' }));
    expect(res.status).toBe(500);
  });

  test('deliveries without a count are said to lack one once per function, not once per message', async () => {
    const own: LogRecord[] = [];
    const solo = createApp('nocount');
    solo.queue<{ fail?: boolean }>('jobs').consume('nocountWorker', (m) => {
      if (m.body.fail) throw new Error('planned');
    });
    registerGcp(solo, { logSink: (r) => own.push(r), publisher, production: false });
    const served = await serveRegistered('nocountWorker');
    try {
      for (const id of ['n-1', 'n-2', 'n-3']) {
        const res = await binary(
          served.url + '/',
          { id, source: '//pubsub.googleapis.com/projects/p/topics/nocount-jobs', type: PUBLISHED },
          pubsubData({ fail: true }, { messageId: id }),
        );
        expect(res.status).toBe(500);
      }
      const warnings = own.filter((r) => r.level === 'warn' && /carry no delivery count/.test(r.msg));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.msg).toContain('faasport cannot stop at maxAttempts 5');
      expect(warnings[0]).toMatchObject({ functionName: 'nocountWorker' });
    } finally {
      await served.close();
    }
  });

  test('an event without a Pub/Sub message answers 500 (kept on the path to the dead-letter topic)', async () => {
    const res = await binary(url('fulfil'), { id: 'ce-7', source: ordersSource, type: PUBLISHED }, { hello: 'world' });
    expect(res.status).toBe(500);
    expect(logs.some((r) => r.msg === 'event cannot be decoded')).toBe(true);
  });
});

// ── the vendor fixtures, each in its own wire form ───────────────────────────────
type Form = 'structured' | 'binary' | 'push' | 'legacy';
const fixtureCases: { file: string; form: Form; fn: string; id: string; type?: string; check?: (s: Seen) => void }[] = [
  {
    file: 'google/pubsub/cloudevent-structured-with-ordering-key.json',
    form: 'structured',
    fn: 'tap',
    id: 'message-id',
    check: (s) => expect(s.message!.groupId).toBe('ordering-key'),
  },
  { file: 'google/pubsub/cloudevent-input-with-subscription.json', form: 'structured', fn: 'tap', id: 'aaaaaa-1111-bbbb-2222-cccccccccccc' },
  { file: 'google/pubsub/cloudevent-expected-output-from-legacy.json', form: 'structured', fn: 'tap', id: 'aaaaaa-1111-bbbb-2222-cccccccccccc' },
  {
    file: 'google/pubsub/ce-data-text.json',
    form: 'binary',
    fn: 'tap',
    id: 'message-id',
    check: (s) => expect(Buffer.from(s.message!.body as Uint8Array).toString()).toBe('test message 3'),
  },
  {
    file: 'google/pubsub/ce-data-binary-no-attributes.json',
    form: 'binary',
    fn: 'tap',
    id: 'message-id',
    check: (s) => expect([...(s.message!.body as Uint8Array)]).toEqual([1, 2, 3, 4]),
  },
  { file: 'google/pubsub/ce-data-duplicated-snake-case-fields.json', form: 'binary', fn: 'tap', id: 'message-id' },
  {
    file: 'google/pubsub/push-subscription-body.json',
    form: 'push',
    fn: 'tap',
    id: '4102184774039362',
    check: (s) => expect(s.message!.enqueuedAt.toISOString()).toBe('2022-02-15T11:28:32.942Z'),
  },
  {
    file: 'google/pubsub/push-from-emulator.json',
    form: 'push',
    fn: 'tap',
    id: '1',
    check: (s) => expect(s.message!.attributes).toEqual({ attr1: 'attr-value1' }),
  },
  {
    file: 'google/pubsub/legacy-background-context.json',
    form: 'legacy',
    fn: 'tap',
    id: 'aaaaaa-1111-bbbb-2222-cccccccccccc',
    check: (s) => expect(s.message!.enqueuedAt.toISOString()).toBe('2020-09-29T11:32:00.123Z'),
  },
  {
    file: 'google/pubsub/legacy-flat-providers-eventtype.json',
    form: 'legacy',
    fn: 'tap',
    id: 'aaaaaa-1111-bbbb-2222-cccccccccccc',
    check: (s) => expect(s.message!.attributes).toEqual({ attribute1: 'value1' }),
  },
  {
    file: 'google/pubsub/legacy-microsecond-timestamp.json',
    form: 'legacy',
    fn: 'tap',
    id: '1144231683168617',
    check: (s) => expect(s.message!.enqueuedAt.toISOString()).toBe('2020-05-06T07:33:34.556Z'),
  },
  {
    file: 'google/storage/cloudevent-finalized.json',
    form: 'structured',
    fn: 'onStorage',
    id: 'aaaaaa-1111-bbbb-2222-cccccccccccc',
    type: 'google.cloud.storage.object.v1.finalized',
    check: (s) => expect(s.event!.subject).toBe('objects/folder/Test.cs'),
  },
  { file: 'google/storage/cloudevent-workflows-variant.json', form: 'structured', fn: 'onStorage', id: '', type: 'google.cloud.storage.object.v1.finalized' },
  {
    file: 'google/storage/ce-data-finalized-int64-as-strings.json',
    form: 'binary',
    fn: 'onStorage',
    id: 'fixture-id',
    type: 'google.cloud.storage.object.v1.finalized',
  },
  {
    file: 'google/storage/ce-data-complex-numbers-and-timedeleted.json',
    form: 'binary',
    fn: 'onStorage',
    id: 'fixture-id',
    type: 'google.cloud.storage.object.v1.finalized',
  },
  {
    file: 'google/storage/legacy-background-finalize.json',
    form: 'legacy',
    fn: 'onStorage',
    id: 'aaaaaa-1111-bbbb-2222-cccccccccccc',
    type: 'google.cloud.storage.object.v1.finalized',
    check: (s) => expect(s.event!.subject).toBe('objects/folder/Test.cs'),
  },
  {
    file: 'google/storage/legacy-flat-object-change-deleted.json',
    form: 'legacy',
    fn: 'onStorage',
    id: '1200401551653202',
    type: 'google.cloud.storage.object.v1.finalized',
  },
  {
    file: 'google/firestore/cloudevent-written.json',
    form: 'structured',
    fn: 'anyEvent',
    id: 'aaaaaa-1111-bbbb-2222-cccccccccccc',
    type: 'google.cloud.firestore.document.v1.written',
  },
  {
    file: 'google/firestore/ce-data-create-all-value-types.json',
    form: 'binary',
    fn: 'anyEvent',
    id: 'fixture-id',
    type: 'google.cloud.firestore.document.v1.created',
  },
  {
    file: 'google/firestore/ce-data-update-with-mask.json',
    form: 'binary',
    fn: 'anyEvent',
    id: 'fixture-id',
    type: 'google.cloud.firestore.document.v1.updated',
  },
  { file: 'google/firestore/legacy-flat-document-write.json', form: 'legacy', fn: 'anyEvent', id: '', type: 'google.cloud.firestore.document.v1.written' },
  { file: 'google/scheduler/ce-data-job-custom-data.json', form: 'binary', fn: 'nightly', id: 'fixture-id', type: 'google.cloud.scheduler.job.v1.executed' },
];

describe.each(fixtureCases)('fixture $file as $form to $fn', ({ file, form, fn, id, type, check }) => {
  test('is accepted (2xx) and decoded', async () => {
    // Prepare
    const before = seen.length;
    const text = fixtureText(file);
    const expectedId = id || (loadFixture(file).id as string | undefined) || (loadFixture(file).eventId as string);
    // Act
    const res =
      form === 'structured'
        ? await structured(url(fn), text)
        : form === 'binary'
          ? await binary(
              url(fn),
              {
                id: 'fixture-id',
                source: fn === 'tap' ? '//pubsub.googleapis.com/projects/p/topics/web-feed' : '//fixture.test/source',
                type: type ?? PUBLISHED,
                time: '2024-05-01T10:00:00Z',
              },
              loadFixture(file),
            )
          : await plainJson(url(fn, '/projects/sample-project/topics/gcf-test'), text);
    // Assess
    expect(res.status, await res.clone().text()).toBe(204);
    const got = seen.slice(before).find((s) => s.fn === fn)!;
    expect(got).toBeDefined();
    if (got.message) expect(got.message.id).toBe(expectedId);
    if (got.event) {
      expect(got.event.id).toBe(expectedId);
      expect(got.event.type).toBe(type);
    }
    check?.(got);
  });
});

describe('binary-mode CloudEvent: the Content-Type becomes datacontenttype, as on every adapter', () => {
  // The framework parses JSON types into values and anything else (but text/plain) into bytes. A
  // text/plain binary event never reaches faasport: the framework's legacy-event middleware runs
  // `'context' in body` on the string and answers 500 itself (functions-framework 5.0.5). The
  // framework builds the event from the ce-* headers only; the Content-Type, parameters and
  // vendor types included, is carried by faasport's hook (carryBinaryContentType).
  test.each([
    { contentType: 'application/json', body: '{"n":3}', datacontenttype: 'application/json', data: { n: 3 } },
    { contentType: 'application/json; charset=utf-8', body: '{"n":3}', datacontenttype: 'application/json; charset=utf-8', data: { n: 3 } },
    { contentType: 'application/octet-stream', body: 'ab', datacontenttype: 'application/octet-stream', data: new Uint8Array([97, 98]) },
    { contentType: 'image/png', body: 'ab', datacontenttype: 'image/png', data: new Uint8Array([97, 98]) },
    {
      contentType: 'application/vnd.example+json',
      body: '{"n":3}',
      datacontenttype: 'application/vnd.example+json',
      data: new TextEncoder().encode('{"n":3}'),
    },
  ])('$contentType', async ({ contentType, body, datacontenttype, data }) => {
    const before = seen.length;
    const res = await fetch(url('anyEvent'), {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': `dct-${contentType}`,
        'ce-source': '//conformance.test',
        'ce-type': 'example.ping',
        'content-type': contentType,
      },
      body,
    });
    expect(res.status, await res.clone().text()).toBe(204);
    const got = seen.slice(before).find((s) => s.fn === 'anyEvent')!;
    expect(got.event!.datacontenttype).toBe(datacontenttype);
    if (data instanceof Uint8Array) expect([...(got.event!.data as Uint8Array)]).toEqual([...data]);
    else expect(got.event!.data).toEqual(data);
  });

  test('a ce-datacontenttype header is not the binary-mode attribute: the Content-Type still is', async () => {
    const before = seen.length;
    const res = await fetch(url('anyEvent'), {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'dct-header',
        'ce-source': '//conformance.test',
        'ce-type': 'example.ping',
        'ce-datacontenttype': 'text/xml',
        'content-type': 'application/json',
      },
      body: '{"n":1}',
    });
    expect(res.status, await res.clone().text()).toBe(204);
    // The framework copies every ce-* header; the body was parsed as the Content-Type says, and that is its type.
    const got = seen.slice(before).find((s) => s.fn === 'anyEvent')!;
    expect(got.event).toMatchObject({ datacontenttype: 'application/json', data: { n: 1 } });
  });

  test('a structured event keeps the datacontenttype it names', async () => {
    const before = seen.length;
    const event = {
      specversion: '1.0',
      id: 'dct-structured',
      source: '//conformance.test',
      type: 'example.ping',
      datacontenttype: 'application/vnd.example+json',
      data: { n: 1 },
    };
    const res = await structured(url('anyEvent'), JSON.stringify(event));
    expect(res.status).toBe(204);
    expect(seen.slice(before).find((s) => s.fn === 'anyEvent')!.event!.datacontenttype).toBe('application/vnd.example+json');
  });
});
