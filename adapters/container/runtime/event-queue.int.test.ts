import { readFileSync } from 'node:fs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type CloudEvent, type DeadLetterEnvelope } from 'faasport';
import { startLocalSqs, TEST_CLIENT_CONFIG, type Fauxqs } from '../../aws/testing/fauxqs-server.js';
import { loadFixture } from '../../aws/testing/fixtures.js';
import { bodies, provisionSqs } from '../testing/aws-queues.js';
import { waitFor } from '../testing/server-process.js';
import { startAzurite, type Azurite } from '../../azure/testing/azurite.js';
import { awsPlatform } from './aws-platform.js';
import { azurePlatform } from './azure-platform.js';
import { startContainer, type RunningContainer } from './start-container.js';

// Events as the deploy files route them, to a queue per event function that the server
// consumes. On aws as the ECS template routes them: an EventBridge rule puts each event on the
// function's SQS queue `<function>-events`, which the server consumes. Here the local SQS
// server holds the queue and the test puts EventBridge's own sample events on it (what the
// rule's target delivers: the event JSON as the message body).
const app = createApp('orders-events');
const received: CloudEvent[] = [];
app.event('onPurchase', { type: 'OrderPurchased', maxAttempts: 2 }, (event) => {
  if ((event.data as { description?: string }).description === 'poison') throw new Error('cannot handle a poison order');
  received.push(event);
});

let sqs: Fauxqs;
let client: SQSClient;
let container: RunningContainer;
let env: Record<string, string>;
const saved = { ...process.env };

beforeAll(async () => {
  sqs = await startLocalSqs();
  ({ env } = provisionSqs(sqs, app));
  client = new SQSClient(TEST_CLIENT_CONFIG(sqs.address));
  const fullEnv = { ...env, HOST: '127.0.0.1', PORT: '0' };
  // The SDK reads endpoint and credentials from the environment, as in a task.
  Object.assign(process.env, { AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  container = await startContainer(app, await awsPlatform(app, fullEnv), { env: fullEnv, handleSignals: false, logSink: () => {} });
});

afterAll(async () => {
  await container?.stop();
  client?.destroy();
  await sqs?.stop();
  for (const key of ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
});

const put = (event: unknown) => client.send(new SendMessageCommand({ QueueUrl: env.FAASPORT_QUEUE_URL_ONPURCHASE_EVENTS, MessageBody: JSON.stringify(event) }));

describe('event functions on aws containers: EventBridge → SQS → the server', () => {
  it('consumes the events queue and is ready only once it is connected', async () => {
    expect(container.consumers.map((c) => c.name)).toEqual(['onPurchase']);
    await waitFor(() => (container.notReady().length === 0 ? true : undefined), 20_000, 'ready');
  });

  it('hands the function the CloudEvent of an EventBridge event', async () => {
    await put(loadFixture('eventbridge/custom-order-purchased.json'));
    const [event] = await waitFor(() => (received.length > 0 ? received : undefined), 20_000, 'the event handled');
    expect({ ...event }).toMatchObject({
      specversion: '1.0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      source: 'OrderService',
      type: 'OrderPurchased',
      data: { description: 'My order' },
    });
  });

  it('retries a failing event up to maxAttempts, then dead-letters it with the envelope', async () => {
    const poison = { ...loadFixture<Record<string, unknown>>('eventbridge/custom-order-purchased.json'), id: 'poison-1', detail: { description: 'poison' } };
    await put(poison);
    const [letter] = await waitFor(
      () => {
        const dead = bodies(sqs, 'onPurchase-events-dlq') as DeadLetterEnvelope[];
        return dead.length > 0 ? dead : undefined;
      },
      30_000,
      'a dead letter',
    );
    expect(letter).toMatchObject({
      functionName: 'onPurchase',
      queue: 'onPurchase-events',
      attempts: 2,
      message: { body: { id: 'poison-1', 'detail-type': 'OrderPurchased' } },
      lastError: { message: expect.stringContaining('poison') },
    });
    expect(received.map((e) => e.id)).toEqual(['6a7e8feb-b491-4cf7-a9f1-bf3703467718']);
  });
});

// On azure as event-grid.json routes them: an Event Grid subscription (CloudEvents 1.0 schema)
// writes each event, base64-encoded JSON, to the Storage queue `<function>-events`; Azurite holds it.
describe('event functions on azure containers: Event Grid → Storage queue → the server', () => {
  const blobs = createApp('blob-events');
  const got: CloudEvent[] = [];
  blobs.event('onBlob', { type: 'Microsoft.Storage.BlobCreated', maxAttempts: 2 }, (event) => {
    if ((event.subject ?? '').endsWith('poison.txt')) throw new Error('cannot handle a poison blob');
    got.push(event);
  });
  const sample = JSON.parse(
    readFileSync(new URL('../../../conformance/fixtures/azure/event-grid/storage-blob-created-cloudevents-schema.json', import.meta.url), 'utf8').replace(
      /^\uFEFF/,
      '',
    ),
  ) as Record<string, unknown>;
  let azurite: Azurite;
  let server: RunningContainer;
  let queues: QueueServiceClient;
  const put = (event: unknown) => queues.getQueueClient('onblob-events').sendMessage(Buffer.from(JSON.stringify(event)).toString('base64'));

  beforeAll(async () => {
    azurite = await startAzurite();
    queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    await queues.getQueueClient('onblob-events').createIfNotExists();
    const azEnv = { AzureWebJobsStorage: azurite.connectionString, HOST: '127.0.0.1', PORT: '0' };
    server = await startContainer(blobs, await azurePlatform(blobs, azEnv), { env: azEnv, handleSignals: false, logSink: () => {} });
  });

  afterAll(async () => {
    await server?.stop();
    await azurite?.stop();
  });

  it('hands the function the CloudEvent Event Grid delivered, and dead-letters a failing one after maxAttempts', async () => {
    await put(sample);
    await put({ ...sample, id: 'poison-blob', subject: '/blobServices/default/containers/c/blobs/poison.txt' });
    const [event] = await waitFor(() => (got.length > 0 ? got : undefined), 20_000, 'the event handled');
    expect({ ...event }).toMatchObject({
      id: 'beb21a5e-401e-002b-3749-928517060431',
      type: 'Microsoft.Storage.BlobCreated',
      subject: '/blobServices/default/containers/gaocontainer/blobs/Template1.xlsx',
    });
    const poison = queues.getQueueClient('onblob-events-poison');
    const letters = await waitFor(
      async () => {
        if (!(await poison.exists())) return undefined;
        const peeked = await poison.peekMessages({ numberOfMessages: 32 });
        return peeked.peekedMessageItems.length > 0 ? peeked.peekedMessageItems : undefined;
      },
      30_000,
      'a poison message',
    );
    expect(letters).toHaveLength(1);
    // faasport writes its own messages as plain UTF-8 text (host.json messageEncoding none), the dead letter too.
    const letter = letters[0]!.messageText;
    expect(letter).toContain('"functionName":"onBlob"');
    expect(letter).toContain('"attempts":2');
    expect(letter).toContain('poison-blob');
    expect(got.map((e) => e.id)).toEqual(['beb21a5e-401e-002b-3749-928517060431']);
  });
});
