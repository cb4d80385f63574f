// The app the CLI secrets test builds and serves: it reads secrets from the environment at
// run time, as real apps do, and fails in the ways that get logged, with the secrets in its
// errors and log fields.
import { createApp } from '../../src/index.js';
import { CANARY_ENV } from './canaries.js';

export const SECRET_ENV = CANARY_ENV.password;

export const app = createApp('secrets', { log: { redact: ['password'] } });

const jobs = app.queue<{ user: string }>('jobs', { maxAttempts: 5, backoff: { initialDelayMs: 10, maxDelayMs: 20 } });

app.http('login', { method: 'POST', route: '/login', public: true, sends: [jobs] }, async (req, ctx) => {
  const password = process.env[SECRET_ENV];
  const input = (await req.json()) as { user: string; password?: string };
  ctx.log.info('login attempt', {
    user: input.user,
    password: input.password,
    configured: password !== undefined,
    dsn: process.env[CANARY_ENV.connectionString],
  });
  await jobs.send({ user: input.user });
  throw new Error(`database rejected the connection with password ${password}`);
});

jobs.consume('audit', async (msg) => {
  throw new Error(`audit store unavailable for ${msg.body.user} (token ${process.env[CANARY_ENV.token]})`);
});

app.schedule('nightly', { cron: '0 3 * * *' }, () => {
  // A thrown non-Error: summarised, not dumped.
  throw { reason: 'nightly export failed', key: process.env[CANARY_ENV.key] };
});

app.event('onOrder', { type: 'OrderPurchased' }, () => {
  throw new Error(`order sync failed: upstream refused token ${process.env[CANARY_ENV.token]}`);
});
