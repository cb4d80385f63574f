/**
 * `faasport/adapter-kit`: what an adapter needs from the core beyond the app API of
 * `faasport`. The built-in adapters (aws, azure, gcp, local, container) import the core only
 * through `faasport` and this entry, so a third party's adapter can do everything a built-in
 * one does (examples/custom-adapter is one).
 *
 * Runtime pieces (they may ship inside a function bundle; nothing here does work at import):
 * - invoking: `runInvocation`, `invokeHttp`, `invokeQueueMessage`, `invokeSchedule`,
 *   `invokeEvent`, `InvocationContext` (its `parentTrace` from `parseTraceparent`),
 *   `createColdStartFlag`, `decideFailure`, `applyQueueFailure`, `toDeadLetterEnvelope`
 * - sending: `attachTransport(app, transport)` gives the app's `queue.send` / `topic.publish`
 *   the runtime's `Transport`
 * - HTTP: `installLightResponse` (once, at start) then `lightResponseParts` (a Response's
 *   parts without copying its body; undefined for a standard Response, which
 *   `standardResponse` reads), `safeDecode`, `originForm`, `plainHost`,
 *   `resolveClientAddress` / `setClientAddress`, `routeNotFound`, `methodNotAllowed`,
 *   `isMethodAllowed`, `unsupportedMethod`, `payloadTooLarge`, `errorResponse`
 * - messages: `parseJsonOrText`, `decodeUnmarkedBody`, `messagingSystem`
 * - errors and logs: `FaasportError`, `formatBytes`, `safeStringify`
 *
 * Build and deploy pieces (`target/`, never in a function bundle):
 * - `RUNTIME_NODE_MAJOR`, `RUNTIME_NODE_ENGINES`, `RUNTIME_ESBUILD_TARGET`: the Node version
 *   every cloud's generated files name
 * - `withStagingFolder`: build into a staging folder, then swap it in (no half-written output)
 * - `CliStep`, `renderScript`, `renderStep`, `printOrRun`, `commandExists`: deploy steps that
 *   are printed (`--dry-run`) or run, one shell-quoted form for both
 * - `loadApp`: load a user's app module the way `faasport build` does
 */
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
export type { QueueFailure, QueueFailureActions, QueueFailureOutcome } from './queue-failure.js';
export { InvocationContext, currentInvocation, createColdStartFlag } from './context.js';
export type { ContextInit } from './context.js';
export { messagingSystem } from './otel-spans.js';
export { attachTransport } from './app.js';
export type { Transport, OutgoingMessage, SendResult } from './transport.js';
export { parseTraceparent, createTraceContext } from './trace.js';
export { defineAdapter, findUnsupported, assertSupported } from './adapter.js';
export type { Adapter, Capabilities } from './adapter.js';
export { defineTarget, targetOf } from './target.js';
export type { Target } from './target.js';
export type { ConformanceHarness, ConformanceDriver, ExpectedFailure, NativeProducer, StoredObject } from './conformance-harness.js';

export { installLightResponse, lightResponseParts, standardResponse } from './light-response.js';
export type { LightResponseParts } from './light-response.js';
export { safeDecode, compileRoute, compareSpecificity as compareRoutes } from './route.js';
export { originForm, plainHost } from './request-target.js';
export { resolveClientAddress, setClientAddress, clientAddress, compileTrustProxy, trustProxyFromEnv } from './client-address.js';
export type { ProxyTrust, TrustProxy } from './client-address.js';
export { unsupportedMethod, methodNotAllowed, routeNotFound, allowedMethods, isMethodAllowed } from './http-methods.js';
export { parseJsonOrText, decodeUnmarkedBody } from './json-or-text.js';
export { FaasportError, formatBytes, invalidEventField, payloadTooLarge } from './errors.js';
export { safeStringify } from './logger.js';

export { RUNTIME_NODE_MAJOR, RUNTIME_NODE_ENGINES, RUNTIME_ESBUILD_TARGET } from './runtime-node.js';
export { withStagingFolder } from './staging-folder.js';
export { renderScript, renderStep, printOrRun, commandExists } from './cli-steps.js';
export type { CliStep } from './cli-steps.js';
export { loadApp } from './load-app.js';
export type { LoadedApp } from './load-app.js';
export type { BuildOptions, BuildResult, DeployOptions } from './build.js';
export { sourceAliases } from './source-aliases.js';
