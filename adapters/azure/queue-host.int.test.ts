import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp } from '../../src/index.js';
import { startAzurite, type Azurite } from './azurite.js';
import { installFunctionsCore } from './functions-core-host.js';
import { hostQueueSettings } from './host-settings.js';
import { createAzureProducer } from './producer.js';
import { startQueueHost, type QueueHost } from './queue-host.js';
import { registerAzure } from './register-azure.js';

let azurite: Azurite;
let listener: QueueHost | undefined;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await listener?.stop();
  await azurite?.stop();
});

test('a message that is not base64 never runs the function and reads back as a MESSAGE_INVALID dead letter', async () => {
  // Prepare: the app, registered through @azure/functions, with the host's queue listener.
  const app = createApp('raw');
  const seen: unknown[] = [];
  const inboxQueue = app.queue('inbox', { maxAttempts: 2, maxMessageBytes: 1024 });
  inboxQueue.consume('read', (msg) => {
    seen.push(msg.body);
  });
  const producer = createAzureProducer(app, { connectionString: azurite.connectionString });
  const worker = installFunctionsCore().load(() => registerAzure(app, { producer }));
  listener = startQueueHost({ worker, connectionString: azurite.connectionString, ...hostQueueSettings(app) });
  const inbox = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('inbox');
  await inbox.createIfNotExists();
  // Act: a foreign producer writes plain JSON text, then faasport sends a proper message.
  await inbox.sendMessage('{"hello":"world"}');
  await inboxQueue.send({ ok: true });
  await listener.settle(20_000);
  // Assess
  expect(seen).toEqual([{ ok: true }]);
  const [dead] = await producer.readDeadLetters('inbox');
  expect(dead).toMatchObject({ queue: 'inbox', functionName: 'read', attempts: 0, message: { body: '{"hello":"world"}' }, lastError: { code: 'MESSAGE_INVALID' } });
  expect(dead!.lastError.message).toContain('is not base64');
}, 60_000);
