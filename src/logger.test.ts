import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { FaasportError } from './errors.js';
import { createLogger, logLevelFromEnv, type LogRecord } from './logger.js';
import { createLocalRuntime } from '../adapters/local/runtime.js';

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
