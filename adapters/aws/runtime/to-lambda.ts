import {
  assertSupported,
  attachTransport,
  createColdStartFlag,
  logLevelFromEnv,
  type App,
  type EventFunctionDefinition,
  type FunctionDefinition,
  type HttpFunctionDefinition,
  type LogLevel,
  type LogSink,
  type QueueFunctionDefinition,
  type ScheduleFunctionDefinition,
} from 'faasport';
import { adapter } from './adapter.js';
import { detectEvent, unrecognisedEvent } from './detect-event.js';
import { handleAsyncEvents, handleStreamBatch } from './handle-event.js';
import { createHttpHandler } from './handle-http.js';
import { handleScheduledEvent } from './handle-schedule.js';
import { handleSnsEvent } from './handle-sns.js';
import { handleSqsBatch } from './handle-sqs.js';
import { beginInvocation, type HandlerDeps } from './handler-deps.js';
import { AwsProducer, type AwsProducerOptions } from './producer.js';
import type { DynamoDbRecordLike, EventBridgeEventLike, KinesisRecordLike, LambdaHandler, S3RecordLike, SnsEventLike, SqsEventLike } from './types.js';
import { isWarmupPing, warmupResponse } from './warmup.js';

export interface ToLambdaOptions {
  /**
   * Hide unexpected error messages and stacks from HTTP clients. Default: true unless
   * NODE_ENV is "development".
   */
  production?: boolean;
  /** Where log records go (default: one JSON line per record on stdout, which Lambda ships to CloudWatch). */
  logSink?: LogSink;
  /** Default: FAASPORT_LOG_LEVEL, else "info". */
  logLevel?: LogLevel;
  /** The SQS/SNS producer the app's `send`/`publish` use, or options to build it. */
  producer?: AwsProducer | AwsProducerOptions;
  /** Leave the app's transport alone (for a runtime that attached its own). Default false. */
  keepTransport?: boolean;
}

/**
 * One async Lambda handler per function of `app`, keyed by function name. Each handler
 * accepts the events valid for its definition: HTTP functions take API Gateway v1/v2, ALB
 * and Function URL events; queue consumers SQS; topic subscribers SNS (direct or through an
 * SQS subscription); schedules EventBridge rule events; event functions EventBridge, S3,
 * DynamoDB Streams and Kinesis. Anything else is EVENT_UNRECOGNISED.
 *
 * @example
 * ```ts
 * // index.ts, deployed as the Lambda code; set each function's handler to index.<name>
 * import { toLambda } from 'faasport/aws';
 * import { app } from './app.js';
 * export const { hello, fulfil } = toLambda(app);
 * ```
 */
export function toLambda(app: App, options: ToLambdaOptions = {}): Record<string, LambdaHandler> {
  assertSupported(app, adapter);
  const producer = options.producer instanceof AwsProducer ? options.producer : new AwsProducer(options.producer);
  if (!options.keepTransport) attachTransport(app, producer);
  const deps: HandlerDeps = {
    settings: { logSink: options.logSink, logLevel: options.logLevel ?? logLevelFromEnv(process.env, 'toLambda') },
    production: options.production ?? process.env.NODE_ENV !== 'development',
    coldStart: createColdStartFlag(),
    producer,
    routes: app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http'),
  };
  const handlers: Record<string, LambdaHandler> = {};
  for (const def of app.functions) handlers[def.name] = answerWarmup(def.name, createHandler(def, deps), deps) as LambdaHandler;
  return handlers;
}

/** A warm-up ping (scheduled keep-warm invoke) is answered before any decoding or user code. */
function answerWarmup(name: string, handler: LambdaHandler<never>, deps: HandlerDeps): LambdaHandler<never> {
  return ((event: unknown, lambdaContext: unknown) =>
    isWarmupPing(event)
      ? Promise.resolve(warmupResponse(name, deps.coldStart()))
      : (handler as (e: unknown, c: unknown) => unknown)(event, lambdaContext)) as LambdaHandler<never>;
}

function createHandler(def: FunctionDefinition, deps: HandlerDeps): LambdaHandler<never> {
  switch (def.kind) {
    case 'http':
      return createHttpHandler(def, deps) as LambdaHandler<never>;
    case 'queue':
    case 'topic':
      return createQueueHandler(def, deps);
    case 'schedule':
      return createScheduleHandler(def, deps);
    case 'event':
      return createEventHandler(def, deps);
  }
}

function createQueueHandler(def: QueueFunctionDefinition, deps: HandlerDeps): LambdaHandler<never> {
  const accepts = def.kind === 'topic' ? 'SNS events and SQS events from an SNS subscription queue' : 'SQS events';
  return (async (event: unknown, lambdaContext) => {
    const kind = detectEvent(event);
    if (kind === 'sqs') return handleSqsBatch(def, event as SqsEventLike, beginInvocation(def, deps, lambdaContext), deps);
    if (kind === 'sns' && def.kind === 'topic') return handleSnsEvent(def, event as SnsEventLike, beginInvocation(def, deps, lambdaContext), deps);
    throw unrecognisedEvent(def.name, accepts, event, kind);
  }) as LambdaHandler<never>;
}

function createScheduleHandler(def: ScheduleFunctionDefinition, deps: HandlerDeps): LambdaHandler<never> {
  return (async (event: unknown, lambdaContext) => {
    const kind = detectEvent(event);
    if (kind !== 'eventbridge') throw unrecognisedEvent(def.name, 'EventBridge scheduled events', event, kind);
    // Any EventBridge event fires the schedule (a rule may carry a custom input): the tick is at the event's time.
    const e = event as EventBridgeEventLike;
    return handleScheduledEvent(def, e, beginInvocation(def, deps, lambdaContext), deps);
  }) as LambdaHandler<never>;
}

function createEventHandler(def: EventFunctionDefinition, deps: HandlerDeps): LambdaHandler<never> {
  return (async (event: unknown, lambdaContext) => {
    const kind = detectEvent(event);
    switch (kind) {
      case 'eventbridge':
        return handleAsyncEvents(def, event as EventBridgeEventLike, beginInvocation(def, deps, lambdaContext), deps);
      case 's3':
        return handleAsyncEvents(def, event as { Records: S3RecordLike[] }, beginInvocation(def, deps, lambdaContext), deps);
      case 'dynamodb':
      case 'kinesis':
        return handleStreamBatch(def, event as { Records: (DynamoDbRecordLike | KinesisRecordLike)[] }, beginInvocation(def, deps, lambdaContext), deps);
      default:
        throw unrecognisedEvent(def.name, 'EventBridge, S3, DynamoDB Streams and Kinesis events', event, kind);
    }
  }) as LambdaHandler<never>;
}
