// The app the dev-server security tests serve with a real `faasport dev`: every kind of thing
// the dev API can set in motion leaves a count a test can read, so "changes nothing" is checked.
import { createApp } from '../../src/index.js';

/** Held by the handlers that fail: it must never reach an answer in production mode. */
export const HELD_SECRET = 'warehouse-password-hunter2-4f1c';

export const app = createApp('devguard');

const counts = { tick: 0, event: 0, news: 0 };
const inbox = app.queue<{ n: number }>('inbox');
const news = app.topic<{ n: number }>('news');

app.http('counts', { method: 'GET', route: '/counts', public: true }, () => Response.json(counts));
app.http('slow', { method: 'GET', route: '/slow', public: true }, async () => {
  await new Promise((r) => setTimeout(r, 300));
  return new Response('done');
});
app.http('upload', { method: 'POST', route: '/upload', public: true }, async (req) => Response.json({ bytes: (await req.arrayBuffer()).byteLength }));
// Logs what it was sent, as a careless handler does: a token a tool sent along must not reach the log.
app.http('echoHeaders', { method: 'GET', route: '/echo-headers', public: true }, (req, ctx) => {
  ctx.log.info('request headers', { headers: Object.fromEntries(req.headers) });
  return new Response('logged');
});
app.http('explode', { method: 'GET', route: '/explode', public: true }, () => {
  throw new Error(`inventory service refused ${HELD_SECRET}`);
});
app.schedule('tick', { cron: '0 3 * * *' }, () => {
  counts.tick++;
});
app.schedule('broken', { cron: '0 4 * * *' }, () => {
  throw new Error(`warehouse login failed with ${HELD_SECRET}`);
});
app.event('onEvent', { type: 'test.ping' }, () => {
  counts.event++;
});
news.subscribe('reader', () => {
  counts.news++;
});
// `inbox` has no consumer: what the dev API enqueues waits there, visible in /_faasport/queues.
void inbox;
