// The process the crash test (crash.int.test.ts) kills and restarts: the crash app on a
// durable local runtime. It prints one line per fact the test reads:
//   RECOVERED <json> per queue, messages that were in flight when the previous process died
//   READY           messages seeded (first run) and delivery started
//   DONE <json>     every message handled or dead-lettered: the dead letters' queues, numbers and errors
import { createLocalRuntime } from '../runtime/runtime.js';
import { app, CRASH_QUEUES } from './crash-app.js';

const dir = process.env.CRASH_DIR!;
const seed = Number(process.env.CRASH_SEED ?? 0);

const runtime = createLocalRuntime(app, {
  persist: dir,
  devApi: false,
  logSink: (record) => {
    if (record.msg === 'redelivering messages that were in flight when the last run stopped')
      process.stdout.write(`RECOVERED ${JSON.stringify(record.channels)}\n`);
  },
});
if (seed > 0) {
  const res = await runtime.fetch(new Request('http://crash.test/seed', { method: 'POST', body: JSON.stringify({ from: 0, to: seed }) }));
  if (res.status !== 202) throw new Error(`seed answered ${res.status}: ${await res.text()}`);
}
process.stdout.write('READY\n');
await runtime.whenIdle(120_000);
const dead = CRASH_QUEUES.flatMap((queue) =>
  runtime.deadLetters(queue).map((e) => ({ queue, n: (e.message.body as { n: number }).n, error: e.lastError.name, attempts: e.attempts })),
);
process.stdout.write(`DONE ${JSON.stringify(dead)}\n`);
runtime.stop();
