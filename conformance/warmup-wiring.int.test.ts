import { afterAll, describe, expect, test } from 'vitest';
import { createApp, type LogRecord } from '../src/index.js';
import { toLambda } from '../adapters/aws/runtime/to-lambda.js';
import { AwsProducer } from '../adapters/aws/runtime/producer.js';
import { WARMUP_PING } from '../adapters/aws/runtime/warmup.js';
import { installFunctionsCore } from '../adapters/azure/testing/functions-core-host.js';
import { createHttpHost } from '../adapters/azure/testing/functions-http-host.js';
import { registerAzure } from '../adapters/azure/runtime/register-azure.js';
import type { AzureProducer } from '../adapters/azure/runtime/producer.js';
import { WARMUP_HEADER as AZURE_WARMUP_HEADER } from '../adapters/azure/runtime/warmup.js';
import { registerGcp } from '../adapters/gcp/runtime/register-gcp.js';
import { serveRegistered, type ServedFunction } from '../adapters/gcp/testing/serve-registered.js';
import { WARMUP_EVENT_TYPE, WARMUP_HEADER as GCP_WARMUP_HEADER } from '../adapters/gcp/runtime/warmup.js';

// Warm-up pings reach the registered entry points of each adapter and are answered there:
// no handler runs, no log line is written, and (on aws) the ping takes the cold start.

function appRecordingCalls(name: string) {
  const calls: string[] = [];
  const app = createApp(name);
  app.http('hello', { route: '/hello', public: true }, () => {
    calls.push('hello');
    return new Response('hi');
  });
  app.event('onEvent', {}, () => {
    calls.push('onEvent');
  });
  return { app, calls };
}

describe('aws: toLambda answers { faasport: "warmup" } before any decoding', () => {
  test('no handler, no log line; the ping reports the cold start it took', async () => {
    const { app, calls } = appRecordingCalls('warm-aws');
    const logs: LogRecord[] = [];
    const handlers = toLambda(app, { producer: new AwsProducer({ region: 'us-east-1', accountId: '000000000000' }), logSink: (r) => logs.push(r) });
    const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 3000 };
    expect(await handlers.hello!(WARMUP_PING as never, context as never)).toMatchObject({ coldStart: true });
    expect(await handlers.onEvent!(WARMUP_PING as never, context as never)).toMatchObject({ coldStart: false });
    expect(calls).toEqual([]);
    expect(logs).toEqual([]);
  });
});

describe('azure: the HTTP entry answers x-faasport-warmup: 1 with 204', () => {
  test('through @azure/functions itself: no handler, no user log line', async () => {
    const { app, calls } = appRecordingCalls('warm-azure');
    const producer: AzureProducer = {
      provider: 'azure',
      send: () => Promise.reject(new Error('unused')),
      publish: () => Promise.reject(new Error('unused')),
      readDeadLetters: () => Promise.resolve([]),
      deadLetter: () => Promise.resolve(),
    } as AzureProducer;
    const worker = installFunctionsCore().load(() => registerAzure(app, { producer }));
    const host = createHttpHost(worker);
    const res = await host.fetch(new Request('https://x.test/hello', { headers: { [AZURE_WARMUP_HEADER]: '1' } }));
    expect(res.status).toBe(204);
    expect(calls).toEqual([]);
    expect(worker.logs.filter((l) => l.category === 'user')).toEqual([]);
    expect((await host.fetch(new Request('https://x.test/hello'))).status).toBe(200);
    expect(calls).toEqual(['hello']);
  });
});

describe('gcp: the framework entry answers the warm-up header (HTTP) and event type (CloudEvent)', () => {
  const served: ServedFunction[] = [];
  afterAll(async () => {
    await Promise.all(served.map((s) => s.close()));
  });

  test('through the Functions Framework server: 204 for HTTP, 2xx for the event, no handler, no log line', async () => {
    const { app, calls } = appRecordingCalls('warmgcp');
    const logs: LogRecord[] = [];
    registerGcp(app, { logSink: (r) => logs.push(r), production: true });
    const hello = await serveRegistered('hello');
    const onEvent = await serveRegistered('onEvent');
    served.push(hello, onEvent);
    const res = await fetch(`${hello.url}/hello`, { headers: { [GCP_WARMUP_HEADER]: '1' } });
    expect(res.status).toBe(204);
    const ev = await fetch(onEvent.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'w1', 'ce-source': '//faasport/warmup', 'ce-type': WARMUP_EVENT_TYPE },
      body: '{}',
    });
    expect(ev.status).toBeGreaterThanOrEqual(200);
    expect(ev.status).toBeLessThan(300);
    expect(calls).toEqual([]);
    expect(logs).toEqual([]);
  });
});
