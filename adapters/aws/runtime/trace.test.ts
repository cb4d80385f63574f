import { createApp, type Context } from 'faasport';
import { afterEach, describe, expect, test } from 'vitest';
import { AwsProducer } from './producer.js';
import { apiGatewayV2Event, lambdaContext, sqsRecord } from '../testing/events.js';
import { toLambda } from './to-lambda.js';

// Where the trace id of an invocation comes from on Lambda: a traceparent the sender set,
// else the X-Ray header of the message or request, else the invocation's own X-Ray header,
// which aws-lambda-ric puts on the context (context.xRayTraceId; with several invocations in
// one process it is the only per-invocation copy) and in _X_AMZN_TRACE_ID.

const CONTEXT_TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const ENV_TRACE = 'Root=1-6a1b2c3d-0123456789abcdef01234567;Parent=1111111111111111;Sampled=0';
const MESSAGE_TRACE = 'Root=1-7e7e7e7e-fedcba9876543210fedcba98;Parent=2222222222222222;Sampled=1';

const saved = process.env._X_AMZN_TRACE_ID;
afterEach(() => {
  if (saved === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = saved;
});

function apps() {
  const seen: Context[] = [];
  const app = createApp('traces');
  app.http('web', { route: '/' }, (_req, ctx) => {
    seen.push(ctx);
    return new Response();
  });
  app.queue('work').consume('worker', (_m, ctx) => {
    seen.push(ctx);
  });
  app.schedule('tick', { cron: '0 * * * *' }, (_t, ctx) => {
    seen.push(ctx);
  });
  const producer = new AwsProducer({ region: 'us-east-1', accountId: '000000000000' });
  return { seen, handlers: toLambda(app, { producer, logSink: () => {} }) };
}

/** The vendor event without its X-Amzn-Trace-Id header, so the invocation's own trace applies. */
function untracedHttpEvent() {
  const event = apiGatewayV2Event();
  for (const key of Object.keys(event.headers ?? {})) if (key.toLowerCase() === 'x-amzn-trace-id') delete event.headers![key];
  return event;
}

const withXRay = (xRayTraceId: string | undefined) => ({ ...lambdaContext(), ...(xRayTraceId ? { xRayTraceId } : {}) });

describe('X-Ray trace of the invocation', () => {
  test('context.xRayTraceId wins over _X_AMZN_TRACE_ID (another invocation of the same process may have set it)', async () => {
    process.env._X_AMZN_TRACE_ID = ENV_TRACE;
    const { seen, handlers } = apps();
    await handlers.web!(untracedHttpEvent(), withXRay(CONTEXT_TRACE));
    await handlers.tick!(
      {
        version: '0',
        id: 'e1',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '1',
        time: new Date().toISOString(),
        region: 'us-east-1',
        resources: [],
        detail: {},
      },
      withXRay(CONTEXT_TRACE),
    );
    for (const ctx of seen) expect(ctx.trace).toMatchObject({ traceId: '5759e988bd862e3fe1be46a994272793', parentSpanId: '53995c3f42cd8ad8', traceFlags: 1 });
    expect(seen).toHaveLength(2);
  });

  test('without it, _X_AMZN_TRACE_ID is used', async () => {
    process.env._X_AMZN_TRACE_ID = ENV_TRACE;
    const { seen, handlers } = apps();
    await handlers.web!(untracedHttpEvent(), withXRay(undefined));
    expect(seen[0]!.trace).toMatchObject({ traceId: '6a1b2c3d0123456789abcdef01234567', parentSpanId: '1111111111111111', traceFlags: 0 });
  });

  test("an SQS message's AWSTraceHeader is the sender's trace, before the invocation's own", async () => {
    delete process.env._X_AMZN_TRACE_ID;
    const { seen, handlers } = apps();
    const traced = sqsRecord({ messageId: 'm1', body: '{}', attributes: { AWSTraceHeader: MESSAGE_TRACE } as never });
    const plain = sqsRecord({ messageId: 'm2', body: '{}' });
    await handlers.worker!({ Records: [traced] }, withXRay(CONTEXT_TRACE));
    await handlers.worker!({ Records: [plain] }, withXRay(CONTEXT_TRACE));
    expect(seen[0]!.trace).toMatchObject({ traceId: '7e7e7e7efedcba9876543210fedcba98', parentSpanId: '2222222222222222' });
    expect(seen[1]!.trace).toMatchObject({ traceId: '5759e988bd862e3fe1be46a994272793' });
  });
});
