// The app the CLI secrets test builds and serves: it reads a secret from the environment at
// run time, as real apps do, and fails in the ways that get logged.
import { createApp } from '../../src/index.js';

export const SECRET_ENV = 'FAASPORT_CANARY_DB_PASSWORD';

export const app = createApp('secrets');

const jobs = app.queue<{ user: string }>('jobs', { maxAttempts: 5, backoff: { initialDelayMs: 10, maxDelayMs: 20 } });

app.http('login', { method: 'POST', route: '/login', public: true, sends: [jobs] }, async (req, ctx) => {
  const password = process.env[SECRET_ENV];
  const input = (await req.json()) as { user: string };
  ctx.log.info('login attempt', { user: input.user, configured: password !== undefined });
  await jobs.send({ user: input.user });
  throw new Error('database rejected the connection');
});

jobs.consume('audit', async (msg) => {
  throw new Error(`audit store unavailable for ${msg.body.user}`);
});
