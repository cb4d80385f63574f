export { createApp, attachTransport, encodeMessage, isApp, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_MESSAGE_BYTES } from './app.js';
export type { App, Queue, Topic } from './app.js';
export { defineAdapter, findUnsupported, assertSupported } from './adapter.js';
export type { Adapter, Capabilities } from './adapter.js';
export { FaasportError, isFaasportError, payloadTooLarge, summariseError, formatBytes } from './errors.js';
export type { FaasportErrorCode, ErrorSummary } from './errors.js';
export { InvocationContext, currentInvocation, createColdStartFlag } from './context.js';
export type { ContextInit } from './context.js';
export {
  runInvocation, invokeHttp, invokeQueueMessage, invokeSchedule, invokeEvent, errorResponse, decideFailure, toDeadLetterEnvelope,
} from './invoke.js';
export type { Outcome, FailureDecision, HttpInvokeOptions } from './invoke.js';
export { backoffDelay, backoffCeiling, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { toCloudEvent, eventMatches } from './cloudevent.js';
export { createLogger, stdoutSink, safeStringify } from './logger.js';
export type { Logger, LogLevel, LogRecord, LogSink } from './logger.js';
export { parseTraceparent, parseXRayHeader, parseCloudTraceContext, createTraceContext } from './trace.js';
export type { TraceContext, ParsedTraceparent } from './trace.js';
export { TRACEPARENT_ATTRIBUTE } from './transport.js';
export type { Transport, OutgoingMessage, SendResult } from './transport.js';
export { compileRoute, compareSpecificity as compareRoutes } from './route.js';
export type { CompiledRoute } from './route.js';
export { HTTP_METHODS, matchesFilter } from './definitions.js';
export type * from './definitions.js';
export type * from './types.js';
export type { BuildOptions, BuildResult, DeployOptions, TargetModule } from './build.js';
export { once, memoryIdempotencyStore, defaultIdempotencyStore, setDefaultIdempotencyStore } from './idempotency.js';
export type { IdempotencyStore, IdempotencyRecord, OnceOptions } from './idempotency.js';
