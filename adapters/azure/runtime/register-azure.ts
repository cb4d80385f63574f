import azureFunctions from '@azure/functions';
import type { HttpRequest, HttpResponseInit, InvocationContext as AzureInvocationContext } from '@azure/functions';
import {
  FaasportError,
  HTTP_METHODS,
  allowedMethods,
  InvocationContext,
  assertSupported,
  attachTransport,
  createColdStartFlag,
  applyQueueFailure,
  eventMatches,
  invokeEvent,
  invokeHttp,
  invokeQueueMessage,
  invokeSchedule,
  parseTraceparent,
  redactedError,
  toDeadLetterEnvelope,
  TRACEPARENT_ATTRIBUTE,
  type App,
  type EventFunctionDefinition,
  type FunctionDefinition,
  type HttpFunctionDefinition,
  type LogLevel,
  type LogSink,
  type QueueFunctionDefinition,
  type QueueMessage,
  type ScheduleFunctionDefinition,
  compileTrustProxy,
  logLevelFromEnv,
  trustProxyFromEnv,
  type TrustProxy,
} from 'faasport';
import { safeStringify } from 'faasport/adapter-kit';
import { EVENT_GRID_MAX_ATTEMPTS, adapter } from './adapter.js';
import { decodeEventGridEvent } from './decode-event-grid.js';
import { WILDCARD_PARAM, decodeHttpRequest, decodeRouteParams } from './decode-http-request.js';
import { decodeServiceBusMessage } from './decode-service-bus.js';
import { decodeStorageQueueMessage, rawStorageQueueMessage } from './decode-storage-queue.js';
import { decodeTimer, type AzureTimerInput } from './decode-timer.js';
import { encodeHttpResponse } from './encode-http-response.js';
import { everyToSchedule, toNcrontab } from './encode-ncrontab.js';
import { toAzureRoute } from './encode-route.js';
import { createAzureProducer, type AzureProducer } from './producer.js';
import { storageQueueName } from './names.js';
import { DEFAULT_SERVICE_BUS_CONNECTION, serviceBusFromEnv, type ServiceBusClientOptions } from './service-bus.js';
import { isWarmupPing, warmupResponse } from './warmup.js';

/** What a faasport function sees as `ctx.native` on Azure. */
export interface AzureNative {
  /** The library's InvocationContext (trigger metadata, retry and trace context, extra bindings). */
  readonly context: AzureInvocationContext;
  /** The trigger input as the library handed it over. */
  readonly trigger: unknown;
}

export interface RegisterAzureOptions {
  /** Production error bodies (no stacks, no internal messages). Default: true unless NODE_ENV or AZURE_FUNCTIONS_ENVIRONMENT says development. */
  production?: boolean;
  /** Default: FAASPORT_LOG_LEVEL (debug, info, warn, error), else "info". */
  logLevel?: LogLevel;
  /**
   * Proxies whose X-Forwarded-For is believed for `clientAddress(req)` (default:
   * FAASPORT_TRUST_PROXY, else none: the host gives no peer address, so it is undefined).
   * `1` trusts the App Service front end, which appends the real client address.
   */
  trustProxy?: TrustProxy;
  /**
   * App setting with the Storage connection for queue triggers and sends (default
   * `AzureWebJobsStorage`): a connection string, or the prefix of identity-based settings
   * (`<name>__accountName`, `__clientId`), as the host reads it.
   */
  storageConnection?: string;
  /**
   * Queues and topics to run on Service Bus instead of Storage queues, e.g.
   * `{ queues: ['orders'], connection: 'ServiceBusConnection' }`. Set the entity's
   * `MaxDeliveryCount` to the queue's `maxAttempts`: the broker, not the host, dead-letters.
   */
  serviceBus?: ServiceBusClientOptions;
  /** The queue client (default: {@link createAzureProducer} on the connection above). */
  producer?: AzureProducer;
  /** The `app` namespace of @azure/functions to register with (default: the library's own). */
  functions?: AzureFunctionsApp;
  /**
   * Register `faasportNotFound`, an anonymous catch-all route (lowest route precedence) that
   * answers unmatched paths with faasport's 404 JSON instead of the host's empty 404.
   * Default: true when the app has HTTP functions and no catch-all of its own.
   */
  notFound?: boolean;
}

/** Name of the catch-all function that answers unmatched routes. */
export const NOT_FOUND_FUNCTION = 'faasportNotFound';

/** The registration calls of @azure/functions' `app` that faasport uses. */
export type AzureFunctionsApp = Pick<typeof azureFunctions.app, 'http' | 'storageQueue' | 'serviceBusQueue' | 'serviceBusTopic' | 'timer' | 'eventGrid'>;

export interface AzureRegistration {
  readonly producer: AzureProducer;
  /** Azure function names registered, in definition order. */
  readonly functions: readonly string[];
}

/**
 * Registers every function of a faasport app with the Azure Functions v4 programming model
 * and connects its queues and topics. Call it once, at startup, from the function app's main
 * module (the `faasport build --target azure` entry does).
 *
 * - http → `app.http` (methods, route with no `/api` prefix, authLevel `function` unless the definition is `public`);
 * - queues → `app.storageQueue` (or `app.serviceBusQueue`), one invocation per message;
 * - topics → one Storage queue per subscriber (or a Service Bus topic subscription);
 * - schedules → `app.timer` with an NCRONTAB (or TimeSpan) schedule;
 * - events → `app.eventGrid` (Event Grid and CloudEvents schemas).
 *
 * @example
 * ```ts
 * // index.ts of a function app
 * import { registerAzure } from 'faasport/azure';
 * import { app } from './app.js';
 * registerAzure(app);
 * ```
 */
export function registerAzure(app: App, options: RegisterAzureOptions = {}): AzureRegistration {
  assertSupported(app, adapter);
  for (const fn of app.functions) {
    if (fn.kind === 'event' && fn.maxAttempts > EVENT_GRID_MAX_ATTEMPTS) {
      throw new FaasportError(
        'CAPABILITY_UNSUPPORTED',
        `function "${fn.name}": maxAttempts ${fn.maxAttempts} is not supported on azure; Event Grid retries at most ${EVENT_GRID_MAX_ATTEMPTS} times`,
        {
          details: { adapter: 'azure', what: `function "${fn.name}"` },
        },
      );
    }
  }
  const env = process.env;
  const production =
    options.production ??
    (env.NODE_ENV === 'production' || (env.AZURE_FUNCTIONS_ENVIRONMENT !== undefined && env.AZURE_FUNCTIONS_ENVIRONMENT !== 'Development'));
  const storageConnection = options.storageConnection ?? 'AzureWebJobsStorage';
  const serviceBus = options.serviceBus ?? serviceBusFromEnv(env);
  const trustProxy =
    options.trustProxy !== undefined ? compileTrustProxy(options.trustProxy, 'registerAzure trustProxy') : trustProxyFromEnv(env, 'registerAzure');
  const producer = options.producer ?? createAzureProducer(app, { connectionSetting: storageConnection, env, ...(serviceBus ? { serviceBus } : {}) });
  attachTransport(app, producer);
  const host = options.functions ?? azureFunctions.app;
  const serviceBusQueues = new Set(serviceBus?.queues ?? []);
  const serviceBusTopics = new Set(serviceBus?.topics ?? []);
  const serviceBusConnection = serviceBus?.connection ?? DEFAULT_SERVICE_BUS_CONNECTION;
  const coldStart = createColdStartFlag();
  const logLevel = options.logLevel ?? logLevelFromEnv(env, 'registerAzure');

  const context = (
    def: FunctionDefinition,
    azure: AzureInvocationContext,
    trigger: unknown,
    extra: { attempt?: number; params?: Record<string, string>; traceparent?: string | null; messagingSystem?: string },
  ) =>
    new InvocationContext<AzureNative>({
      functionName: def.name,
      invocationId: azure.invocationId,
      provider: 'azure',
      deadline: Date.now() + def.timeoutMs,
      coldStart: coldStart(),
      attempt: extra.attempt ?? 1,
      ...(extra.params ? { params: extra.params } : {}),
      // Parsed only when asked for; a missing or malformed one falls back to the host's trace context.
      parentTrace: () => parseTraceparent(extra.traceparent) ?? parseTraceparent(azure.traceContext?.traceParent),
      ...(azure.traceContext?.traceState ? { tracestate: azure.traceContext.traceState } : {}),
      ...(extra.messagingSystem ? { messagingSystem: extra.messagingSystem } : {}),
      native: { context: azure, trigger },
      logSink: azureLogSink(azure),
      ...(logLevel ? { logLevel } : {}),
      ...(def.logRedact ? { logRedact: def.logRedact } : {}),
    });

  const registerHttp = (def: HttpFunctionDefinition): void => {
    const methods = [...allowedMethods(def)];
    host.http(def.name, {
      methods,
      route: toAzureRoute(def),
      authLevel: def.public ? 'anonymous' : 'function',
      handler: async (request: HttpRequest, azure: AzureInvocationContext): Promise<HttpResponseInit> => {
        if (isWarmupPing(request)) return warmupResponse();
        // The caller's traceparent names the span that called us; the host's trace context
        // (same trace, the host's own span) is the fallback.
        const ctx = context(def, azure, request, { params: decodeRouteParams(request.params), traceparent: request.headers.get('traceparent') });
        const response = await invokeHttp(def, decodeHttpRequest(request, trustProxy), ctx, { production });
        // Nothing runs after an Azure invocation returns: finish waitUntil work first.
        if (ctx.pending.length > 0) await Promise.all(ctx.pending);
        return encodeHttpResponse(response);
      },
    });
  };

  const registerConsumer = (def: QueueFunctionDefinition): void => {
    const onServiceBus = def.kind === 'queue' ? serviceBusQueues.has(def.source.name) : serviceBusTopics.has(def.source.name);
    const storageQueue = onServiceBus ? '' : def.kind === 'queue' ? storageQueueName(def.source.name) : storageQueueName(def.source.name, def.name);
    const handler = async (item: unknown, azure: AzureInvocationContext): Promise<void> => {
      let message: QueueMessage;
      let undecodable: unknown;
      try {
        message = onServiceBus
          ? decodeServiceBusMessage(item, azure.triggerMetadata, azure.invocationId)
          : decodeStorageQueueMessage(item, azure.triggerMetadata, azure.invocationId);
      } catch (err) {
        if (onServiceBus) throw err;
        // A body no retry can decode (base64 of text that is not JSON): its last attempt, now.
        undecodable = err;
        message = rawStorageQueueMessage(item, azure.triggerMetadata, azure.invocationId);
      }
      const ctx = context(def, azure, item, {
        attempt: message.attempt,
        traceparent: message.attributes[TRACEPARENT_ATTRIBUTE] ?? null,
        ...(onServiceBus ? { messagingSystem: 'servicebus' } : {}),
      });
      if (undecodable !== undefined) ctx.log.error('message body cannot be decoded; the function did not run', { messageId: message.id, error: undecodable });
      const outcome = undecodable === undefined ? await invokeQueueMessage(def, message, ctx) : { ok: false as const, error: undecodable };
      if (outcome.ok) return;
      // Throwing hands the message back: Storage makes it visible again after host.json's
      // visibilityTimeout, Service Bus abandons it; both count the delivery (Service Bus
      // dead-letters at MaxDeliveryCount itself).
      if (onServiceBus) throw asError(outcome.error);
      const applied = await applyQueueFailure(
        {
          policy: def.source,
          messageId: message.id,
          attempt: message.attempt,
          retryable: undecodable === undefined,
          log: ctx.log,
          fields: { queue: `${storageQueue}-poison` },
        },
        {
          deadLetter: () =>
            producer.deadLetter(storageQueue, toDeadLetterEnvelope(def, def.source.name, message, message.attempt, outcome.error, message.enqueuedAt)),
          ifDeadLetterFails: 'the host retries it and moves it to the poison queue itself',
        },
      );
      if (applied.returnsToQueue) throw asError(outcome.error);
    };
    if (!onServiceBus) host.storageQueue(def.name, { queueName: storageQueue, connection: storageConnection, handler });
    else if (def.kind === 'queue') host.serviceBusQueue(def.name, { queueName: def.source.name, connection: serviceBusConnection, handler });
    else host.serviceBusTopic(def.name, { topicName: def.source.name, subscriptionName: def.name, connection: serviceBusConnection, handler });
  };

  const registerSchedule = (def: ScheduleFunctionDefinition): void => {
    const schedule = def.cron !== undefined ? toNcrontab(def.cron, `schedule "${def.name}"`) : everyToSchedule(def.everyMs!).schedule;
    host.timer(def.name, {
      schedule,
      useMonitor: true,
      handler: async (timer: unknown, azure: AzureInvocationContext): Promise<void> => {
        const outcome = await invokeSchedule(def, decodeTimer(timer as AzureTimerInput), context(def, azure, timer, {}));
        if (!outcome.ok) throw asError(outcome.error);
      },
    });
  };

  const registerEvent = (def: EventFunctionDefinition): void => {
    host.eventGrid(def.name, {
      handler: async (input: unknown, azure: AzureInvocationContext): Promise<void> => {
        const event = decodeEventGridEvent(input, `event "${def.name}"`);
        // Event Grid does not tell a subscriber how often it tried; retryContext counts the
        // Functions retry policy's attempts (when one is configured). Without it, attempt is 1.
        const retry = azure.retryContext;
        const ctx = context(def, azure, input, {
          attempt: retry ? retry.retryCount + 1 : 1,
          traceparent: typeof event.traceparent === 'string' ? event.traceparent : null,
        });
        if (!eventMatches(def, event)) {
          ctx.log.debug('event skipped: it does not match the function filter', { type: event.type, source: event.source });
          return;
        }
        const outcome = await invokeEvent(def, event, ctx);
        // A failed invocation makes Event Grid retry the delivery (and dead-letter it if configured).
        if (!outcome.ok) throw asError(outcome.error);
      },
    });
  };

  const names: string[] = [];
  for (const def of app.functions) {
    if (def.kind === 'http') registerHttp(def);
    else if (def.kind === 'schedule') registerSchedule(def);
    else if (def.kind === 'event') registerEvent(def);
    else registerConsumer(def);
    names.push(def.name);
  }
  const http = app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http');
  if (options.notFound ?? (http.length > 0 && !http.some((f) => f.route.route === '/*') && !app.getFunction(NOT_FOUND_FUNCTION))) {
    host.http(NOT_FOUND_FUNCTION, {
      methods: [...HTTP_METHODS],
      route: `{*${WILDCARD_PARAM}}`,
      authLevel: 'anonymous',
      handler: (request: HttpRequest): HttpResponseInit => {
        const path = new URL(request.url).pathname;
        return {
          status: 404,
          jsonBody: { error: `no route matches ${request.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}`, code: 'NOT_FOUND' },
        };
      },
    });
    names.push(NOT_FOUND_FUNCTION);
  }
  return { producer, functions: names };
}

/** Log records go through the invocation's own log methods, so the host tags them with the invocation. */
function azureLogSink(azure: AzureInvocationContext): LogSink {
  return (record) => {
    const line = safeStringify(record);
    if (record.level === 'error') azure.error(line);
    else if (record.level === 'warn') azure.warn(line);
    else if (record.level === 'debug') azure.debug(line);
    else azure.info(line);
  };
}

/** The error thrown back to the host, which logs it (message and stack): secrets redacted, a non-Error summarised. */
function asError(error: unknown): Error {
  return redactedError(error);
}
