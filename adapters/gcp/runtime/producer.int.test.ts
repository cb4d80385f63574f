import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { attachTransport, createApp } from 'faasport';
import { createPubsubTransport, type PubsubTransport } from './producer.js';
import { findPubsubEmulator, startPubsubEmulator, type PubsubEmulator } from '../testing/pubsub-emulator.js';

const PROJECT = 'faasport-producer';
const emulatorBin = process.env.PUBSUB_EMULATOR_HOST ? 'external' : findPubsubEmulator();
const SKIPPED = emulatorBin ? '' : ' (skipped: no Pub/Sub emulator is installed on this machine and PUBSUB_EMULATOR_HOST is not set)';

describe.skipIf(!emulatorBin)(`Pub/Sub producer against Google's Pub/Sub emulator${SKIPPED}`, () => {
  let emulator: PubsubEmulator | undefined;
  let host: string;
  let transport: PubsubTransport;
  const app = createApp('shop');
  const orders = app.queue<{ seq: number }>('orders');
  const missing = app.topic('missing');

  beforeAll(async () => {
    if (emulatorBin === 'external') host = process.env.PUBSUB_EMULATOR_HOST!;
    else {
      emulator = await startPubsubEmulator(emulatorBin!);
      host = emulator.host;
    }
    transport = createPubsubTransport({ appName: app.name, projectId: PROJECT, apiEndpoint: host });
    attachTransport(app, transport);
  });
  afterAll(async () => {
    await transport?.close();
    await emulator?.stop();
  });

  async function pullAll(subscription: string, count: number) {
    const { PubSub } = await import('@google-cloud/pubsub');
    const client = new PubSub({ projectId: PROJECT, apiEndpoint: host, emulatorMode: true });
    const sub = client.subscription(subscription);
    const got: { data: string; attributes: Record<string, string>; id: string }[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 15_000);
      sub.on('message', (m) => {
        m.ack();
        got.push({ data: m.data.toString(), attributes: { ...m.attributes }, id: m.id });
        if (got.length >= count) {
          clearTimeout(timer);
          // A little longer, so that an unexpected extra message would be seen too.
          setTimeout(resolve, 300);
        }
      });
    });
    await sub.close();
    await client.close();
    return got;
  }

  test('send and sendBatch publish JSON data and attributes to <app>-<queue>, ids from the server', async () => {
    const { PubSub } = await import('@google-cloud/pubsub');
    const admin = new PubSub({ projectId: PROJECT, apiEndpoint: host, emulatorMode: true });
    const [topic] = await admin.createTopic('shop-orders');
    await topic.createSubscription('reader');
    await admin.close();

    const one = await orders.send({ seq: 0 }, { attributes: { tenant: 'acme' } });
    const batch = await orders.sendBatch(
      Array.from({ length: 25 }, (_, i) => ({ seq: i + 1 })),
      (_, i) => ({ attributes: { index: String(i) } }),
    );
    expect(batch).toHaveLength(25);
    const ids = [one.id, ...batch.map((r) => r.id)];
    expect(new Set(ids).size).toBe(26);

    const got = await pullAll('reader', 26);
    expect(got.map((m) => JSON.parse(m.data).seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 26 }, (_, i) => i));
    expect(got.map((m) => m.id).sort()).toEqual([...ids].sort());
    const first = got.find((m) => JSON.parse(m.data).seq === 0)!;
    expect(first.attributes).toEqual({ tenant: 'acme', 'faasport-content-type': 'application/json' });
    expect(got.find((m) => JSON.parse(m.data).seq === 3)!.attributes.index).toBe('2');
  });

  test('an oversized message is refused before the network: nothing reaches the topic', async () => {
    await expect(orders.sendBatch([{ seq: 100 }, { seq: 101, pad: 'x'.repeat(10_000_001) } as { seq: number }])).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    await orders.send({ seq: 102 });
    const got = await pullAll('reader', 1);
    expect(got.map((m) => JSON.parse(m.data).seq)).toEqual([102]);
  });

  test('publishing to a topic that does not exist is SEND_FAILED naming it', async () => {
    await expect(missing.publish({ x: 1 })).rejects.toMatchObject({ code: 'SEND_FAILED', message: expect.stringContaining('topic "shop-missing"') });
  });
});
