import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { FaasportError } from './errors.js';
import { createLogger, logLevelFromEnv, safeStringify, type LogRecord } from './logger.js';
import { resetSecretRedaction } from './redact-secrets.js';
import { createLocalRuntime } from 'faasport/local';

describe('logLevelFromEnv', () => {
  it.each([
    [{}, undefined],
    [{ FAASPORT_LOG_LEVEL: 'debug' }, 'debug'],
    [{ FAASPORT_LOG_LEVEL: ' WARN ' }, 'warn'],
    [{ FAASPORT_LOG_LEVEL: 'trace' }, 'debug'],
    [{ FAASPORT_LOG_LEVEL: 'fatal' }, 'error'],
    [{ FAASPORT_LOG_LEVEL: '' }, undefined],
    [{ FAASPORT_LOG_LEVEL: '', AWS_LAMBDA_LOG_LEVEL: 'WARN' }, 'warn'],
    [{ AWS_LAMBDA_LOG_LEVEL: 'ERROR' }, 'error'],
    [{ AWS_LAMBDA_LOG_LEVEL: 'something-new' }, undefined],
    [{ FAASPORT_LOG_LEVEL: 'info', AWS_LAMBDA_LOG_LEVEL: 'DEBUG' }, 'info'],
  ])('%j → %s', (env, level) => expect(logLevelFromEnv(env, 'test')).toBe(level));

  it('refuses a FAASPORT_LOG_LEVEL it does not know, naming the operation and the choices', () => {
    let caught: unknown;
    try {
      logLevelFromEnv({ FAASPORT_LOG_LEVEL: 'verbose' }, 'registerGcp');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FaasportError);
    expect((caught as FaasportError).code).toBe('CONFIG_INVALID');
    expect((caught as Error).message).toBe('registerGcp: FAASPORT_LOG_LEVEL must be one of debug, info, warn, error (or trace, fatal), got "verbose"');
  });

  it('sets the level of the local runtime when no option does', async () => {
    const saved = process.env.FAASPORT_LOG_LEVEL;
    process.env.FAASPORT_LOG_LEVEL = 'debug';
    try {
      const records: LogRecord[] = [];
      const app = createApp('levels');
      app.http('talk', { route: '/talk' }, (_req, ctx) => {
        ctx.log.debug('whisper');
        return new Response('ok');
      });
      const runtime = createLocalRuntime(app, { logSink: (r) => records.push(r), devApi: false });
      await runtime.fetch(new Request('http://x/talk'));
      runtime.stop();
      expect(records.map((r) => r.msg)).toContain('whisper');
      process.env.FAASPORT_LOG_LEVEL = 'loud';
      expect(() => createLocalRuntime(createApp('levels2'))).toThrow(/faasport dev: FAASPORT_LOG_LEVEL must be one of/);
    } finally {
      if (saved === undefined) delete process.env.FAASPORT_LOG_LEVEL;
      else process.env.FAASPORT_LOG_LEVEL = saved;
    }
  });

  it('createLogger drops lines under its level', () => {
    const records: LogRecord[] = [];
    const log = createLogger({ sink: (r) => records.push(r), level: 'warn' });
    log.info('quiet');
    log.warn('loud');
    expect(records.map((r) => r.msg)).toEqual(['loud']);
  });
});

describe('createLogger redaction', () => {
  const saved = process.env.FAASPORT_TEST_DB_PASSWORD;
  const secret = 'pg-pass/+=7Hq2x9';
  beforeEach(() => {
    process.env.FAASPORT_TEST_DB_PASSWORD = secret;
    resetSecretRedaction();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.FAASPORT_TEST_DB_PASSWORD;
    else process.env.FAASPORT_TEST_DB_PASSWORD = saved;
    resetSecretRedaction();
  });

  const capture = (options: Parameters<typeof createLogger>[0] = {}): { log: ReturnType<typeof createLogger>; records: LogRecord[] } => {
    const records: LogRecord[] = [];
    return { log: createLogger({ ...options, sink: (r) => records.push(r) }), records };
  };

  it('replaces secret values of the environment in the message and in string fields at any depth, keeping the rest', () => {
    const { log, records } = capture();
    const cause = new Error(`connect failed with ${secret}`);
    log.error(`login as ada with ${secret}`, {
      dsn: `postgres://ada:${encodeURIComponent(secret)}@db/app`,
      nested: { list: [`x ${secret}`, 3] },
      cause,
      url: new URL(`https://api.test/?key=${encodeURIComponent(secret)}`),
    });
    const line = safeStringify(records[0]);
    expect(line).not.toContain(secret);
    expect(line).not.toContain(encodeURIComponent(secret));
    expect(records[0]).toMatchObject({
      msg: 'login as ada with [redacted]',
      dsn: 'postgres://ada:[redacted]@db/app',
      nested: { list: ['x [redacted]', 3] },
      cause: { name: 'Error', message: 'connect failed with [redacted]' },
      url: 'https://api.test/?key=[redacted]',
    });
  });

  it("leaves the caller's objects untouched and survives cycles and shared objects", () => {
    const { log, records } = capture();
    const shared = { token: secret };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    log.info('x', { cyclic });
    expect(shared.token).toBe(secret);
    expect(records[0]!.cyclic).toEqual({ shared: { token: '[redacted]' }, again: { token: '[redacted]' }, self: '[Circular]' });
  });

  it('child bindings are redacted too', () => {
    const { log, records } = capture({ redact: ['apiKey'] });
    log.child({ apiKey: 'k-1234567', tenant: `t ${secret}` }).info('bound');
    expect(records[0]).toMatchObject({ apiKey: '[redacted]', tenant: 't [redacted]' });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['password', { password: 'hunter2', user: 'ada' }, { password: '[redacted]', user: 'ada' }],
    ['card.number', { card: { number: '4242424242424242', brand: 'visa' } }, { card: { number: '[redacted]', brand: 'visa' } }],
    ['headers["x-api-key"]', { headers: { 'x-api-key': 'k', accept: '*/*' } }, { headers: { 'x-api-key': '[redacted]', accept: '*/*' } }],
    [
      'users[*].email',
      {
        users: [
          { email: 'a@x', id: 1 },
          { email: 'b@x', id: 2 },
        ],
      },
      {
        users: [
          { email: '[redacted]', id: 1 },
          { email: '[redacted]', id: 2 },
        ],
      },
    ],
    [
      '*.token',
      { a: { token: 't1' }, b: { token: 't2', keep: 1 }, token: 'top' },
      { a: { token: '[redacted]' }, b: { token: '[redacted]', keep: 1 }, token: 'top' },
    ],
    ['items[0]', { items: ['first', 'second'] }, { items: ['[redacted]', 'second'] }],
    ['card.number', { card: 'not an object' }, { card: 'not an object' }],
    ['missing.path', { other: 1 }, { other: 1 }],
  ])('redact path %s', (path, fields, expected) => {
    const { log, records } = capture({ redact: [path] });
    log.info('paths', fields);
    const { level: _l, msg: _m, time: _t, ...written } = records[0]!;
    expect(written).toEqual(expected);
  });

  it.each(['', 'a..b', 'a.', '.a', 'a[b]', 'a.b-*', 'a["unterminated]'])('refuses the path %j, naming it and the syntax', (path) => {
    let caught: unknown;
    try {
      createLogger({ redact: [path] });
    } catch (err) {
      caught = err;
    }
    expect((caught as FaasportError).code).toBe('CONFIG_INVALID');
    expect((caught as Error).message).toMatch(/^createLogger: redact path/);
  });

  it('createApp log options reach ctx.log on the local runtime: redact paths, and redactEnv names', async () => {
    process.env.FAASPORT_TEST_BILLING = 'acct-55510101';
    try {
      const records: LogRecord[] = [];
      const app = createApp('redacting', { log: { redact: ['password', 'card.number'], redactEnv: ['FAASPORT_TEST_BILLING'] } });
      app.http('pay', { route: '/pay' }, (_req, ctx) => {
        ctx.log.info('paying', { password: 'hunter2', card: { number: '4242', brand: 'visa' }, account: 'acct-55510101', user: 'ada' });
        return new Response('ok');
      });
      const runtime = createLocalRuntime(app, { logSink: (r) => records.push(r), devApi: false });
      await runtime.fetch(new Request('http://x/pay'));
      runtime.stop();
      expect(records.find((r) => r.msg === 'paying')).toMatchObject({
        password: '[redacted]',
        card: { number: '[redacted]', brand: 'visa' },
        account: '[redacted]',
        user: 'ada',
      });
    } finally {
      delete process.env.FAASPORT_TEST_BILLING;
    }
  });

  it('createApp refuses log options it does not know, and bad paths, at definition time', () => {
    expect(() => createApp('a', { log: { redacts: ['x'] } as never })).toThrow(/unknown option "redacts" \(did you mean "redact"\?\)/);
    expect(() => createApp('a', { log: { redact: ['a..b'] } })).toThrow(/createApp\("a"\) log.redact: redact path "a..b" cannot be read/);
    expect(() => createApp('a', { log: { redactEnv: [''] } })).toThrow(/log.redactEnv must be a list of environment variable names/);
  });
});
