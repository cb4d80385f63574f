import { describe, expect, it } from 'vitest';
import { attachTransport, createApp, isFaasportError, type App, type OutgoingMessage, type Transport } from './index.js';

const ok = () => new Response('ok');

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isFaasportError(thrown), `expected a FaasportError ${code}, got ${String(thrown)}`).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe('createApp definitions', () => {
  const invalid: [string, (app: App) => unknown, string, RegExp][] = [
    [
      'duplicate function name',
      (a) => {
        a.http('x', { route: '/a' }, ok);
        a.http('x', { route: '/b' }, ok);
      },
      'DUPLICATE_NAME',
      /function "x" is defined twice/,
    ],
    [
      'duplicate across kinds',
      (a) => {
        a.http('x', { route: '/a' }, ok);
        a.schedule('x', { cron: '* * * * *' }, () => {});
      },
      'DUPLICATE_NAME',
      /defined twice/,
    ],
    [
      'queue defined twice',
      (a) => {
        a.queue('q');
        a.queue('q');
      },
      'DUPLICATE_NAME',
      /queue "q" is defined twice/,
    ],
    [
      'topic named like a queue',
      (a) => {
        a.queue('q');
        a.topic('q');
      },
      'DUPLICATE_NAME',
      /share one namespace/,
    ],
    [
      'second consumer of one queue',
      (a) => {
        const q = a.queue('q');
        q.consume('c1', () => {});
        q.consume('c2', () => {});
      },
      'DEFINITION_INVALID',
      /already consumed by "c1"/,
    ],
    [
      'visibility shorter than the consumer timeout',
      (a) => a.queue('q', { visibilityTimeoutMs: 5000 }).consume('c', () => {}, { timeoutMs: 10_000 }),
      'DEFINITION_INVALID',
      /redelivered while still being handled/,
    ],
    ['six-field cron', (a) => a.schedule('s', { cron: '0 0 3 * * *' }, () => {}), 'INVALID_CRON', /has 6 fields/],
    ['cron out of range', (a) => a.schedule('s', { cron: '61 * * * *' }, () => {}), 'INVALID_CRON', /is invalid/],
    ['cron not a string', (a) => a.schedule('s', { cron: 5 as unknown as string }, () => {}), 'INVALID_CRON', /must be a string/],
    ['cron and every together', (a) => a.schedule('s', { cron: '* * * * *', every: '5m' } as never, () => {}), 'DEFINITION_INVALID', /exactly one/],
    ['every below a minute', (a) => a.schedule('s', { every: '30s' }, () => {}), 'DEFINITION_INVALID', /whole number of minutes/],
    ['every unparseable', (a) => a.schedule('s', { every: 'soon' }, () => {}), 'DEFINITION_INVALID', /duration/],
    ['bad timezone', (a) => a.schedule('s', { cron: '* * * * *', timezone: 'Mars/Base' }, () => {}), 'DEFINITION_INVALID', /IANA/],
    ['route without slash', (a) => a.http('h', { route: 'hello' }, ok), 'INVALID_ROUTE', /starting with "\/"/],
    ['route with empty segment', (a) => a.http('h', { route: '/a//b' }, ok), 'INVALID_ROUTE', /empty segment/],
    ['route with repeated param', (a) => a.http('h', { route: '/a/:id/b/:id' }, ok), 'INVALID_ROUTE', /repeats the parameter/],
    ['route with bad param', (a) => a.http('h', { route: '/a/:1x' }, ok), 'INVALID_ROUTE', /invalid parameter/],
    ['route with braces', (a) => a.http('h', { route: '/a/{proxy+}' }, ok), 'INVALID_ROUTE', /invalid segment/],
    ['wildcard not last', (a) => a.http('h', { route: '/a/*/b' }, ok), 'INVALID_ROUTE', /only as the last segment/],
    ['unknown option with suggestion', (a) => a.http('h', { route: '/a', methods: 'GET' } as never, ok), 'UNKNOWN_OPTION', /did you mean "method"/],
    ['unknown queue option', (a) => a.queue('q', { retries: 3 } as never), 'UNKNOWN_OPTION', /unknown option "retries"/],
    ['bad method', (a) => a.http('h', { route: '/a', method: 'FETCH' as never }, ok), 'DEFINITION_INVALID', /method "FETCH"/],
    ['empty method list', (a) => a.http('h', { route: '/a', method: [] }, ok), 'DEFINITION_INVALID', /method list is empty/],
    ['handler not a function', (a) => a.http('h', { route: '/a' }, 'nope' as never), 'DEFINITION_INVALID', /handler must be a function/],
    ['maxAttempts zero', (a) => a.queue('q', { maxAttempts: 0 }), 'DEFINITION_INVALID', /maxAttempts must be an integer from 1/],
    ['delaySeconds too long', (a) => a.queue('q', { delaySeconds: 901 }), 'DEFINITION_INVALID', /delaySeconds/],
    ['backoff multiplier', (a) => a.queue('q', { backoff: { multiplier: 50 } }), 'DEFINITION_INVALID', /multiplier/],
    ['backoff unknown key', (a) => a.queue('q', { backoff: { base: 1 } as never }), 'UNKNOWN_OPTION', /backoff: unknown option "base"/],
    ['timeout too long', (a) => a.http('h', { route: '/a', timeoutMs: 1_000_000 }, ok), 'DEFINITION_INVALID', /timeoutMs/],
    ['bad function name', (a) => a.http('my_fn', { route: '/a' }, ok), 'DEFINITION_INVALID', /name "my_fn" is invalid/],
    ['event type with inner star', (a) => a.event('e', { type: 'a*b' }, () => {}), 'DEFINITION_INVALID', /optionally ending in "\*"/],
    [
      'two functions on one route and method',
      (a) => {
        a.http('dup1', { route: '/same' }, ok);
        a.http('dup2', { route: '/same' }, ok);
      },
      'INVALID_ROUTE',
      /http "dup2": GET, HEAD \/same is already served by http "dup1" \(\/same\), so "dup2" would never be reached/,
    ],
    [
      'same route shape, other param names',
      (a) => {
        a.http('byId', { route: '/users/:id', method: ['GET', 'PUT'] }, ok);
        a.http('byName', { route: '/users/:name', method: 'PUT' }, ok);
      },
      'INVALID_ROUTE',
      /PUT \/users\/:name is already served by http "byId"/,
    ],
    [
      'any method over a taken route',
      (a) => {
        a.http('one', { route: '/x', method: 'POST' }, ok);
        a.http('all', { route: '/x', method: '*' }, ok);
      },
      'INVALID_ROUTE',
      /POST \/x is already served by http "one"/,
    ],
    [
      'null consumer options',
      (a) => a.queue('q').consume('c', () => {}, null as never),
      'DEFINITION_INVALID',
      /options must be an object \(or left out\), got null/,
    ],
    ['null subscriber options', (a) => a.topic('t').subscribe('s', () => {}, null as never), 'DEFINITION_INVALID', /got null/],
    ['array http options', (a) => a.http('h', [] as never, ok), 'DEFINITION_INVALID', /options must be an object|required/],
    ['event maxAttempts out of range', (a) => a.event('e', { maxAttempts: 0 }, () => {}), 'DEFINITION_INVALID', /maxAttempts/],
  ];
  it.each(invalid)('%s is refused with a typed error', (_name, define, code, message) => {
    expectCode(() => define(createApp('t')), code, message);
  });

  it('lets one route take different methods in different functions', () => {
    const app = createApp('t');
    app.http('list', { route: '/orders', method: 'GET' }, ok);
    app.http('create', { route: '/orders', method: 'POST' }, ok);
    app.http('one', { route: '/orders/:id' }, ok);
    expect(app.functions.map((f) => f.name)).toEqual(['list', 'create', 'one']);
  });

  it('refuses null send options with MESSAGE_INVALID', async () => {
    const app = createApp('t');
    const q = app.queue('q');
    await expect(q.send({}, null as never)).rejects.toMatchObject({
      code: 'MESSAGE_INVALID',
      message: expect.stringMatching(/queue "q": send: send options must be an object \(or left out\), got null/),
    });
  });

  it('refuses an invalid app name', () => expectCode(() => createApp(''), 'DEFINITION_INVALID', /app name/));

  it('records valid definitions with their defaults', () => {
    const app = createApp('shop');
    const q = app.queue('orders');
    const h = app.http('hello', { route: '/hello/:name' }, ok);
    const c = q.consume('fulfil', () => {});
    const s = app.schedule('nightly', { every: '1h' }, () => {});
    expect(h.methods).toEqual(['GET']);
    expect(h.public).toBe(false);
    expect(h.timeoutMs).toBe(30_000);
    expect(q.definition).toMatchObject({ maxAttempts: 5, deadLetter: true, fifo: false, delaySeconds: 0, batchSize: 10, maxMessageBytes: undefined });
    expect(q.definition.backoff).toEqual({ initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2 });
    expect(c.source).toBe(q.definition);
    expect(s.everyMs).toBe(3_600_000);
    expect(app.functions.map((f) => f.name)).toEqual(['hello', 'fulfil', 'nightly']);
    expect(app.getFunction('fulfil')).toBe(c);
  });
});

describe('queue.send', () => {
  function capture(): { app: App; sent: OutgoingMessage[] } {
    const app = createApp('t');
    const sent: OutgoingMessage[] = [];
    const transport: Transport = {
      provider: 'capture',
      maxMessageBytes: 1000,
      send: async (_q, messages) => {
        sent.push(...messages);
        return messages.map((_, i) => ({ id: `m${i}` }));
      },
      publish: async (_t, messages) => {
        sent.push(...messages);
        return messages.map((_, i) => ({ id: `p${i}` }));
      },
    };
    attachTransport(app, transport);
    return { app, sent };
  }

  it('refuses to send before a runtime is attached, naming the fix', async () => {
    const q = createApp('t').queue('orders');
    await expect(q.send({ a: 1 })).rejects.toMatchObject({ code: 'NO_RUNTIME', message: expect.stringMatching(/faasport dev/) });
  });

  it('encodes JSON, counts bytes and passes attributes', async () => {
    const { app, sent } = capture();
    const q = app.queue('orders');
    await q.send({ text: 'é' }, { attributes: { tenant: 'acme' } });
    expect(sent[0]).toMatchObject({ payload: '{"text":"é"}', attributes: { tenant: 'acme' }, delaySeconds: 0 });
    expect(sent[0]!.bytes).toBe(Buffer.byteLength('{"text":"é"}') + 'tenant'.length + 4);
  });

  const badSends: [string, (app: App) => Promise<unknown>, string, RegExp][] = [
    ['undefined body', (a) => a.queue('q').send(undefined), 'MESSAGE_INVALID', /send a JSON value/],
    [
      'circular body',
      (a) => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return a.queue('q').send(o);
      },
      'MESSAGE_INVALID',
      /cannot be encoded as JSON/,
    ],
    ['fifo without groupId', (a) => a.queue('q', { fifo: true }).send({}), 'MESSAGE_INVALID', /needs a groupId/],
    ['groupId on a standard queue', (a) => a.queue('q').send({}, { groupId: 'g' }), 'MESSAGE_INVALID', /only for fifo queues/],
    ['reserved attribute', (a) => a.queue('q').send({}, { attributes: { traceparent: 'x' } }), 'MESSAGE_INVALID', /attribute name "traceparent"/],
    ['non-string attribute', (a) => a.queue('q').send({}, { attributes: { n: 1 as never } }), 'MESSAGE_INVALID', /must be a string/],
    ['delay out of range', (a) => a.queue('q').send({}, { delaySeconds: 1000 }), 'MESSAGE_INVALID', /delaySeconds/],
    ['over the queue limit', (a) => a.queue('q', { maxMessageBytes: 10 }).send('x'.repeat(20)), 'PAYLOAD_TOO_LARGE', /maxMessageBytes/],
    ['over the transport limit', (a) => a.queue('q').send('x'.repeat(2000)), 'PAYLOAD_TOO_LARGE', /capture messages accepts 1000 B/],
    ['unknown send option', (a) => a.queue('q').send({}, { delay: 1 } as never), 'UNKNOWN_OPTION', /did you mean "delaySeconds"/],
  ];
  it.each(badSends)('%s is refused before the transport is called', async (_n, send, code, message) => {
    const { app, sent } = capture();
    await expect(send(app)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(sent).toHaveLength(0);
  });

  it('sendBatch validates every entry before sending any', async () => {
    const { app, sent } = capture();
    const q = app.queue('q', { maxMessageBytes: 50 });
    await expect(q.sendBatch(['ok', 'x'.repeat(100)])).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/\[1\]/) });
    expect(sent).toHaveLength(0);
    expect(await q.sendBatch(['a', 'b'])).toEqual([{ id: 'm0' }, { id: 'm1' }]);
  });

  it('topic publish refuses send-only options', async () => {
    const { app } = capture();
    await expect(app.topic('t').publish({}, { groupId: 'g' } as never)).rejects.toMatchObject({ code: 'UNKNOWN_OPTION' });
  });
});
