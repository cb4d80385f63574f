export { createApp, attachTransport, encodeMessage, checkTransportLimits, isApp, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_MESSAGE_BYTES } from './app.js';
export type { App, Queue, Topic } from './app.js';
export { defineAdapter, findUnsupported, assertSupported } from './adapter.js';
export type { Adapter, Capabilities } from './adapter.js';
export {
  FaasportError,
  isFaasportError,
  payloadTooLarge,
  summariseError,
  safeErrorMessage,
  redactedError,
  formatBytes,
  typeName,
  invalidEventField,
} from './errors.js';
export { redactSecrets, createSecretScrubber, REDACTED, MIN_SECRET_LENGTH } from './redact-secrets.js';
export type { SecretScrubber } from './redact-secrets.js';
export type { FaasportErrorCode, ErrorSummary } from './errors.js';
export { InvocationContext, currentInvocation, createColdStartFlag } from './context.js';
export type { ContextInit } from './context.js';
export {
  runInvocation,
  invokeHttp,
  invokeQueueMessage,
  invokeSchedule,
  invokeEvent,
  settledOk,
  errorResponse,
  publicErrorMessage,
  decideFailure,
  toDeadLetterEnvelope,
} from './invoke.js';
export type { Outcome, FailureDecision, HttpInvokeOptions } from './invoke.js';
export { applyQueueFailure } from './queue-failure.js';
/** `messaging.system` (OpenTelemetry's name) of a queue or topic on a provider, for an adapter's `ContextInit.messagingSystem`. */
export { messagingSystem } from './otel-spans.js';
export type { QueueFailure, QueueFailureActions, QueueFailureOutcome } from './queue-failure.js';
export { backoffDelay, backoffCeiling, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { toCloudEvent, eventMatches } from './cloudevent.js';
export { createLogger, stdoutSink, safeStringify, logLevelFromEnv } from './logger.js';
export type { Logger, LoggerOptions, LogLevel, LogRecord, LogSink } from './logger.js';
export { parseTraceparent, parseXRayHeader, parseCloudTraceContext, createTraceContext } from './trace.js';
export type { TraceContext, ParsedTraceparent } from './trace.js';
export { TRACEPARENT_ATTRIBUTE, PORTABLE_MAX_MESSAGE_ATTRIBUTES } from './transport.js';
export type { Transport, OutgoingMessage, SendResult } from './transport.js';
export { compileRoute, compareSpecificity as compareRoutes } from './route.js';
export type { CompiledRoute } from './route.js';
export { HTTP_METHODS, matchesFilter } from './definitions.js';
export { decodeUnmarkedBody, parseJsonOrText } from './json-or-text.js';
export { allowedMethods, isMethodAllowed, methodNotAllowed, routeNotFound, unsupportedMethod } from './http-methods.js';
export type * from './definitions.js';
export type * from './types.js';
export type { BuildOptions, BuildResult, DeployOptions } from './build.js';
export { defineTarget, targetOf } from './target.js';
export type { Target, TargetModule } from './target.js';
export type { ConformanceHarness, ConformanceDriver, ExpectedFailure, NativeProducer, StoredObject } from './conformance-harness.js';
export { retriedConsumers } from './build.js';
export { producerTargets, checkSends, checkDeclaredSends } from './access-plan.js';
export type { ProducerTargets } from './access-plan.js';
export type { CliStep } from './cli-steps.js';
export { once, memoryIdempotencyStore, defaultIdempotencyStore, setDefaultIdempotencyStore } from './idempotency.js';
export type { IdempotencyStore, IdempotencyRecord, OnceOptions } from './idempotency.js';
export { clientAddress, setClientAddress, compileTrustProxy, resolveClientAddress, normaliseAddress, trustProxyFromEnv } from './client-address.js';
export type { TrustProxy, ProxyTrust } from './client-address.js';
