// examples/guestbook — builds for aws, azure and gcp with no change (every limit it uses
// is inside what all three accept: no FIFO, no delay, small messages).
import { createApp } from 'faasport';

export interface Entry {
  name: string;
  message: string;
}

export const app = createApp('guestbook');

const entries = app.queue<Entry>('entries', { maxAttempts: 5, backoff: { initialDelayMs: 1000, maxDelayMs: 30_000 } });
const moderated = app.topic<Entry>('moderated');

app.http('sign', { method: 'POST', route: '/entries', public: true, sends: [entries] }, async (req, ctx) => {
  const body = (await req.json().catch(() => null)) as Partial<Entry> | null;
  if (!body || typeof body.name !== 'string' || typeof body.message !== 'string' || body.message.length > 500) {
    return Response.json({ error: 'send { "name": string, "message": string (at most 500 characters) }' }, { status: 400 });
  }
  const { id } = await entries.send({ name: body.name, message: body.message });
  ctx.log.info('entry queued', { id });
  return Response.json({ queued: id }, { status: 202 });
});

entries.consume(
  'moderate',
  async (msg, ctx) => {
    if (/spam/i.test(msg.body.message)) {
      ctx.log.warn('entry rejected', { id: msg.id });
      return;
    }
    await moderated.publish(msg.body);
  },
  { sends: [moderated] },
);

moderated.subscribe('announce', async (msg, ctx) => {
  ctx.log.info('new guestbook entry', { name: msg.body.name });
});

app.schedule('digest', { cron: '0 8 * * 1' }, async (tick, ctx) => {
  ctx.log.info('weekly digest', { scheduledTime: tick.scheduledTime.toISOString() });
});
