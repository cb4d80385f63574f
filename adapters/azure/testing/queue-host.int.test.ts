import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp } from 'faasport';
import { startAzurite, type Azurite } from './azurite.js';
import { installFunctionsCore } from './functions-core-host.js';
import { hostQueueSettings } from '../runtime/host-settings.js';
import { createAzureProducer } from '../runtime/producer.js';
import { startQueueHost, type QueueHost } from './queue-host.js';
import { registerAzure } from '../runtime/register-azure.js';

let azurite: Azurite;
let listener: QueueHost | undefined;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await listener?.stop();
  await azurite?.stop();
});

test("Azure's own producers (QueueClient.sendMessage as is, or base64 as the portal's option writes it) reach the function under host.json messageEncoding none; base64 of plain text is dead-lettered at once as MESSAGE_INVALID", async () => {
  // Prepare: the app, registered through @azure/functions, with the host's queue listener.
  const app = createApp('raw');
  const seen: unknown[] = [];
  const inboxQueue = app.queue('inbox', { maxAttempts: 3, maxMessageBytes: 1024 });
  inboxQueue.consume('read', (msg) => {
    seen.push(msg.body);
  });
  const producer = createAzureProducer(app, { connectionString: azurite.connectionString });
  const worker = installFunctionsCore().load(() => registerAzure(app, { producer }));
  listener = startQueueHost({ worker, connectionString: azurite.connectionString, ...hostQueueSettings(app) });
  const inbox = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('inbox');
  await inbox.createIfNotExists();
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  // Act: the SDK's default (text as is), the portal's Base64 option, then faasport itself.
  await inbox.sendMessage('{"n":3}');
  await inbox.sendMessage('plain <text> & héllo');
  await inbox.sendMessage(base64('{"n":4}'));
  await inbox.sendMessage(base64('hello'));
  await inboxQueue.send({ ok: true });
  await inboxQueue.send('eyJuIjo1fQ==');
  await listener.settle(20_000);
  // Assess: every readable body once, as sent; the ambiguous one never ran and is kept as it arrived.
  expect(seen).toHaveLength(5);
  expect(seen).toEqual(expect.arrayContaining([{ n: 3 }, 'plain <text> & héllo', { n: 4 }, { ok: true }, 'eyJuIjo1fQ==']));
  const letters = await producer.readDeadLetters('inbox');
  expect(letters).toHaveLength(1);
  expect(letters[0]).toMatchObject({
    queue: 'inbox',
    functionName: 'read',
    attempts: 1,
    message: { body: base64('hello') },
    lastError: { code: 'MESSAGE_INVALID' },
  });
  expect(letters[0]!.lastError.message).toMatch(/turn the Base64 option off/);
}, 60_000);

test('queues with different maxAttempts in one app: host.json takes the largest, and the adapter dead-letters the smaller one at exactly its own count', async () => {
  // Prepare: the shop's shape on Azure: orders at 3 attempts, jobs at the default 5.
  await listener?.stop();
  const app = createApp('mixed');
  const attempts: Record<string, number[]> = { orders: [], jobs: [] };
  const orders = app.queue<{ id: string }>('orders', { maxAttempts: 3, backoff: false, maxMessageBytes: 1024 });
  const jobs = app.queue<{ id: string }>('jobs', { backoff: false, maxMessageBytes: 1024 });
  orders.consume('fulfil', (msg) => {
    attempts.orders!.push(msg.attempt);
    throw new Error(`cannot fulfil ${msg.body.id}`);
  });
  jobs.consume('work', (msg) => {
    attempts.jobs!.push(msg.attempt);
    throw new Error(`cannot work ${msg.body.id}`);
  });
  const settings = hostQueueSettings(app);
  expect(settings.maxDequeueCount).toBe(5);
  const producer = createAzureProducer(app, { connectionString: azurite.connectionString });
  const worker = installFunctionsCore().load(() => registerAzure(app, { producer }));
  listener = startQueueHost({ worker, connectionString: azurite.connectionString, ...settings });
  // Act
  await orders.send({ id: 'o-1' });
  await jobs.send({ id: 'j-1' });
  await listener.settle(40_000);
  // Assess: exactly 3 and 5 deliveries, one dead letter each, with the handler's own error.
  expect(attempts).toEqual({ orders: [1, 2, 3], jobs: [1, 2, 3, 4, 5] });
  const [deadOrder] = await producer.readDeadLetters('orders');
  expect(deadOrder).toMatchObject({
    queue: 'orders',
    functionName: 'fulfil',
    attempts: 3,
    message: { body: { id: 'o-1' } },
    lastError: { message: 'cannot fulfil o-1' },
  });
  expect(await producer.readDeadLetters('orders')).toHaveLength(1);
  const deadJobs = await producer.readDeadLetters('jobs');
  expect(deadJobs).toHaveLength(1);
  expect(deadJobs[0]).toMatchObject({ queue: 'jobs', functionName: 'work', attempts: 5, message: { body: { id: 'j-1' } } });
}, 90_000);

test('examples/shop itself (orders at maxAttempts 3, shipped at 5): the poison order is dead-lettered by faasport at exactly 3, though host.json counts 5', async () => {
  // Prepare: the example as written, registered through the real library and served by the queue listener against Azurite.
  await listener?.stop();
  const { app: shop } = await import('../../../examples/shop/app.js');
  const settings = hostQueueSettings(shop);
  expect(settings.maxDequeueCount).toBe(5);
  const producer = createAzureProducer(shop, { connectionString: azurite.connectionString });
  const worker = installFunctionsCore().load(() => registerAzure(shop, { producer }));
  listener = startQueueHost({ worker, connectionString: azurite.connectionString, ...settings });
  // Act
  // What placeOrder sends for a poison order, through the same producer.
  const body = { id: 'bad-1', item: 'poison', qty: 1 };
  const payload = JSON.stringify(body);
  await producer.send(shop.getQueue('orders')!, [{ body, payload, bytes: payload.length, attributes: {}, delaySeconds: 0 }]);
  await listener.settle(40_000);
  // Assess: one envelope, written by faasport on attempt 3 with the handler's error (the host would have moved it at 5, without one).
  // (The emulator is shared with the test above, whose own "orders" dead letter is left aside.)
  const letters = (await producer.readDeadLetters('orders')).filter((e) => (e.message.body as { id?: string }).id === 'bad-1');
  expect(letters).toHaveLength(1);
  expect(letters[0]).toMatchObject({ queue: 'orders', functionName: 'fulfil', attempts: 3, message: { body: { id: 'bad-1', item: 'poison', qty: 1 } } });
  expect(letters[0]!.lastError.message).toContain('item "poison" is not for sale');
}, 90_000);
