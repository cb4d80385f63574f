import {
  attachTransport,
  compileTrustProxy,
  createColdStartFlag,
  createLogger,
  isFaasportError,
  logLevelFromEnv,
  redactedError,
  stdoutSink,
  summariseError,
  trustProxyFromEnv,
  type App,
  type EventFunctionDefinition,
  type InvocationContext,
  type Logger,
  type LogLevel,
  type LogSink,
  type ProxyTrust,
  type QueueFunctionDefinition,
  type ScheduleFunctionDefinition,
  type Transport,
  type TrustProxy,
} from 'faasport';
import { GCF_MAX_HTTP_BODY_BYTES } from './adapter.js';
import { createGcpContext, type GcpNative } from './create-context.js';
import type { PubsubDelivery } from './decode-pubsub.js';
import { frameworkExecutionContext, type FrameworkCloudEvent, type FunctionsFramework } from './framework.js';
import { gcpNames, type GcpNames } from './names.js';
import { createPubsubTransport } from './producer.js';
import type { PubsubPublisher } from './pubsub-publisher.js';
import { isWarmupPing } from './warmup.js';

/** What every handler registered by one `registerGcp` call shares (one process). */
export interface HandlerDeps {
  /** Passed to every invocation context. */
  readonly settings: { readonly logSink: LogSink | undefined; readonly logLevel: LogLevel | undefined };
  /** Production error bodies (no stacks, no internal messages). */
  readonly production: boolean;
  readonly maxBodyBytes: number;
  readonly trustProxy: ProxyTrust | undefined;
  /** True the first time it is called in this process. */
  readonly coldStart: () => boolean;
  /** faasport's own log lines (component faasport-gcp), not a handler's. */
  readonly runtimeLog: Logger;
  readonly names: GcpNames;
  readonly transport: Transport | undefined;
  /** Where dead letters are published: the option's, the transport's, else a Pub/Sub one made on first use. */
  readonly deadLetterPublisher: () => PubsubPublisher;
}

export interface RegisterGcpOptions {
  /** Production error bodies (no stacks, no internal messages). Default: true unless NODE_ENV is "development". */
  production?: boolean;
  /** Where function logs go (default: one JSON line per record on stdout, which Cloud Logging parses). */
  logSink?: LogSink;
  /** Default: FAASPORT_LOG_LEVEL (debug, info, warn, error), else "info". */
  logLevel?: LogLevel;
  /**
   * Proxies whose X-Forwarded-For is believed for `clientAddress(req)` (default:
   * FAASPORT_TRUST_PROXY, else none: the address is the socket peer). On Cloud Functions, `1`
   * trusts Google's front end, which appends the real client address.
   */
  trustProxy?: TrustProxy;
  /** The app's queue/topic transport; default: Pub/Sub through `@google-cloud/pubsub`, loaded on first send. */
  transport?: Transport;
  /** Publishes dead letters on a message's last attempt; default: the Pub/Sub transport's publisher. */
  publisher?: PubsubPublisher;
  /** `projectId` / `apiEndpoint` for the default Pub/Sub client. */
  pubsub?: { projectId?: string; apiEndpoint?: string };
  /** The Functions Framework to register with; default: `@google-cloud/functions-framework`. */
  framework?: FunctionsFramework;
  /** Largest HTTP request body, bytes (default 32 MiB, the Cloud Functions limit). */
  maxHttpBodyBytes?: number;
}

/** Reads `registerGcp`'s options and the environment once, and attaches the app's transport. */
export function createHandlerDeps(app: App, options: RegisterGcpOptions): HandlerDeps {
  // Secure by default: a deploy that forgets NODE_ENV must not send stacks to clients.
  const production = options.production ?? process.env.NODE_ENV !== 'development';
  const maxBodyBytes = options.maxHttpBodyBytes ?? GCF_MAX_HTTP_BODY_BYTES;
  const trustProxy =
    options.trustProxy !== undefined ? compileTrustProxy(options.trustProxy, 'registerGcp trustProxy') : trustProxyFromEnv(process.env, 'registerGcp');
  const logSink = options.logSink;
  const logLevel = options.logLevel ?? logLevelFromEnv(process.env, 'registerGcp');
  const runtimeLog = createLogger({ sink: logSink ?? stdoutSink, level: logLevel ?? 'info', base: { component: 'faasport-gcp' } });
  const coldStart = createColdStartFlag();
  const names = gcpNames(app.name);

  let transport = options.transport;
  if (!transport && (app.queues.length > 0 || app.topics.length > 0)) {
    transport = createPubsubTransport({ appName: app.name, ...options.pubsub });
  }
  if (transport) attachTransport(app, transport);
  let publisher = options.publisher ?? (transport as { publisher?: PubsubPublisher } | undefined)?.publisher;

  return {
    settings: { logSink, logLevel },
    production,
    maxBodyBytes,
    trustProxy,
    coldStart,
    runtimeLog,
    names,
    transport,
    deadLetterPublisher: () => (publisher ??= createPubsubTransport({ appName: app.name, ...options.pubsub }).publisher),
  };
}

/** The logger for runtime lines about one function: functionName is reserved in log fields (a handler must not forge it), so it is set as base. */
export function logFor(deps: HandlerDeps, functionName: string): Logger {
  return deps.runtimeLog.child({ functionName });
}

/** The invocation context for a CloudEvent-triggered function (queue, topic, schedule, event). */
export function eventContext(
  deps: HandlerDeps,
  def: QueueFunctionDefinition | ScheduleFunctionDefinition | EventFunctionDefinition,
  event: FrameworkCloudEvent<unknown>,
  extra: { attempt?: number; traceparent?: string | undefined },
): InvocationContext<GcpNative> {
  return createGcpContext({
    ...deps.settings,
    def,
    native: { trigger: def.kind, event } as GcpNative,
    coldStart: deps.coldStart(),
    executionId: frameworkExecutionContext()?.executionId,
    ...extra,
  });
}

/** Runs `decode`; what it throws is logged and rethrown without its stack (or redacted, if it is not a FaasportError). */
export function failLoudly<T>(deps: HandlerDeps, operation: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    // Not retryable, but a throw keeps the event on the path that ends in a dead-letter topic.
    deps.runtimeLog.error('event cannot be decoded', { operation, error: summariseError(error) });
    throw isFaasportError(error) ? stackless(error) : redactedError(error);
  }
}

/** The W3C `traceparent` CloudEvent extension, when the event carries one. */
export function traceOf(event: FrameworkCloudEvent<unknown>): string | undefined {
  const t = (event as { traceparent?: unknown }).traceparent;
  return typeof t === 'string' ? t : undefined;
}

/**
 * The error handed to the framework so it answers 500 (Pub/Sub and Eventarc then retry).
 * The framework logs it and, outside production, sends its message: it names the function
 * and the message, never the handler's error text or stack (those went to the function log).
 */
export function retry(operation: string, delivery: PubsubDelivery | undefined, next: string): Error {
  return stackless(new Error(`${operation} failed${delivery ? ` on message ${delivery.messageId}` : ''}; ${next}`));
}

function stackless<E extends Error>(err: E): E {
  err.stack = `${err.name}: ${err.message}`;
  return err;
}

/** A warm-up CloudEvent (type dev.faasport.warmup) is acknowledged without running user code. */
export function skipWarmup<H extends (event: never) => unknown>(handler: H): H {
  return ((event: { type?: unknown }) => (isWarmupPing(event) ? undefined : handler(event as never))) as unknown as H;
}
