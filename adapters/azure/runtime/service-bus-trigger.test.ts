import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createApp, type QueueMessage } from 'faasport';
import { installFunctionsCore, type FunctionsWorker, type RpcTypedData } from '../testing/functions-core-host.js';
import type { AzureProducer } from './producer.js';
import { registerAzure } from './register-azure.js';

// Stand-in for the live Service Bus, which has no emulator here (it needs Docker): the message
// bodies are the shapes the Functions host documents for a Node serviceBusQueue trigger, built
// as host invocations and run through the real @azure/functions invocation model. The host hands
// a Node function the body as a string, which the library JSON-parses when it can ("a string or
// JSON object"); a binary binding (v3 `dataType: "binary"`, v4 generic triggers) hands it bytes,
// which the library makes a Buffer. Every shape must end in the one unmarked-body rule, with the
// same body the other adapters' native-producer case checks.
const core = installFunctionsCore();
const metadata = JSON.parse(
  readFileSync(
    new URL('../../../conformance/fixtures/azure/service-bus/nodejs-library-rpc-trigger-metadata-servicebus.transcribed.json', import.meta.url),
    'utf8',
  ),
) as Record<string, RpcTypedData>;
const noProducer: AzureProducer = {
  provider: 'azure',
  send: () => Promise.reject(new Error('not used')),
  publish: () => Promise.reject(new Error('not used')),
  readDeadLetters: () => Promise.resolve([]),
  deadLetter: () => Promise.reject(new Error('not used')),
};
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

let worker: FunctionsWorker;
const seen: QueueMessage[] = [];

beforeAll(() => {
  const app = createApp('bus-shapes');
  app.queue('payments', { maxMessageBytes: 1024 }).consume('pay', (message) => {
    seen.push(message);
  });
  worker = core.load(() => registerAzure(app, { producer: noProducer, serviceBus: { queues: ['payments'] } }));
});

describe('Service Bus trigger (stand-in for the live cloud): every documented body shape follows the unmarked-body rule', () => {
  test.each([
    // @azure/service-bus sendMessages({ body: { n: 3 } }) writes the object as JSON text.
    ['the SDK sending an object', { string: '{"n":3}' }, { n: 3 }],
    ['Service Bus Explorer, application/json', { string: '{\n  "n": 3\n}' }, { n: 3 }],
    ['a JSON array', { string: '[1,"é"]' }, [1, 'é']],
    ['Service Bus Explorer, text/plain', { string: 'plain héllo <&>' }, 'plain héllo <&>'],
    // Unlike a Storage queue, Service Bus has no base64 convention: base64-looking text is text.
    ['text that is also base64', { string: 'eyJuIjozfQ==' }, 'eyJuIjozfQ=='],
    ['JSON typed data', { json: '{"n":3}' }, { n: 3 }],
    ['bytes of UTF-8 JSON (a binary binding)', { bytes: utf8('{"n":3}') }, { n: 3 }],
    ['bytes of UTF-8 text (a binary binding)', { bytes: utf8('héllo') }, 'héllo'],
  ])('%s', async (_name, data, body) => {
    // Prepare
    const fn = worker.functions.get('pay')!;
    const before = seen.length;
    // Act
    const result = await worker.invoke('pay', { inputData: [{ name: fn.trigger.name, data }], triggerMetadata: metadata });
    // Assess
    expect(result.ok).toBe(true);
    expect(seen.slice(before)).toHaveLength(1);
    expect(seen[before]).toMatchObject({ id: 'a11f788b439b4c5daa6a9f173bf78d68', attempt: 1, body });
  });

  test('bytes that are not UTF-8 text stay bytes, byte for byte', async () => {
    const fn = worker.functions.get('pay')!;
    const raw = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0x41]);
    const before = seen.length;
    const result = await worker.invoke('pay', { inputData: [{ name: fn.trigger.name, data: { bytes: raw } }], triggerMetadata: metadata });
    expect(result.ok).toBe(true);
    const body = seen[before]!.body;
    expect(body).toBeInstanceOf(Uint8Array);
    expect([...(body as Uint8Array)]).toEqual([...raw]);
  });

  // The known limit, stated in the README: without a binary binding (the v4 model has none for
  // Service Bus) the host decodes the body as UTF-8 before the worker sees it, so bytes that are
  // not UTF-8 arrive as a string with U+FFFD in their place; faasport cannot restore them.
  test('a binary body the host already decoded as text arrives as that string', async () => {
    const fn = worker.functions.get('pay')!;
    const before = seen.length;
    const result = await worker.invoke('pay', { inputData: [{ name: fn.trigger.name, data: { string: '\uFFFD\uFFFDA' } }], triggerMetadata: metadata });
    expect(result.ok).toBe(true);
    expect(seen[before]!.body).toBe('\uFFFD\uFFFDA');
  });
});
