import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { installFunctionsCore, type FunctionsWorker, type RpcTypedData } from '../testing/functions-core-host.js';
import { createApp, type CloudEvent, type Context, type QueueMessage, type ScheduleTick } from 'faasport';
import { registerAzure } from './register-azure.js';
import type { AzureNative } from './register-azure.js';
import type { AzureProducer } from './producer.js';

// Host-shaped input from the vendor fixtures goes through the real @azure/functions
// invocation model, then through the adapter, into the portable types.
const core = installFunctionsCore();
const fixtures = new URL('../../../conformance/fixtures/azure/', import.meta.url);
const load = (path: string): unknown => JSON.parse(readFileSync(new URL(path, fixtures), 'utf8').replace(/^\uFEFF/, ''));

const seen: { message?: QueueMessage; event?: CloudEvent; tick?: ScheduleTick; ctx?: Context } = {};
const unusedProducer: AzureProducer = {
  provider: 'azure',
  send: () => Promise.reject(new Error('not used')),
  publish: () => Promise.reject(new Error('not used')),
  readDeadLetters: () => Promise.resolve([]),
  deadLetter: () => Promise.reject(new Error('not used')),
};

let worker: FunctionsWorker;

beforeAll(() => {
  const app = createApp('fixtures');
  app.queue('orders', { maxMessageBytes: 1024 }).consume('fromStorage', (message, ctx) => {
    Object.assign(seen, { message, ctx });
  });
  app.queue('payments', { maxMessageBytes: 1024 }).consume('fromServiceBus', (message, ctx) => {
    Object.assign(seen, { message, ctx });
  });
  app.schedule('tick', { cron: '*/5 * * * *' }, (tick, ctx) => {
    Object.assign(seen, { tick, ctx });
  });
  app.event('onEvent', {}, (event, ctx) => {
    Object.assign(seen, { event, ctx });
  });
  worker = core.load(() => registerAzure(app, { producer: unusedProducer, serviceBus: { queues: ['payments'] } }));
});

describe.each([
  {
    name: 'storage queue',
    functionName: 'fromStorage',
    metadata: 'storage-queue/nodejs-library-rpc-trigger-metadata-queue.transcribed.json',
    expected: 'storage-queue/nodejs-library-rpc-trigger-metadata-queue.expected.transcribed.json',
    id: '814b3b66-0200-4121-8ef3-405846a124bf',
    enqueuedAt: '2022-08-25T05:06:39.000Z',
  },
  {
    name: 'service bus',
    functionName: 'fromServiceBus',
    metadata: 'service-bus/nodejs-library-rpc-trigger-metadata-servicebus.transcribed.json',
    expected: 'service-bus/nodejs-library-rpc-trigger-metadata-servicebus.expected.transcribed.json',
    id: 'a11f788b439b4c5daa6a9f173bf78d68',
    enqueuedAt: '2022-08-25T05:06:39.775Z',
  },
])('$name trigger metadata fixture', ({ functionName, metadata, expected, id, enqueuedAt }) => {
  test('decodes to a QueueMessage through the library', async () => {
    // Prepare
    const triggerMetadata = load(metadata) as Record<string, RpcTypedData>;
    const text = '{\n  "name": "world"\n}';
    const fn = worker.functions.get(functionName)!;
    // Act
    const result = await worker.invoke(functionName, { inputData: [{ name: fn.trigger.name, data: { string: text } }], triggerMetadata });
    // Assess
    expect(result.ok).toBe(true);
    const native = seen.ctx!.native as AzureNative;
    expect(native.context.triggerMetadata).toEqual(load(expected));
    expect(seen.message).toEqual({ id, body: { name: 'world' }, attempt: 1, enqueuedAt: new Date(enqueuedAt), attributes: {} });
    expect(seen.ctx!.attempt).toBe(1);
    expect(seen.ctx!.functionName).toBe(functionName);
    expect(seen.ctx!.invocationId).toBe(result.invocationId);
  });
});

describe('http trigger metadata fixture', () => {
  test('headers arrive on the Fetch Request', async () => {
    const app = createApp('fixtures-http');
    let headers: Headers | undefined;
    app.http('echoHeaders', { route: '/echo-headers', public: true }, (req) => {
      headers = req.headers;
      return new Response('ok');
    });
    const httpWorker = core.load(() => registerAzure(app, { producer: unusedProducer }));
    const metadata = load('http/nodejs-library-rpc-trigger-metadata-http.transcribed.json') as Record<string, RpcTypedData>;
    const sent = JSON.parse(metadata.Headers!.json!) as Record<string, string>;
    const fn = httpWorker.functions.get('echoHeaders')!;
    const result = await httpWorker.invoke('echoHeaders', {
      inputData: [
        { name: fn.trigger.name, data: { http: { method: 'GET', url: 'http://localhost:7071/echo-headers', headers: sent, query: {}, params: {} } } },
      ],
      triggerMetadata: metadata,
    });
    expect(result.ok).toBe(true);
    for (const [name, value] of Object.entries(sent)) expect(headers!.get(name)).toBe(value);
  });
});

describe('timer binding value fixture', () => {
  test('becomes a tick with the scheduled occurrence and isPastDue', async () => {
    const value = load('timer/python-library-timer-binding-value.extracted.json');
    const fn = worker.functions.get('tick')!;
    const result = await worker.invoke('tick', {
      inputData: [{ name: fn.trigger.name, data: { json: JSON.stringify(value) } }],
      triggerMetadata: load('timer/nodejs-library-rpc-trigger-metadata-timer.transcribed.json') as Record<string, RpcTypedData>,
    });
    expect(result.ok).toBe(true);
    expect(seen.tick!.scheduledTime.toISOString()).toBe('2022-03-28T20:45:00.000Z');
    expect(seen.tick!.isPastDue).toBe(false);
    expect(fn.trigger.schedule).toBe('0 */5 * * * *');
  });
});

describe.each([
  ['storage-blob-created-eventgrid-schema.json', 'Microsoft.Storage.BlobCreated', 'beb21a5e-401e-002b-3749-928517060431', '2021-08-16T02:51:26.4248221Z'],
  ['storage-blob-created-cloudevents-schema.json', 'Microsoft.Storage.BlobCreated', 'beb21a5e-401e-002b-3749-928517060431', '2021-08-16T02:51:26.4248221Z'],
  ['storage-blob-deleted-eventgrid-schema.json', 'Microsoft.Storage.BlobDeleted', '3626e710-c01e-005c-794a-92005606d96d', '2021-08-16T02:58:18.503829Z'],
  ['storage-blob-deleted-cloudevents-schema.json', 'Microsoft.Storage.BlobDeleted', '3626e710-c01e-005c-794a-92005606d96d', '2021-08-16T02:58:18.5038290Z'],
  [
    'servicebus-deadletter-available-eventgrid-schema.json',
    'Microsoft.ServiceBus.DeadletterMessagesAvailablePeriodicNotifications',
    'dede87b0-3656-419c-acaf-70c95ddc60f5',
    '2018-02-14T05:12:53.4133526Z',
  ],
])('event grid fixture %s', (file, type, id, time) => {
  test('decodes to a CloudEvent through the library', async () => {
    const raw = load(`event-grid/${file}`) as Record<string, unknown>;
    const fn = worker.functions.get('onEvent')!;
    const result = await worker.invoke('onEvent', { inputData: [{ name: fn.trigger.name, data: { json: JSON.stringify(raw) } }], triggerMetadata: {} });
    expect(result.ok).toBe(true);
    expect(seen.event).toMatchObject({ specversion: '1.0', id, type, time, source: raw.topic ?? raw.source, subject: raw.subject, data: raw.data });
  });
});
