import { createApp, type App, type Capabilities } from '../../src/index.js';
import { CANARY_ENV } from './canaries.js';

/** The queues of the canary app and what their consumers throw. */
export const CANARY_QUEUES = { error: 'leaky', nonError: 'leakyraw' } as const;

/** Text every canary failure carries besides the secrets: it must survive redaction. */
export const CONTEXT_TEXT = 'connect failed for ada';

/** The redact paths the canary app gives `createApp`. */
const CANARY_REDACT_PATHS = ['password', 'card.number', 'headers.authorization'];

/**
 * Every planted secret of the environment, read at run time as real handlers do, in the forms
 * an error message may hold them: raw, URL-encoded, JSON-escaped. The region (no secret) and
 * the flag (a secret name, but "true") must stay readable.
 */
export function secretText(): string {
  const env = process.env;
  const raw = [
    CANARY_ENV.password,
    CANARY_ENV.token,
    CANARY_ENV.key,
    CANARY_ENV.secret,
    CANARY_ENV.credential,
    CANARY_ENV.azureStorage,
    CANARY_ENV.userListed,
  ].map((n) => `${n}=${env[n]}`);
  return [
    `${CONTEXT_TEXT} in ${env[CANARY_ENV.region]} (flag ${env[CANARY_ENV.flag]})`,
    ...raw,
    `bus ${env[CANARY_ENV.connectionString]}`,
    `storage ${env[CANARY_ENV.storage]}`,
    `url-encoded ${encodeURIComponent(env[CANARY_ENV.token] ?? '')}`,
    `json ${JSON.stringify({ key: env[CANARY_ENV.key] })}`,
  ].join('; ');
}

/**
 * The functions that put secrets of the environment where faasport writes: thrown errors
 * (HTTP, queue, event, schedule), thrown non-Errors (a string, an object), and log fields.
 * Trigger kinds the adapter lacks are left out.
 */
export function createCanaryApp(capabilities: Pick<Capabilities, 'queues' | 'events' | 'schedules' | 'maxAttempts'> & { name?: string }): App {
  const app = createApp('canaries', { log: { redact: CANARY_REDACT_PATHS } });
  const backoff = { initialDelayMs: 10, maxDelayMs: 20 };
  // As few attempts as the platform allows (gcp enforces 5 to 100).
  const maxAttempts = Math.max(2, capabilities.maxAttempts.min);
  const leaky = capabilities.queues ? app.queue<{ user: string }>(CANARY_QUEUES.error, { maxAttempts, backoff }) : undefined;
  const leakyRaw = capabilities.queues ? app.queue<{ user: string }>(CANARY_QUEUES.nonError, { maxAttempts, backoff }) : undefined;

  app.http('throwsError', { method: 'GET', route: '/leak/error', public: true }, () => {
    throw new Error(secretText());
  });
  app.http('throwsString', { method: 'GET', route: '/leak/string', public: true }, () => {
    throw secretText();
  });
  app.http('throwsObject', { method: 'GET', route: '/leak/object', public: true }, () => {
    throw { reason: CONTEXT_TEXT, token: process.env[CANARY_ENV.token], detail: secretText() };
  });
  app.http('logsFields', { method: 'GET', route: '/leak/log', public: true }, (_req, ctx) => {
    ctx.log.info('calling the payment service', {
      user: 'ada',
      password: 'form-password-42',
      card: { number: '4242424242424242', brand: 'visa' },
      headers: { authorization: 'Basic YWRhOmZvcm0tcGFzc3dvcmQ=', accept: 'application/json' },
      dsn: process.env[CANARY_ENV.connectionString],
      upstream: new Error(secretText()),
      note: secretText(),
    });
    return new Response('logged');
  });
  if (leaky && leakyRaw) {
    app.http('enqueueLeaky', { method: 'POST', route: '/leak/enqueue', public: true, sends: [leaky, leakyRaw] }, async () => {
      await leaky.send({ user: 'ada' });
      await leakyRaw.send({ user: 'ada' });
      return new Response(null, { status: 202 });
    });
    leaky.consume('leakyWorker', () => {
      throw new Error(secretText());
    });
    leakyRaw.consume('leakyRawWorker', () => {
      throw { reason: CONTEXT_TEXT, password: process.env[CANARY_ENV.password], detail: secretText() };
    });
  }
  if (capabilities.events) {
    // One attempt keeps the case short; gcp refuses an event function below Eventarc's 5 (it cannot stop it earlier).
    const eventAttempts = capabilities.name === 'gcp' ? 5 : Math.max(1, capabilities.maxAttempts.min);
    app.event('leakyEvent', { type: 'canary.leak', maxAttempts: eventAttempts }, () => {
      throw new Error(secretText());
    });
  }
  if (capabilities.schedules) {
    app.schedule('leakyTick', { cron: '0 3 * * *' }, () => {
      throw new Error(secretText());
    });
  }
  return app;
}
