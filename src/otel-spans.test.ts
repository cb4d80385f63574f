import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvocationContext } from './context.js';
import { createApp, attachTransport } from './app.js';
import { FaasportError } from './errors.js';
import { invokeHttp, invokeQueueMessage, invokeSchedule } from './invoke.js';
import { activeTracer, resetOtelApi } from './otel-api.js';
import { parseCloudTraceContext, parseTraceparent, parseXRayHeader, type ParsedTraceparent } from './trace.js';
import type { OutgoingMessage, Transport } from './transport.js';

// Read once per process, on the first span: Lambda sets AWS_REGION.
const savedRegion = process.env.AWS_REGION;
process.env.AWS_REGION = 'eu-west-1';
afterAll(() => {
  if (savedRegion === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = savedRegion;
});

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

function ctxFor(functionName: string, parentTrace?: () => ParsedTraceparent | undefined, provider = 'aws'): InvocationContext {
  return new InvocationContext({
    functionName,
    invocationId: `inv-${functionName}`,
    provider,
    deadline: Date.now() + 5_000,
    coldStart: true,
    native: undefined,
    logSink: () => {},
    ...(parentTrace ? { parentTrace } : {}),
  });
}

describe('without a tracer', () => {
  afterEach(() => resetOtelApi());

  it('records nothing and answers as before when @opentelemetry/api is absent', async () => {
    resetOtelApi('absent');
    const app = createApp('t');
    const fn = app.http('web', { route: '/' }, () => new Response('ok'));
    const ctx = ctxFor('web', () => parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'));
    expect(activeTracer()).toBeUndefined();
    expect((await invokeHttp(fn, new Request('http://x/'), ctx, { production: true })).status).toBe(200);
    // The invocation keeps faasport's own span id: nothing replaced it.
    expect(ctx.trace).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7' });
  });

  it('finds the installed API but no provider: still no tracer', () => {
    resetOtelApi();
    expect(activeTracer()).toBeUndefined();
  });

  it('does not load the installed API until something registered with it (a fresh process)', () => {
    // The first invocation of a cold start must not pay for loading the package when no provider exists anywhere.
    const script = `
const { activeTracer } = await import(${JSON.stringify(new URL('./otel-api.ts', import.meta.url).href)});
const { createRequire } = await import('node:module');
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@opentelemetry/api'));
const before = [activeTracer() === undefined, loaded()];
globalThis[Symbol.for('opentelemetry.js.api.1')] = { version: '1.9.0' };
const after = [activeTracer() === undefined, loaded()];
process.stdout.write(JSON.stringify({ before, after }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    // Before: no tracer, nothing loaded. After a registration appears: the API is loaded (its provider is a no-op, so still no tracer).
    expect(JSON.parse(out)).toEqual({ before: [true, false], after: [true, true] });
  });
});

describe('with a tracer provider', () => {
  beforeAll(() => {
    resetOtelApi();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
  });
  afterEach(() => exporter.reset());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  it('opens a SERVER span per HTTP invocation, child of the W3C caller, and the context names it', async () => {
    const app = createApp('t');
    let seen: string | undefined;
    const fn = app.http('order', { method: 'POST', route: '/orders/:id' }, (_req, ctx) => {
      seen = trace.getActiveSpan()?.spanContext().spanId;
      expect(ctx.trace.spanId).toBe(seen);
      return new Response(null, { status: 201 });
    });
    const ctx = ctxFor('order', () => parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'));
    await invokeHttp(fn, new Request('https://shop.example/orders/7?x=1', { method: 'POST' }), ctx, { production: true });
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({ name: 'POST /orders/:id', kind: SpanKind.SERVER });
    expect(span!.spanContext()).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: seen });
    expect(span!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span!.attributes).toEqual({
      'http.request.method': 'POST',
      'http.route': '/orders/:id',
      'http.response.status_code': 201,
      'url.path': '/orders/7',
      'url.scheme': 'https',
      'faas.trigger': 'http',
      'faas.name': 'order',
      'faas.invocation_id': 'inv-order',
      'faas.coldstart': true,
      'cloud.provider': 'aws',
      'cloud.region': 'eu-west-1',
    });
    expect(ctx.trace.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${seen}-01`);
  });

  it.each([
    // AWS's documented example of the X-Ray tracing header.
    [
      'X-Ray',
      () => parseXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'),
      '5759e988bd862e3fe1be46a994272793',
      '53995c3f42cd8ad8',
    ],
    // Google's documented example of X-Cloud-Trace-Context (span id in decimal).
    ['X-Cloud-Trace-Context', () => parseCloudTraceContext('105445aa7843bc8bf206b12000100000/1;o=1'), '105445aa7843bc8bf206b12000100000', '0000000000000001'],
  ])('a %s header with no W3C context parents the span', async (_name, parent, traceId, parentSpanId) => {
    const app = createApp('t');
    const fn = app.http('web', { route: '/' }, () => new Response('ok'));
    await invokeHttp(fn, new Request('http://x/'), ctxFor('web', parent), { production: true });
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.parentSpanContext).toMatchObject({ spanId: parentSpanId, isRemote: true });
  });

  it('a span already open for the request (the ADOT Lambda wrapper, an HTTP instrumentation) is the parent', async () => {
    const app = createApp('t');
    const fn = app.http('web', { route: '/' }, () => new Response('ok'));
    const wrapper = trace.getTracer('wrapper').startSpan('lambda invocation');
    await context.with(trace.setSpan(context.active(), wrapper), () => invokeHttp(fn, new Request('http://x/'), ctxFor('web'), { production: true }));
    wrapper.end();
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('GET /');
    expect(span!.parentSpanContext?.spanId).toBe(wrapper.spanContext().spanId);
    expect(span!.spanContext().traceId).toBe(wrapper.spanContext().traceId);
  });

  it("records an exception; a 5xx answer is an ERROR, a 4xx answer is the client's", async () => {
    const app = createApp('t');
    const boom = app.http('boom', { route: '/boom' }, () => {
      throw new Error('db down');
    });
    const bad = app.http('bad', { route: '/bad' }, () => {
      throw new FaasportError('EVENT_INVALID', 'bad input', { status: 400 });
    });
    await invokeHttp(boom, new Request('http://x/boom'), ctxFor('boom'), { production: true });
    await invokeHttp(bad, new Request('http://x/bad'), ctxFor('bad'), { production: true });
    const [boomSpan, badSpan] = exporter.getFinishedSpans();
    expect(boomSpan!.status.code).toBe(SpanStatusCode.ERROR);
    expect(boomSpan!.attributes).toMatchObject({ 'http.response.status_code': 500, 'error.type': '500' });
    expect(boomSpan!.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'db down' } });
    expect(badSpan!.status.code).toBe(SpanStatusCode.UNSET);
    expect(badSpan!.attributes).toMatchObject({ 'http.response.status_code': 400, 'error.type': 'EVENT_INVALID' });
  });

  it('a send is a PRODUCER span under the invocation, and the message carries its context', async () => {
    const app = createApp('t');
    const orders = app.queue<{ id: number }>('orders');
    const sent: OutgoingMessage[] = [];
    const transport: Transport = {
      provider: 'aws',
      send: async (_q, messages) => {
        sent.push(...messages);
        return messages.map((_, i) => ({ id: `m-${i}` }));
      },
      publish: async () => [],
    };
    const fn = app.http('checkout', { method: 'POST', route: '/checkout', sends: [orders] }, async () => {
      await orders.sendBatch([{ id: 1 }, { id: 2 }]);
      await orders.send({ id: 3 });
      return new Response(null, { status: 202 });
    });
    attachTransport(app, transport);
    await invokeHttp(fn, new Request('http://x/checkout', { method: 'POST' }), ctxFor('checkout'), { production: true });
    const [batch, single, server] = exporter.getFinishedSpans();
    expect(server!.name).toBe('POST /checkout');
    for (const producer of [batch!, single!]) {
      expect(producer).toMatchObject({ name: 'send orders', kind: SpanKind.PRODUCER });
      expect(producer.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
      expect(producer.spanContext().traceId).toBe(server!.spanContext().traceId);
    }
    expect(batch!.attributes).toMatchObject({ 'messaging.system': 'aws_sqs', 'messaging.destination.name': 'orders', 'messaging.batch.message_count': 2 });
    expect(single!.attributes).toMatchObject({ 'messaging.message.id': 'm-0', 'messaging.operation.type': 'send' });
    expect(sent.map((m) => m.attributes.traceparent)).toEqual([
      `00-${batch!.spanContext().traceId}-${batch!.spanContext().spanId}-01`,
      `00-${batch!.spanContext().traceId}-${batch!.spanContext().spanId}-01`,
      `00-${single!.spanContext().traceId}-${single!.spanContext().spanId}-01`,
    ]);
  });

  it('a send the transport refuses: the PRODUCER span records it with status ERROR, and the error reaches the caller', async () => {
    const app = createApp('t');
    const shipped = app.topic('shipped');
    attachTransport(app, {
      provider: 'gcp',
      send: async () => [],
      publish: () => {
        throw new Error('topic not found');
      },
    });
    await expect(shipped.publish({ id: 1 })).rejects.toThrow('topic not found');
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({ name: 'publish shipped', kind: SpanKind.PRODUCER, status: { code: SpanStatusCode.ERROR } });
    expect(span!.attributes).toMatchObject({ 'messaging.system': 'gcp_pubsub', 'messaging.operation.name': 'publish', 'error.type': 'Error' });
  });

  it('a message on its last attempt that fails: CONSUMER span, ERROR, exception and a dead-letter event', async () => {
    const app = createApp('t');
    const fn = app.queue('orders', { maxAttempts: 3 }).consume('fulfil', () => {
      throw new Error('no stock');
    });
    const producer = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const message = { id: 'm-1', body: {}, attempt: 3, enqueuedAt: new Date(), attributes: { traceparent: producer } };
    const outcome = await invokeQueueMessage(
      fn,
      message,
      ctxFor('fulfil', () => parseTraceparent(producer), 'gcp'),
    );
    expect(outcome.ok).toBe(false);
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({ name: 'process orders', kind: SpanKind.CONSUMER, status: { code: SpanStatusCode.ERROR, message: 'no stock' } });
    expect(span!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span!.links.map((l) => l.context.spanId)).toEqual(['00f067aa0ba902b7']);
    expect(span!.attributes).toMatchObject({
      'messaging.system': 'gcp_pubsub',
      'messaging.message.id': 'm-1',
      'messaging.gcp_pubsub.message.delivery_attempt': 3,
      'faas.trigger': 'pubsub',
      'cloud.provider': 'gcp',
    });
    expect(span!.events.map((e) => e.name)).toEqual(['exception', 'faasport.dead_letter']);
  });

  it('an earlier failed attempt has no dead-letter event', async () => {
    const app = createApp('t');
    const fn = app.queue('orders', { maxAttempts: 3 }).consume('fulfil', () => {
      throw new Error('no stock');
    });
    await invokeQueueMessage(fn, { id: 'm-1', body: {}, attempt: 1, enqueuedAt: new Date(), attributes: {} }, ctxFor('fulfil'));
    expect(exporter.getFinishedSpans()[0]!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('a schedule tick: timer trigger with its cron and time', async () => {
    const app = createApp('t');
    const fn = app.schedule('nightly', { cron: '0 3 * * *' }, () => {});
    const scheduledTime = new Date('2026-01-01T03:00:00Z');
    await invokeSchedule(fn, { scheduledTime, actualTime: scheduledTime, isPastDue: false }, ctxFor('nightly', undefined, 'local'));
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('nightly');
    expect(span!.attributes).toMatchObject({ 'faas.trigger': 'timer', 'faas.cron': '0 3 * * *', 'faas.time': '2026-01-01T03:00:00.000Z' });
    expect(span!.attributes['cloud.provider']).toBeUndefined();
  });
});
