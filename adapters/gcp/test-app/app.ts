// A small shop for the gcp build test: every trigger kind, within GCP's limits.
import { createApp } from 'faasport';

export const app = createApp('minishop');
const orders = app.queue<{ id: string; item: string }>('orders', { maxAttempts: 5, backoff: { initialDelayMs: 1000, maxDelayMs: 10_000 } });
const shipped = app.topic<{ orderId: string }>('shipped');

app.http('hello', { method: 'GET', route: '/hello/:name', public: true }, (_req, ctx) => Response.json({ hello: ctx.params.name, provider: ctx.provider }));

app.http('placeOrder', { method: 'POST', route: '/orders', public: true, sends: [orders] }, async (req) => {
  const order = (await req.json()) as { id: string; item: string };
  const { id } = await orders.send(order);
  return Response.json({ queued: order.id, messageId: id }, { status: 202 });
});

orders.consume('fulfil', async (msg, ctx) => {
  if (msg.body.item === 'poison') throw new Error(`cannot fulfil order ${msg.body.id}`);
  ctx.log.info('order fulfilled', { orderId: msg.body.id, attempt: msg.attempt, messageId: msg.id });
  await shipped.publish({ orderId: msg.body.id });
}, { sends: [shipped] });

shipped.subscribe('notifyCustomer', async (msg, ctx) => ctx.log.info('customer notified', { orderId: msg.body.orderId }));
app.schedule('nightlyReport', { every: '15m' }, async (tick, ctx) => ctx.log.info('nightly report', { isPastDue: tick.isPastDue }));
app.event('onUpload', { type: 'google.cloud.storage.object.v1.finalized' }, async (event, ctx) => ctx.log.info('uploaded', { subject: event.subject }));
