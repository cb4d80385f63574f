import { describe, expect, test } from 'vitest';
import { createApp, isFaasportError, type OutgoingMessage } from 'faasport';
import { createServiceBusClient, serviceBusFromEnv, SERVICE_BUS_MAX_BYTES, type ServiceBusClientLike } from './service-bus.js';
import type { ServiceBusDeadLetteredMessage } from './decode-service-bus-dead-letter.js';

/**
 * TEST DOUBLE for `ServiceBusClient` from @azure/service-bus: Azure Service Bus has no
 * emulator that runs here (Microsoft's needs Docker and SQL Edge), so this records what
 * faasport asks of the client (entity, messages, receiver options) and serves dead letters
 * shaped as `ServiceBusReceivedMessage` fields.
 */
class RecordingServiceBusClient implements ServiceBusClientLike {
  readonly sent: { entity: string; messages: Record<string, unknown>[] }[] = [];
  readonly receivers: { args: unknown[]; closed: boolean }[] = [];
  failSends = false;
  constructor(private readonly deadLetters: ServiceBusDeadLetteredMessage[] = []) {}
  createSender(entity: string) {
    return {
      sendMessages: async (messages: Record<string, unknown>[]) => {
        if (this.failSends) throw new Error('MessagingEntityNotFound: the entity does not exist');
        this.sent.push({ entity, messages });
      },
      close: async () => {},
    };
  }
  createReceiver(...args: unknown[]) {
    const record = { args, closed: false };
    this.receivers.push(record);
    return {
      peekMessages: async (max: number) => this.deadLetters.slice(0, max),
      close: async () => {
        record.closed = true;
      },
    };
  }
}

const outgoing = (body: unknown, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => {
  const payload = JSON.stringify(body);
  return {
    body,
    payload,
    bytes: Buffer.byteLength(payload),
    attributes: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    delaySeconds: 0,
    ...extra,
  };
};

function shop() {
  const app = createApp('shop');
  const orders = app.queue('orders', { fifo: true });
  const shipped = app.topic('shipped');
  orders.consume('fulfil', async () => {});
  shipped.subscribe('notifyCustomer', async () => {});
  return { app, orders: orders.definition, shipped: shipped.definition };
}

describe('Service Bus producer (through a recording test double of ServiceBusClient)', () => {
  test('send maps each message: JSON body, content type, attributes, session for groupId, scheduled time for a delay', async () => {
    const client = new RecordingServiceBusClient();
    const sb = createServiceBusClient({ queues: ['orders'], client });
    const { orders } = shop();
    const before = Date.now();
    const results = await sb.send(orders, [
      outgoing({ id: 'o1' }, { groupId: 'customer-7' }),
      outgoing({ id: 'o2' }, { delaySeconds: 30, deduplicationId: 'dedup-2' }),
    ]);
    expect(client.sent).toHaveLength(1);
    const [first, second] = client.sent[0]!.messages;
    expect(client.sent[0]!.entity).toBe('orders');
    expect(first).toMatchObject({
      body: { id: 'o1' },
      contentType: 'application/json',
      sessionId: 'customer-7',
      applicationProperties: { traceparent: expect.stringMatching(/^00-/) },
    });
    expect(second).toMatchObject({ messageId: 'dedup-2', body: { id: 'o2' } });
    expect((second!.scheduledEnqueueTimeUtc as Date).getTime()).toBeGreaterThanOrEqual(before + 30_000);
    expect(results.map((r) => r.id)).toEqual([first!.messageId, 'dedup-2']);
  });

  test('publish goes to the topic entity', async () => {
    const client = new RecordingServiceBusClient();
    const { shipped } = shop();
    await createServiceBusClient({ topics: ['shipped'], client }).publish(shipped, [outgoing({ orderId: 'o1' })]);
    expect(client.sent.map((s) => s.entity)).toEqual(['shipped']);
  });

  test('a message over 256 KiB is refused before the client is touched', async () => {
    const client = new RecordingServiceBusClient();
    const { orders } = shop();
    const big = outgoing({ pad: 'x'.repeat(SERVICE_BUS_MAX_BYTES) });
    await expect(createServiceBusClient({ client }).send(orders, [big])).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/queue "orders": send.*256 KiB|queue "orders": send/),
    });
    expect(client.sent).toEqual([]);
  });

  test('a refused send is SEND_FAILED naming the entity', async () => {
    const client = new RecordingServiceBusClient();
    client.failSends = true;
    const { orders } = shop();
    await expect(createServiceBusClient({ client }).send(orders, [outgoing({ id: 'o1' })])).rejects.toMatchObject({
      code: 'SEND_FAILED',
      message: expect.stringMatching(/azure service bus entity "orders" did not accept the messages \(MessagingEntityNotFound/),
    });
  });

  test('dead letters are read from the dead-letter subqueue, as portable envelopes, and the receiver is closed', async () => {
    const client = new RecordingServiceBusClient([
      {
        messageId: 'm1',
        body: { id: 'o9' },
        deliveryCount: 5,
        enqueuedTimeUtc: new Date('2026-01-02T03:04:05Z'),
        deadLetterReason: 'MaxDeliveryCountExceeded',
        applicationProperties: { source: 'web' },
      },
    ]);
    const { app } = shop();
    const sb = createServiceBusClient({ client });
    const envelopes = await sb.readDeadLetters(app, 'orders');
    expect(client.receivers[0]).toEqual({ args: ['orders', { subQueueType: 'deadLetter' }], closed: true });
    expect(envelopes).toEqual([
      expect.objectContaining({ queue: 'orders', functionName: 'fulfil', attempts: 5, message: expect.objectContaining({ id: 'm1', body: { id: 'o9' } }) }),
    ]);
    await sb.readDeadLetters(app, 'shipped', 'notifyCustomer');
    expect(client.receivers[1]!.args).toEqual(['shipped', 'notifyCustomer', { subQueueType: 'deadLetter' }]);
    await expect(sb.readDeadLetters(app, 'shipped')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/name the subscriber too/) });
  });
});

describe('Service Bus without a client: the real loading path', () => {
  test('a missing connection setting is CONFIG_INVALID naming the setting', async () => {
    const { orders } = shop();
    const saved = process.env.SbTestConnection;
    delete process.env.SbTestConnection;
    const err = await createServiceBusClient({ connection: 'SbTestConnection' })
      .send(orders, [outgoing({ id: 'o1' })])
      .catch((e: unknown) => e);
    expect(isFaasportError(err) && err.code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toMatch(/app setting "SbTestConnection" is not set/);
    if (saved !== undefined) process.env.SbTestConnection = saved;
  });

  test('without @azure/service-bus installed (as here), CONFIG_INVALID says what to install', async () => {
    const { orders } = shop();
    process.env.SbTestConnection2 = 'Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v';
    try {
      const err = await createServiceBusClient({ connection: 'SbTestConnection2' })
        .send(orders, [outgoing({ id: 'o1' })])
        .catch((e: unknown) => e);
      expect(isFaasportError(err) && err.code).toBe('CONFIG_INVALID');
      expect((err as Error).message).toMatch(/npm install @azure\/service-bus/);
      expect((err as Error).message).not.toMatch(/SharedAccessKey/);
    } finally {
      delete process.env.SbTestConnection2;
    }
  });
});

describe('serviceBusFromEnv', () => {
  test.each([
    [{}, undefined],
    [{ FAASPORT_SERVICE_BUS_QUEUES: 'orders, jobs' }, { queues: ['orders', 'jobs'], topics: [] }],
    [
      { FAASPORT_SERVICE_BUS_TOPICS: 'shipped', FAASPORT_SERVICE_BUS_CONNECTION: 'SbConn' },
      { queues: [], topics: ['shipped'], connection: 'SbConn' },
    ],
    [{ FAASPORT_SERVICE_BUS_QUEUES: ' , ' }, undefined],
  ])('%j → %j', (env, expected) => expect(serviceBusFromEnv(env)).toEqual(expected));
});
