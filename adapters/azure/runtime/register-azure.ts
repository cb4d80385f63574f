import type azureFunctions from '@azure/functions';
import { createRequire } from 'node:module';
import {
  FaasportError,
  assertSupported,
  attachTransport,
  compileTrustProxy,
  createColdStartFlag,
  logLevelFromEnv,
  trustProxyFromEnv,
  type App,
  type FunctionDefinition,
  type HttpFunctionDefinition,
  type LogLevel,
  type TrustProxy,
} from 'faasport';
import { EVENT_GRID_MAX_ATTEMPTS, adapter } from './adapter.js';
import { createAzureProducer, type AzureProducer } from './producer.js';
import { registerConsumer } from './register-consumer.js';
import { registerEventGrid } from './register-event-grid.js';
import { NOT_FOUND_FUNCTION, registerHttp, registerNotFound } from './register-http.js';
import { registerTimer } from './register-timer.js';
import type { AzureFunctionsApp, RegistrationDeps } from './registration-deps.js';
import { DEFAULT_SERVICE_BUS_CONNECTION, serviceBusFromEnv, type ServiceBusClientOptions } from './service-bus.js';

export { NOT_FOUND_FUNCTION } from './register-http.js';
export type { AzureFunctionsApp, AzureNative } from './registration-deps.js';

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
  for (const fn of app.functions) assertEventGridAttempts(fn);
  const deps = resolveDeps(app, options);
  const names: string[] = [];
  for (const def of app.functions) {
    register(def, deps);
    names.push(def.name);
  }
  if (wantsNotFound(app, options)) {
    registerNotFound(deps);
    names.push(NOT_FOUND_FUNCTION);
  }
  return { producer: deps.producer, functions: names };
}

/** One registration per function, by trigger kind. */
function register(def: FunctionDefinition, deps: RegistrationDeps): void {
  switch (def.kind) {
    case 'http':
      return registerHttp(def, deps);
    case 'schedule':
      return registerTimer(def, deps);
    case 'event':
      return registerEventGrid(def, deps);
    case 'queue':
    case 'topic':
      return registerConsumer(def, deps);
  }
}

/** Event Grid retries at most 30 times: an event function asking for more is refused before anything is registered. */
function assertEventGridAttempts(fn: FunctionDefinition): void {
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

/** The options and environment read once, at registration; connects the app's sends to the producer. */
function resolveDeps(app: App, options: RegisterAzureOptions): RegistrationDeps {
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
  return {
    host: options.functions ?? functionsApp(),
    producer,
    production,
    trustProxy,
    storageConnection,
    serviceBusQueues: new Set(serviceBus?.queues ?? []),
    serviceBusTopics: new Set(serviceBus?.topics ?? []),
    serviceBusConnection: serviceBus?.connection ?? DEFAULT_SERVICE_BUS_CONNECTION,
    coldStart: createColdStartFlag(),
    logLevel: options.logLevel ?? logLevelFromEnv(env, 'registerAzure'),
  };
}

/** Unless `options.notFound` says, the catch-all is registered when the app has HTTP functions, no catch-all of its own and no function of that name. */
function wantsNotFound(app: App, options: RegisterAzureOptions): boolean {
  const http = app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http');
  return options.notFound ?? (http.length > 0 && !http.some((f) => f.route.route === '/*') && !app.getFunction(NOT_FOUND_FUNCTION));
}

/**
 * The `app` namespace of the @azure/functions the function app runs with, loaded when
 * registerAzure runs (not at import): the container target and `faasport/azure/target` import
 * this entry's decoders and names without the library installed.
 */
function functionsApp(): AzureFunctionsApp {
  try {
    return (createRequire(import.meta.url)('@azure/functions') as typeof azureFunctions).app;
  } catch (err) {
    throw new FaasportError(
      'CONFIG_INVALID',
      "registerAzure: cannot load @azure/functions; add it to the function app's dependencies (npm install @azure/functions)",
      {
        cause: err,
      },
    );
  }
}
