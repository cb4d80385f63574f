import { checkDeclaredSends } from './access-plan.js';
import { AppRegistry } from './app-registry.js';
import { defineEvent } from './define-event.js';
import { defineHttp } from './define-http.js';
import { defineQueue, type Queue } from './define-queue.js';
import { defineSchedule } from './define-schedule.js';
import { defineTopic, type Topic } from './define-topic.js';
import type {
  AppOptions,
  EventFunctionDefinition,
  EventOptions,
  FunctionDefinition,
  HttpFunctionDefinition,
  HttpOptions,
  QueueDefinition,
  QueueOptions,
  ScheduleFunctionDefinition,
  ScheduleOptions,
  TopicOptions,
} from './definitions.js';
import { compileRedactPaths } from './redact-paths.js';
import { addSecretEnvNames } from './redact-secrets.js';
import { checkKnownOptions, checkName, invalid } from './options.js';
import type { Transport } from './transport.js';
import type { EventHandler, HttpHandler, ScheduleHandler } from './types.js';
export type { Queue } from './define-queue.js';
export type { Topic } from './define-topic.js';
export { DEFAULT_TIMEOUT_MS } from './common-options.js';
export { checkTransportLimits, encodeMessage, DEFAULT_MAX_MESSAGE_BYTES } from './encode-message.js';

/** The registry of everything an app defines. Adapters read it; nothing in it knows a cloud. */
export interface App {
  readonly name: string;
  /** An HTTP function; `ctx.params` is typed from the route literal (`'/items/:id'` → `ctx.params.id: string`). */
  http<const Route extends string>(name: string, options: HttpOptions & { route: Route }, handler: HttpHandler<Route>): HttpFunctionDefinition;
  queue<T = unknown>(name: string, options?: QueueOptions): Queue<T>;
  topic<T = unknown>(name: string, options?: TopicOptions): Topic<T>;
  schedule(name: string, options: ScheduleOptions, handler: ScheduleHandler): ScheduleFunctionDefinition;
  event<T = unknown>(name: string, options: EventOptions, handler: EventHandler<T>): EventFunctionDefinition;
  /** Every function, in definition order. */
  readonly functions: readonly FunctionDefinition[];
  readonly queues: readonly QueueDefinition[];
  readonly topics: readonly QueueDefinition[];
  getFunction(name: string): FunctionDefinition | undefined;
  getQueue(name: string): QueueDefinition | undefined;
  getTopic(name: string): QueueDefinition | undefined;
}

const APP_BRAND = Symbol.for('faasport.app');
const TRANSPORT = Symbol.for('faasport.transport');

interface AppInternals {
  [TRANSPORT]?: Transport;
}

/**
 * Creates an app: the registry of HTTP routes, queues, topics, schedules and event
 * functions. Definitions are checked now, so mistakes fail at startup, not in production.
 * `options.log.redact` names fields `ctx.log` writes as `"[redacted]"`; `options.log.redactEnv`
 * names environment variables whose values are secrets beyond the names faasport recognises.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 *
 * export const app = createApp('shop', { log: { redact: ['password', 'card.number'] } });
 * app.http('hello', { method: 'GET', route: '/hello/:name' }, (req, ctx) =>
 *   Response.json({ hello: ctx.params.name }),
 * );
 * ```
 */
export function createApp(name: string, options: AppOptions = {}): App {
  const appName = checkName('app', name);
  const registry = new AppRegistry(appName, appLogOptions(`createApp("${appName}")`, options));
  const { functions, queues, topics, byName } = registry;
  const app: App & { [APP_BRAND]: true } = {
    [APP_BRAND]: true,
    name: appName,
    get functions() {
      return functions;
    },
    get queues() {
      return queues;
    },
    get topics() {
      return topics;
    },
    getFunction: (n) => byName.get(n),
    getQueue: (n) => queues.find((q) => q.name === n),
    getTopic: (n) => topics.find((t) => t.name === n),
    http(fname, options, handler) {
      return defineHttp(registry, fname, options, handler);
    },
    queue<T>(qname: string, options?: QueueOptions): Queue<T> {
      return defineQueue<T>(registry, qname, options);
    },
    topic<T>(tname: string, options?: TopicOptions): Topic<T> {
      return defineTopic<T>(registry, tname, options);
    },
    schedule(fname, options, handler) {
      return defineSchedule(registry, fname, options, handler);
    },
    event<T>(fname: string, options: EventOptions, handler: EventHandler<T>): EventFunctionDefinition {
      return defineEvent<T>(registry, fname, options, handler);
    },
  };
  Object.defineProperty(app, TRANSPORT, {
    get: () => registry.transport,
    set: (t: Transport) => {
      registry.transport = t;
    },
    enumerable: false,
  });
  return app;
}

/** True for an app made by `createApp` (from any copy of the package). */
export function isApp(value: unknown): value is App {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[APP_BRAND] === true;
}

/**
 * Connects an app's queues and topics to a runtime. Adapters call this once at startup;
 * apps never do.
 */
export function attachTransport(app: App, transport: Transport): void {
  checkDeclaredSends(app);
  (app as unknown as AppInternals)[TRANSPORT] = transport;
}

/** Checks the app's options; registers `log.redactEnv` with the process scrubber and returns the compiled `log.redact` paths. */
function appLogOptions(what: string, options: AppOptions): readonly string[] | undefined {
  checkKnownOptions(what, options, ['log']);
  if (options.log === undefined) return undefined;
  checkKnownOptions(`${what} log`, options.log, ['redact', 'redactEnv']);
  const { redact, redactEnv } = options.log;
  if (redactEnv !== undefined) {
    if (!Array.isArray(redactEnv) || !redactEnv.every((n) => typeof n === 'string' && n !== '')) {
      throw invalid(what, 'log.redactEnv must be a list of environment variable names, e.g. ["BILLING_ACCOUNT"]');
    }
    addSecretEnvNames(redactEnv);
  }
  if (redact === undefined) return undefined;
  if (!Array.isArray(redact)) throw invalid(what, 'log.redact must be a list of field paths, e.g. ["password", "card.number"]');
  if (redact.length === 0) return undefined;
  const paths = Object.freeze([...redact]);
  compileRedactPaths(paths, `${what} log.redact`);
  return paths;
}
