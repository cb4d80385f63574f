// Test app for shutdown: one queue whose handler records when it starts and when it has
// finished each job (a line each in $DRAIN_RECORD), taking $DRAIN_HANDLER_MS; and a route as slow.
import { appendFileSync } from 'node:fs';
import { createApp } from 'faasport';

export const app = createApp('drain');

/** Jobs run four at a time: the consumer's concurrency limit is the queue's batchSize. */
export const DRAIN_CONCURRENCY = 4;

const jobs = app.queue<{ n: number }>('jobs', { maxAttempts: 5, batchSize: DRAIN_CONCURRENCY, backoff: { initialDelayMs: 100, maxDelayMs: 200 } });

jobs.consume('work', async (msg) => {
  const record = process.env.DRAIN_RECORD!;
  appendFileSync(record, `start ${msg.body.n} ${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.DRAIN_HANDLER_MS ?? 300)));
  appendFileSync(record, `done ${msg.body.n} ${process.pid}\n`);
});

/** A slow HTTP answer, recorded when it starts: SIGTERM must let it finish. */
app.http('slow', { route: '/slow', public: true }, async () => {
  appendFileSync(process.env.DRAIN_RECORD!, `http ${0} ${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.DRAIN_HANDLER_MS ?? 300)));
  return new Response('done');
});
