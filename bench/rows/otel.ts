/**
 * What OpenTelemetry costs per invocation of the aws HTTP handler (toLambda on an API Gateway
 * v2 event): without @opentelemetry/api (faasport looked once and found nothing), with the API
 * but no tracer provider registered, and with a provider whose spans go to an exporter that
 * only counts them (what the SDK costs, not what a network export costs). The same handler and event in all three; only the tracing state changes between
 * subjects, within one round.
 */
import { context as otelContext, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { toLambda, type ApiGatewayV2EventLike, type LambdaContextLike } from '../../adapters/aws/index.js';
import { loadFixture } from '../../adapters/aws/testing/fixtures.js';
import { createApp } from '../../src/index.js';
import { resetOtelApi } from '../../src/otel-api.js';
import type { BenchRow } from '../row.js';

const INVOCATIONS = 2_000;

const lambdaContext: LambdaContextLike = {
  awsRequestId: 'bench',
  functionName: 'orders',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
  getRemainingTimeInMillis: () => 30_000,
};

function httpEvent(): ApiGatewayV2EventLike {
  const base = loadFixture<ApiGatewayV2EventLike>('apigw-http/minimal.json');
  const body = JSON.stringify({ id: 'o-1', item: 'book', qty: 2 });
  return {
    ...base,
    routeKey: 'POST /orders',
    rawPath: '/orders',
    headers: {
      ...(base.headers as Record<string, string>),
      'content-type': 'application/json',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
    body,
    isBase64Encoded: false,
    requestContext: { ...base.requestContext, routeKey: 'POST /orders', http: { ...base.requestContext.http, method: 'POST', path: '/orders' } },
  };
}

type State = 'absent' | 'api' | 'provider';

/** Counts what it is given and keeps nothing: a no-op exporter that still proves every span ended. */
class CountingExporter implements SpanExporter {
  count = 0;
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    this.count += spans.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

function tracingBench() {
  const app = createApp('bench-otel');
  app.http('orders', { method: 'POST', route: '/orders' }, async (req) => {
    const order = (await req.json()) as { id: string; qty: number };
    return Response.json({ queued: order.id, qty: order.qty });
  });
  const handler = toLambda(app, { logSink: () => {}, keepTransport: true }).orders!;
  const event = httpEvent();
  const exporter = new CountingExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager();

  const enter = (state: State): void => {
    trace.disable();
    otelContext.disable();
    resetOtelApi(state === 'absent' ? 'absent' : undefined);
    if (state === 'provider') {
      otelContext.setGlobalContextManager(contextManager.enable());
      trace.setGlobalTracerProvider(provider);
    }
  };

  /** Mean µs per invocation over INVOCATIONS calls, after a short warm-up in the same state. */
  const run = async (state: State): Promise<number> => {
    enter(state);
    for (let i = 0; i < 200; i++) await handler(event, lambdaContext);
    exporter.count = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < INVOCATIONS; i++) await handler(event, lambdaContext);
    const elapsed = Number(process.hrtime.bigint() - start) / 1000 / INVOCATIONS;
    if (state === 'provider' && exporter.count !== INVOCATIONS)
      throw new Error(`bench otel: expected ${INVOCATIONS} spans, the exporter saw ${exporter.count}`);
    return elapsed;
  };

  return {
    run,
    async dispose() {
      enter('absent');
      resetOtelApi();
      await provider.shutdown();
    },
  };
}

let bench: ReturnType<typeof tracingBench> | undefined;
const shared = (): ReturnType<typeof tracingBench> => (bench ??= tracingBench());

const ABSENT = 'faasport, no @opentelemetry/api';
const API_ONLY = 'faasport, @opentelemetry/api without a provider';
const PROVIDER = 'faasport, provider + no-op exporter';

/** Alternates which subject goes first, so neither always runs on a colder or warmer process. */
async function measureAll(round: number, order: readonly State[]): Promise<Record<State, number>> {
  const states = round % 2 === 0 ? order : [...order].reverse();
  const out = {} as Record<State, number>;
  for (const state of states) out[state] = await shared().run(state);
  return out;
}

export const rows: BenchRow[] = [
  {
    id: 'otel-api-no-provider',
    what: 'aws HTTP handler (API Gateway v2), µs per invocation: @opentelemetry/api installed, no tracer provider, vs not installed',
    unit: 'µs',
    better: 'lower',
    subject: API_ONLY,
    peer: ABSENT,
    goal: { ratio: 1.1, text: '≤ 1.1× the cost without the package' },
    async measure(round) {
      const m = await measureAll(round, ['absent', 'api']);
      return { [API_ONLY]: m.api, [ABSENT]: m.absent };
    },
  },
  {
    id: 'otel-provider',
    what: 'aws HTTP handler (API Gateway v2), µs per invocation: a SERVER span per invocation (tracer provider, SimpleSpanProcessor, an exporter that only counts) vs no @opentelemetry/api',
    unit: 'µs',
    better: 'lower',
    subject: PROVIDER,
    peer: ABSENT,
    goal: { ratio: 2, text: '≤ 2× the cost without tracing' },
    note: "a profile splits the added time about evenly between the OpenTelemetry SDK (startSpan, end, the span processor) and faasport's side (the semantic-convention attributes, the URL parse for url.path, the parent context); the untraced handler's overhead is so small (about 6 µs) that the SDK's own span costs alone exceed it.",
    async measure(round) {
      const m = await measureAll(round, ['absent', 'provider']);
      return { [PROVIDER]: m.provider, [ABSENT]: m.absent };
    },
    async dispose() {
      await bench?.dispose();
      bench = undefined;
    },
  },
];
