// examples/shop — one app, every trigger kind, no cloud named anywhere.
import { createApp } from 'faasport';

export interface Order {
  id: string;
  item: string;
  qty: number;
}

export const app = createApp('shop');

const orders = app.queue<Order>('orders', {
  maxAttempts: 3,
  // Short so the example shows a dead-lettered order within a second or two.
  backoff: { initialDelayMs: 100, maxDelayMs: 500 },
});
const shipped = app.topic<{ orderId: string }>('shipped');

app.http('hello', { method: 'GET', route: '/hello/:name', public: true }, (_req, ctx) => Response.json({ hello: ctx.params.name }));

app.http('placeOrder', { method: 'POST', route: '/orders', public: true, sends: [orders] }, async (req, ctx) => {
  let input: unknown;
  try {
    input = await req.json();
  } catch {
    return Response.json({ error: 'body must be JSON: { "id": string, "item": string, "qty": positive integer }' }, { status: 400 });
  }
  const problem = validateOrder(input);
  if (problem) return Response.json({ error: problem }, { status: 400 });
  const order = input as Order;
  await orders.send(order);
  ctx.log.info('order queued', { orderId: order.id });
  return Response.json({ queued: order.id }, { status: 202 });
});

orders.consume(
  'fulfil',
  async (msg, ctx) => {
    if (msg.body.item === 'poison') throw new Error(`cannot fulfil order ${msg.body.id}: item "poison" is not for sale`);
    ctx.log.info('order fulfilled', { orderId: msg.body.id, attempt: msg.attempt });
    await shipped.publish({ orderId: msg.body.id });
  },
  { sends: [shipped] },
);

shipped.subscribe('notifyCustomer', async (msg, ctx) => {
  ctx.log.info('customer notified', { orderId: msg.body.orderId });
});

app.schedule('nightlyReport', { cron: '0 3 * * *' }, async (tick, ctx) => {
  ctx.log.info('nightly report', { scheduledTime: tick.scheduledTime.toISOString(), isPastDue: tick.isPastDue });
});

// Every event the platform routes to this function (storage notifications, custom events),
// as a CloudEvent with the platform's own `type` (e.g. google.cloud.storage.object.v1.finalized).
// With no filter, aws routes it the events put on the app's own EventBridge bus, never every
// event of the account; add `source: 'aws.s3'` (say) for a service's events.
app.event('onEvent', {}, async (event, ctx) => {
  ctx.log.info('event received', { type: event.type, source: event.source, subject: event.subject });
});

/** Returns what is wrong with `input`, or undefined when it is a valid order. */
export function validateOrder(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'body must be a JSON object';
  const o = input as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id.trim().length === 0) return '"id" must be a non-empty string';
  if (typeof o.item !== 'string' || o.item.trim().length === 0) return '"item" must be a non-empty string';
  // Safe integers only: 1e300 is an "integer" to Number.isInteger but no quantity anyone ships.
  if (typeof o.qty !== 'number' || !Number.isSafeInteger(o.qty) || o.qty < 1) return '"qty" must be a positive integer';
  return undefined;
}
