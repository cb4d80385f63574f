import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createApp, type App } from 'faasport';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { awsHarness } from '../adapters/aws/testing/harness.js';
import { containerHarness } from '../adapters/container/testing/harness.js';
import { azureHarness } from '../adapters/azure/testing/harness.js';
import { gcpHarness } from '../adapters/gcp/testing/harness.js';
import { localHarness } from '../adapters/local/testing/harness.js';
import type { ConformanceDriver, ConformanceHarness } from './harness.js';

// One trace across HTTP → queue → consumer → topic → subscriber, recorded by a real
// OpenTelemetry SDK (in-memory exporter) while each adapter runs the app through its own
// conformance harness: the platform's event shapes, its queue service or stand-in.

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

function tracedApp(): App {
  const app = createApp('traced');
  const orders = app.queue<{ id: number; fail?: boolean }>('orders', { maxAttempts: 1 });
  const shipped = app.topic<{ id: number }>('shipped');
  app.http('checkout', { method: 'POST', route: '/checkout', public: true, sends: [orders] }, async (req) => {
    await orders.send((await req.json()) as { id: number; fail?: boolean });
    return new Response(null, { status: 202 });
  });
  orders.consume(
    'fulfil',
    async (msg) => {
      if (msg.body.fail) throw new Error(`order ${msg.body.id} cannot be fulfilled`);
      await shipped.publish({ id: msg.body.id });
    },
    { sends: [shipped] },
  );
  shipped.subscribe('notify', async () => {});
  app.schedule('nightly', { cron: '0 3 * * *' }, async () => {});
  app.event('audit', {}, async () => {});
  return app;
}

const SYSTEMS: Record<string, { queue: string; topic: string; cloud?: string }> = {
  local: { queue: 'faasport_local', topic: 'faasport_local' },
  aws: { queue: 'aws_sqs', topic: 'aws.sns', cloud: 'aws' },
  azure: { queue: 'azure_storage_queue', topic: 'azure_storage_queue', cloud: 'azure' },
  gcp: { queue: 'gcp_pubsub', topic: 'gcp_pubsub', cloud: 'gcp' },
  // The container target's harness runs the aws flavour: SQS consumers, SNS fan-out to SQS.
  container: { queue: 'aws_sqs', topic: 'aws.sns', cloud: 'aws' },
};

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe.each<[string, () => ConformanceHarness]>([
  ['local', localHarness],
  ['aws', awsHarness],
  ['azure', azureHarness],
  ['gcp', gcpHarness],
  ['container', containerHarness],
])('OpenTelemetry spans on %s', (name, harness) => {
  let driver: ConformanceDriver;
  let spans: ReadableSpan[];
  let failed: ReadableSpan[];
  const system = SYSTEMS[name]!;

  beforeAll(async () => {
    exporter.reset();
    driver = await harness().start(tracedApp(), { production: true });
    const post = (body: unknown, traceparent: string) =>
      driver.fetch(
        new Request('http://app/checkout', { method: 'POST', headers: { 'content-type': 'application/json', traceparent }, body: JSON.stringify(body) }),
      );
    expect((await post({ id: 1 }, `00-${CALLER_TRACE}-${CALLER_SPAN}-01`)).status).toBe(202);
    expect((await post({ id: 2, fail: true }, '00-11111111111111111111111111111111-2222222222222222-01')).status).toBe(202);
    await driver.tick('nightly');
    await driver.emit({ specversion: '1.0', id: 'evt-1', source: 'urn:faasport:test', type: 'com.example.order.audited', data: { id: 1 } });
    await driver.settle(30_000);
    const all = exporter.getFinishedSpans();
    spans = all.filter((s) => s.spanContext().traceId === CALLER_TRACE);
    failed = all.filter((s) => s.spanContext().traceId === '11111111111111111111111111111111');
  });
  afterAll(async () => {
    await driver?.stop();
  });

  const one = (list: ReadableSpan[], spanName: string, kind: SpanKind): ReadableSpan => {
    const found = list.filter((s) => s.name === spanName && s.kind === kind);
    expect(
      found.map((s) => s.name),
      `${spanName} among ${list.map((s) => s.name).join(', ')}`,
    ).toHaveLength(1);
    return found[0]!;
  };
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  test('HTTP → send → process → publish → process is one trace, each span the child of the one before', () => {
    const server = one(spans, 'POST /checkout', SpanKind.SERVER);
    const send = one(spans, 'send orders', SpanKind.PRODUCER);
    const consume = one(spans, 'process orders', SpanKind.CONSUMER);
    const publish = one(spans, 'publish shipped', SpanKind.PRODUCER);
    const subscriber = one(spans, 'process shipped', SpanKind.CONSUMER);
    expect(spans).toHaveLength(5);
    expect(parentOf(server)).toBe(CALLER_SPAN);
    expect(parentOf(send)).toBe(server.spanContext().spanId);
    expect(parentOf(consume)).toBe(send.spanContext().spanId);
    expect(parentOf(publish)).toBe(consume.spanContext().spanId);
    expect(parentOf(subscriber)).toBe(publish.spanContext().spanId);
    // The messaging conventions' link from a process span to the message's creation context.
    expect(consume.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);
    expect(subscriber.links.map((l) => l.context.spanId)).toEqual([publish.spanContext().spanId]);
    for (const s of spans) expect(s.status.code, s.name).not.toBe(SpanStatusCode.ERROR);
  });

  test('the semantic-convention attributes: HTTP server, FaaS, cloud and messaging', () => {
    const server = one(spans, 'POST /checkout', SpanKind.SERVER);
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/checkout',
      'http.response.status_code': 202,
      'url.path': '/checkout',
      'faas.trigger': 'http',
      'faas.name': 'checkout',
    });
    const consume = one(spans, 'process orders', SpanKind.CONSUMER);
    const send = one(spans, 'send orders', SpanKind.PRODUCER);
    expect(send.attributes).toMatchObject({ 'messaging.system': system.queue, 'messaging.operation.type': 'send', 'messaging.destination.name': 'orders' });
    expect(consume.attributes).toMatchObject({
      'messaging.system': system.queue,
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'orders',
      'faasport.message.attempt': 1,
      'faas.trigger': 'pubsub',
      'faas.name': 'fulfil',
    });
    expect(consume.attributes['messaging.message.id']).toEqual(expect.any(String));
    const subscriber = one(spans, 'process shipped', SpanKind.CONSUMER);
    expect(subscriber.attributes).toMatchObject({
      'messaging.system': system.topic,
      'messaging.destination.name': 'shipped',
      'messaging.destination.subscription.name': 'notify',
    });
    for (const s of [server, consume, subscriber]) {
      expect(s.attributes['faas.invocation_id'], s.name).toEqual(expect.any(String));
      expect(typeof s.attributes['faas.coldstart'], s.name).toBe('boolean');
      expect(s.attributes['cloud.provider'], s.name).toBe(system.cloud);
    }
  });

  test('a failing message: exception recorded, status ERROR, dead-lettering as an event', () => {
    const consume = one(failed, 'process orders', SpanKind.CONSUMER);
    expect(consume.status.code).toBe(SpanStatusCode.ERROR);
    const exception = consume.events.find((e) => e.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('order 2 cannot be fulfilled');
    expect(consume.events.map((e) => e.name)).toContain('faasport.dead_letter');
    expect(consume.attributes['error.type']).toBe('Error');
  });

  test('a CloudEvent is a CONSUMER span with its id, type and source', () => {
    const events = exporter.getFinishedSpans().filter((s) => s.name === 'audit');
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events[0]!.kind).toBe(SpanKind.CONSUMER);
    expect(events[0]!.attributes).toMatchObject({
      'faas.trigger': 'pubsub',
      'faas.name': 'audit',
      'cloudevents.event_id': 'evt-1',
      'cloudevents.event_type': 'com.example.order.audited',
      'cloudevents.event_source': 'urn:faasport:test',
    });
  });

  test('a schedule tick is a timer span with its cron', () => {
    const ticks = exporter.getFinishedSpans().filter((s) => s.name === 'nightly');
    expect(ticks.length).toBeGreaterThanOrEqual(1);
    expect(ticks[0]!.attributes).toMatchObject({ 'faas.trigger': 'timer', 'faas.cron': '0 3 * * *', 'faas.name': 'nightly' });
  });
});
