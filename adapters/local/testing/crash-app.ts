// The app the crash test (crash.int.test.ts) runs on a durable local runtime, killed and
// restarted: two queues get the same numbered messages; every handled one is written to a
// file. `work` writes its side effect plainly, `guarded` inside ctx.once.
import { appendFileSync } from 'node:fs';
import { createApp, type Context, type QueueMessage } from 'faasport';

/** Messages whose number is a multiple of this always fail, to be dead-lettered. */
export const POISON_EVERY = 101;
export const CRASH_MAX_ATTEMPTS = 3;
export const CRASH_QUEUES = ['work', 'guarded'] as const;

export const app = createApp('crash');

const options = { maxAttempts: CRASH_MAX_ATTEMPTS, backoff: { initialDelayMs: 5, maxDelayMs: 20 } };
const queues = CRASH_QUEUES.map((name) => app.queue<{ n: number }>(name, options));

app.http('seed', { method: 'POST', route: '/seed', sends: queues }, async (req) => {
  const { from, to } = (await req.json()) as { from: number; to: number };
  const bodies = Array.from({ length: to - from }, (_, i) => ({ n: from + i }));
  let sent = 0;
  for (const q of queues) sent += (await q.sendBatch(bodies)).length;
  return Response.json({ sent }, { status: 202 });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function handler(queue: string, guarded: boolean) {
  return async (msg: QueueMessage<{ n: number }>, ctx: Context): Promise<void> => {
    const { n } = msg.body;
    if (n % POISON_EVERY === 0) throw new Error(`poison ${n}`);
    await sleep(1 + (n % 2));
    // The side effect: one line per handling (with the number of the run that did it), in a file that outlives the process.
    const effect = () => appendFileSync(process.env.CRASH_HANDLED_LOG!, `${queue} ${n} ${process.env.CRASH_RUN ?? 0}\n`);
    if (guarded) await ctx.once(`effect:${msg.id}`, effect);
    else effect();
    // Work after the side effect: a kill here makes the redelivery repeat it.
    await sleep(1);
  };
}

queues[0]!.consume('handleWork', handler('work', false));
queues[1]!.consume('handleGuarded', handler('guarded', true));
