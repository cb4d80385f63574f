import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { attachTransport, createApp, isFaasportError, type App, type Queue, type Topic } from 'faasport';
import { startAzurite, type Azurite } from '../testing/azurite.js';
import { createAzureProducer, type AzureProducer } from './producer.js';

interface Order {
  id: string;
  note?: string;
}

let azurite: Azurite;
let service: QueueServiceClient;
let app: App;
let producer: AzureProducer;
let orders: Queue<Order>;
let shipped: Topic<Order>;

beforeAll(async () => {
  azurite = await startAzurite();
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  app = createApp('producer-test');
  orders = app.queue<Order>('orders', { maxAttempts: 3, maxMessageBytes: 64 * 1024 });
  shipped = app.topic<Order>('shipped', { maxMessageBytes: 64 * 1024 });
  orders.consume('fulfil', () => undefined);
  shipped.subscribe('notifyCustomer', () => undefined);
  shipped.subscribe('audit', () => undefined);
  producer = createAzureProducer(app, { connectionString: azurite.connectionString });
  attachTransport(app, producer);
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
});

const receiveText = async (queue: string): Promise<string[]> =>
  (await service.getQueueClient(queue).receiveMessages({ numberOfMessages: 32 })).receivedMessageItems.map((m) => m.messageText);

describe('storage queue producer against Azurite', () => {
  test('send writes the JSON text as is (host.json messageEncoding none), markup included', async () => {
    const { id } = await orders.send({ id: 'o1', note: '<b>&amp;</b>' });
    const [text] = await receiveText('orders');
    expect(typeof id).toBe('string');
    expect(text).toBe('{"id":"o1","note":"<b>&amp;</b>"}');
  });

  test('attributes travel in the envelope beside the body', async () => {
    await orders.send({ id: 'o2' }, { attributes: { tenant: 'acme' } });
    const [text] = await receiveText('orders');
    expect(JSON.parse(text!)).toEqual({ $faasport: 1, attributes: { tenant: 'acme' }, body: { id: 'o2' } });
  });

  test('delaySeconds keeps the message invisible until it is due', async () => {
    await orders.send({ id: 'later' }, { delaySeconds: 2 });
    expect(await receiveText('orders')).toEqual([]);
    const props = await service.getQueueClient('orders').getProperties();
    expect(props.approximateMessagesCount).toBeGreaterThanOrEqual(1);
  });

  test('publish fans out to one queue per subscriber', async () => {
    await shipped.publish({ id: 's1' });
    for (const queue of ['shipped-notifycustomer', 'shipped-audit']) {
      const [text] = await receiveText(queue);
      expect(text).toBe('{"id":"s1"}');
    }
  });

  test('a message over 64 KiB with its envelope is refused before any network call', async () => {
    // An unreachable endpoint: a network attempt would fail with SEND_FAILED, not PAYLOAD_TOO_LARGE.
    const offline = createApp('offline');
    const q = offline.queue<Order>('big', { maxMessageBytes: 64 * 1024 });
    attachTransport(
      offline,
      createAzureProducer(offline, {
        connectionString: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;',
      }),
    );
    let error: unknown;
    try {
      // Within the queue's 64 KiB as faasport counts it (payload and attributes); over it with the envelope's JSON.
      await q.send({ id: 'big', note: 'x'.repeat(64 * 1024 - 30) }, { attributes: { tenant: 'acme' } });
    } catch (err) {
      error = err;
    }
    expect(isFaasportError(error) && error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((error as Error).message).toMatch(/64 KB/);
    expect((error as { details?: Record<string, unknown> }).details).toMatchObject({ limit: 65536 });
  });

  test('a missing connection string is a CONFIG_INVALID error naming the app setting', async () => {
    const none = createApp('none');
    const q = none.queue<Order>('nowhere', { maxMessageBytes: 1024 });
    attachTransport(none, createAzureProducer(none, { connectionString: () => undefined }));
    await expect(q.send({ id: 'x' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('AzureWebJobsStorage') });
  });
});

describe('dead letters from <queue>-poison', () => {
  test('what the adapter, the host and a foreign producer put there reads as envelopes', async () => {
    const poison = service.getQueueClient('orders-poison');
    await poison.createIfNotExists();
    // Prepare: the adapter's own record of a last failed attempt,
    await producer.deadLetter('orders', {
      message: { id: 'm1', body: { id: 'o9' }, attributes: {}, enqueuedAt: '2024-01-01T00:00:00.000Z' },
      queue: 'orders',
      functionName: 'fulfil',
      attempts: 3,
      lastError: { name: 'Error', message: 'out of stock' },
      firstAttemptAt: '2024-01-01T00:00:00.000Z',
      deadLetteredAt: '2024-01-01T00:00:05.000Z',
    });
    // a message the host moved itself after maxDequeueCount (a copy of the original text),
    await poison.sendMessage('{"$faasport":1,"attributes":{"tenant":"acme"},"body":{"id":"o10"}}');
    // and one it moved that a producer had base64-encoded.
    await poison.sendMessage(Buffer.from('{"id":"b64"}').toString('base64'));
    // Act
    const envelopes = await producer.readDeadLetters('orders');
    // Assess
    expect(envelopes).toHaveLength(3);
    expect(envelopes[0]).toMatchObject({
      queue: 'orders',
      functionName: 'fulfil',
      attempts: 3,
      lastError: { message: 'out of stock' },
      message: { id: 'm1', body: { id: 'o9' } },
    });
    // host.json maxDequeueCount is app-wide: the largest maxAttempts (the topic's default 5).
    expect(envelopes[1]).toMatchObject({
      queue: 'orders',
      functionName: 'fulfil',
      attempts: 5,
      message: { body: { id: 'o10' }, attributes: { tenant: 'acme' } },
    });
    expect(envelopes[1]!.lastError.message).toMatch(/moved to orders-poison by the Functions host after 5 failed deliveries/);
    expect(envelopes[2]).toMatchObject({ attempts: 5, message: { body: { id: 'b64' } } });
  });

  test('a topic needs the subscriber name', async () => {
    await expect(producer.readDeadLetters('shipped')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('readDeadLetters("shipped", "<function>")'),
    });
    await expect(producer.readDeadLetters('shipped', 'audit')).resolves.toEqual([]);
  });
});
