import { Cron } from 'croner';
import { normaliseBackoff } from './backoff.js';
import { checkDeclaredSends } from './access-plan.js';
import { impossibleCronDate } from './cron-dates.js';
import { currentInvocation } from './context.js';
import {
  HTTP_METHODS,
  type EventFunctionDefinition,
  type EventOptions,
  type FunctionDefinition,
  type HttpFunctionDefinition,
  type HttpMethod,
  type HttpOptions,
  type QueueDefinition,
  type QueueFunctionDefinition,
  type QueueOptions,
  type ScheduleFunctionDefinition,
  type ScheduleOptions,
  type SendOptions,
  type TopicOptions,
  type CommonFunctionOptions,
  type AppOptions,
} from './definitions.js';
import { compileRedactPaths } from './redact-paths.js';
import { addSecretEnvNames } from './redact-secrets.js';
import { FaasportError, payloadTooLarge } from './errors.js';
import { checkBoolean, checkInteger, checkKnownOptions, checkName, invalid, parseDuration } from './options.js';
import { compileRoute, type CompiledRoute } from './route.js';
import { allowedMethods } from './http-methods.js';
import { traceProducer } from './otel-spans.js';
import { TRACEPARENT_ATTRIBUTE, type OutgoingMessage, type SendResult, type Transport } from './transport.js';
import type { EventHandler, HttpHandler, QueueHandler, ScheduleHandler } from './types.js';

/** A queue: send messages to it, consume them with a function. */
export interface Queue<T> {
  readonly name: string;
  readonly definition: QueueDefinition;
  /** Sends one message; resolves with the platform's message id. */
  send(body: T, options?: SendOptions): Promise<SendResult>;
  /** Sends many; the runtime batches them within its own limits. */
  sendBatch(bodies: readonly T[], options?: SendOptions | ((body: T, index: number) => SendOptions)): Promise<SendResult[]>;
  /** Defines the function that consumes this queue: one handler call per message. */
  consume(functionName: string, handler: QueueHandler<T>, options?: CommonFunctionOptions): QueueFunctionDefinition;
}

/** A topic: every subscriber receives every published message. */
export interface Topic<T> {
  readonly name: string;
  readonly definition: QueueDefinition;
  publish(body: T, options?: Omit<SendOptions, 'groupId' | 'deduplicationId' | 'delaySeconds'>): Promise<SendResult>;
  subscribe(functionName: string, handler: QueueHandler<T>, options?: CommonFunctionOptions): QueueFunctionDefinition;
}

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

const COMMON_KEYS = ['timeoutMs', 'memoryMb', 'warm', 'sends'] as const;
const QUEUE_KEYS = ['maxAttempts', 'backoff', 'deadLetter', 'visibilityTimeoutMs', 'batchSize', 'fifo', 'delaySeconds', 'maxMessageBytes'];
const TOPIC_KEYS = ['maxAttempts', 'backoff', 'deadLetter', 'maxMessageBytes'];
const SEND_KEYS = ['delaySeconds', 'groupId', 'attributes', 'deduplicationId'];
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,79}$/;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

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
  const logRedact = appLogOptions(`createApp("${appName}")`, options);
  const functions: FunctionDefinition[] = [];
  const queues: QueueDefinition[] = [];
  const topics: QueueDefinition[] = [];
  const byName = new Map<string, FunctionDefinition>();
  const internals: AppInternals = {};

  const register = <D extends FunctionDefinition>(def: D): D => {
    if (byName.has(def.name)) {
      throw new FaasportError('DUPLICATE_NAME', `function "${def.name}" is defined twice in app "${appName}"; function names must be unique`, {
        details: { name: def.name },
      });
    }
    const registered = logRedact ? { ...def, logRedact } : def;
    byName.set(def.name, registered);
    functions.push(registered);
    return registered;
  };

  // Two functions on the same route shape and a shared method: the second could never be
  // reached (the first always matches), on any runtime. Refused while the mistake is fresh.
  const checkRouteFree = (fname: string, route: CompiledRoute, methods: HttpFunctionDefinition['methods']): void => {
    const shape = routeShape(route.route);
    const mine = new Set(allowedMethods({ methods }));
    for (const other of functions) {
      if (other.kind !== 'http' || routeShape(other.route.route) !== shape) continue;
      const shared = allowedMethods(other).filter((m) => mine.has(m));
      if (shared.length === 0) continue;
      throw new FaasportError(
        'INVALID_ROUTE',
        `http "${fname}": ${shared.join(', ')} ${route.route} is already served by http "${other.name}" (${other.route.route}), so "${fname}" would never be reached; use another route or method, or handle both in one function`,
        { details: { route: route.route, conflictsWith: other.name, methods: shared } },
      );
    }
  };

  const claimQueueName = (kind: 'queue' | 'topic', qname: string): void => {
    if (queues.some((q) => q.name === qname) || topics.some((t) => t.name === qname)) {
      throw new FaasportError('DUPLICATE_NAME', `${kind} "${qname}" is defined twice in app "${appName}"; queue and topic names share one namespace`, {
        details: { name: qname },
      });
    }
  };

  // The runtime half of least privilege: a function sends only where it said it would, so
  // what works under `faasport dev` also has the permissions it needs in the cloud.
  const checkDeclared = (operation: string, kind: 'queue' | 'topic', target: string): void => {
    const invocation = currentInvocation.getStore();
    if (!invocation) return;
    const fn = byName.get(invocation.functionName);
    if (!fn || fn.sends.includes(target)) return;
    throw new FaasportError(
      'SEND_UNDECLARED',
      `${operation}: function "${fn.name}" does not declare that it sends to ${kind} "${target}"; add sends: [${target}] to its options (the deploy files grant a function only the queues and topics it declares)`,
      { details: { function: fn.name, [kind]: target } },
    );
  };

  const transportFor = (operation: string): Transport => {
    const t = internals[TRANSPORT];
    if (!t) {
      throw new FaasportError(
        'NO_RUNTIME',
        `${operation}: no runtime is attached to app "${appName}"; run the app with "faasport dev" or through an adapter entry (toLambda, registerAzure, registerGcp)`,
      );
    }
    return t;
  };

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
      const what = `http "${fname}"`;
      checkName('function', fname);
      checkHandler(what, handler);
      if (typeof options !== 'object' || options === null) throw invalid(what, 'options { method, route } are required');
      checkKnownOptions(what, options, ['method', 'route', 'public', ...COMMON_KEYS]);
      const methods = normaliseMethods(what, options.method);
      const route = compileRoute(options.route, fname);
      checkRouteFree(fname, route, methods);
      return register<HttpFunctionDefinition>({
        kind: 'http',
        name: fname,
        methods,
        route,
        public: options.public === undefined ? false : checkBoolean(what, 'public', options.public),
        // The compiled route fills exactly the parameters RouteParams<Route> names.
        handler: handler as HttpHandler,
        ...common(what, options),
      });
    },

    queue<T>(qname: string, options: QueueOptions = {}): Queue<T> {
      checkName('queue', qname);
      claimQueueName('queue', qname);
      const definition = resolveQueueOptions('queue', qname, options, QUEUE_KEYS);
      queues.push(definition);
      return {
        name: qname,
        definition,
        send: async (body, sendOptions) => {
          const operation = `queue "${qname}": send`;
          checkDeclared(operation, 'queue', qname);
          const message = encodeOutgoing(operation, definition, body, sendOptions);
          const transport = transportFor(operation);
          checkTransportLimits(operation, transport, message);
          const [result] = await traceProducer('send', definition, transport.provider, [message], () => transport.send(definition, [message]));
          return result!;
        },
        sendBatch: async (bodies, sendOptions) => {
          const operation = `queue "${qname}": sendBatch`;
          checkDeclared(operation, 'queue', qname);
          if (!Array.isArray(bodies)) throw new FaasportError('MESSAGE_INVALID', `${operation}: expected an array of message bodies`);
          const messages = bodies.map((body, i) =>
            encodeOutgoing(`${operation} [${i}]`, definition, body, typeof sendOptions === 'function' ? sendOptions(body, i) : sendOptions),
          );
          if (messages.length === 0) return [];
          const transport = transportFor(operation);
          messages.forEach((m, i) => checkTransportLimits(`${operation} [${i}]`, transport, m));
          return traceProducer('send', definition, transport.provider, messages, () => transport.send(definition, messages));
        },
        consume: (fname, handler, fnOptions = {}) => {
          const what = `queue "${qname}" consumer "${fname}"`;
          checkName('function', fname);
          checkHandler(what, handler);
          checkKnownOptions(what, fnOptions, COMMON_KEYS);
          const existing = functions.find((f) => f.kind === 'queue' && f.source === definition);
          if (existing) {
            throw invalid(what, `queue "${qname}" is already consumed by "${existing.name}"; a queue has one consumer (use a topic for fan-out)`);
          }
          const fn = common(what, fnOptions);
          if (definition.visibilityTimeoutMs !== undefined && definition.visibilityTimeoutMs < fn.timeoutMs) {
            throw invalid(
              what,
              `visibilityTimeoutMs ${definition.visibilityTimeoutMs} is shorter than the consumer's timeoutMs ${fn.timeoutMs}; a message would be redelivered while still being handled (use at least the timeout, ideally 6x)`,
            );
          }
          return register<QueueFunctionDefinition>({ kind: 'queue', name: fname, source: definition, handler: handler as QueueHandler<unknown>, ...fn });
        },
      };
    },

    topic<T>(tname: string, options: TopicOptions = {}): Topic<T> {
      checkName('topic', tname);
      claimQueueName('topic', tname);
      const definition: QueueDefinition = { ...resolveQueueOptions('topic', tname, options, TOPIC_KEYS), kind: 'topic' };
      topics.push(definition);
      return {
        name: tname,
        definition,
        publish: async (body, publishOptions) => {
          const operation = `topic "${tname}": publish`;
          checkDeclared(operation, 'topic', tname);
          if (publishOptions) checkKnownOptions(operation, publishOptions, ['attributes']);
          const message = encodeOutgoing(operation, definition, body, publishOptions);
          const transport = transportFor(operation);
          checkTransportLimits(operation, transport, message);
          const [result] = await traceProducer('publish', definition, transport.provider, [message], () => transport.publish(definition, [message]));
          return result!;
        },
        subscribe: (fname, handler, fnOptions = {}) => {
          const what = `topic "${tname}" subscriber "${fname}"`;
          checkName('function', fname);
          checkHandler(what, handler);
          checkKnownOptions(what, fnOptions, COMMON_KEYS);
          return register<QueueFunctionDefinition>({
            kind: 'topic',
            name: fname,
            source: definition,
            handler: handler as QueueHandler<unknown>,
            ...common(what, fnOptions),
          });
        },
      };
    },

    schedule(fname, options, handler) {
      const what = `schedule "${fname}"`;
      checkName('function', fname);
      checkHandler(what, handler);
      if (typeof options !== 'object' || options === null) throw invalid(what, 'options { cron } or { every } are required');
      checkKnownOptions(what, options, ['cron', 'timezone', 'every', ...COMMON_KEYS]);
      const o = options as { cron?: unknown; timezone?: unknown; every?: unknown };
      if ((o.cron === undefined) === (o.every === undefined)) throw invalid(what, 'give exactly one of { cron: "0 3 * * *" } or { every: "5m" }');
      let cron: string | undefined;
      let timezone: string | undefined;
      let everyMs: number | undefined;
      if (o.cron !== undefined) {
        cron = checkCron(what, o.cron);
        if (o.timezone !== undefined) timezone = checkTimezone(what, o.timezone);
      } else {
        if (o.timezone !== undefined) throw invalid(what, 'timezone applies only to cron schedules');
        everyMs = parseDuration(`${what} every`, o.every);
        if (everyMs < 60_000 || everyMs % 60_000 !== 0) {
          throw invalid(what, `every must be a whole number of minutes (the clouds schedule by the minute), got ${JSON.stringify(o.every)}`);
        }
      }
      return register<ScheduleFunctionDefinition>({ kind: 'schedule', name: fname, cron, timezone, everyMs, handler, ...common(what, options) });
    },

    event(fname, options, handler) {
      const what = `event "${fname}"`;
      checkName('function', fname);
      checkHandler(what, handler);
      if (typeof options !== 'object' || options === null) throw invalid(what, 'options { type?, source? } are required (use {} for every event)');
      checkKnownOptions(what, options, ['type', 'source', 'maxAttempts', ...COMMON_KEYS]);
      for (const key of ['type', 'source'] as const) {
        const v = options[key];
        if (v !== undefined && (typeof v !== 'string' || v === '' || (v.indexOf('*') !== -1 && v.indexOf('*') !== v.length - 1))) {
          throw invalid(what, `${key} must be a non-empty string, optionally ending in "*", got ${JSON.stringify(v)}`);
        }
      }
      return register<EventFunctionDefinition>({
        kind: 'event',
        name: fname,
        type: options.type,
        source: options.source,
        maxAttempts: options.maxAttempts === undefined ? 5 : checkInteger(what, 'maxAttempts', options.maxAttempts, 1, 100),
        handler: handler as EventHandler<unknown>,
        ...common(what, options),
      });
    },
  };
  Object.defineProperty(app, TRANSPORT, {
    get: () => internals[TRANSPORT],
    set: (t: Transport) => {
      internals[TRANSPORT] = t;
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

function checkHandler(what: string, handler: unknown): void {
  if (typeof handler !== 'function') throw invalid(what, `handler must be a function, got ${typeof handler}`);
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

function common(what: string, options: CommonFunctionOptions): { timeoutMs: number; memoryMb: number; warm: number; sends: readonly string[] } {
  return {
    timeoutMs: options.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : checkInteger(what, 'timeoutMs', options.timeoutMs, 1, 900_000),
    memoryMb: options.memoryMb === undefined ? 256 : checkInteger(what, 'memoryMb', options.memoryMb, 128, 10_240),
    warm: options.warm === undefined ? 0 : checkInteger(what, 'warm', options.warm, 0, 100),
    sends: options.sends === undefined ? [] : checkSendsOption(what, options.sends),
  };
}

/** `sends: [orders, 'shipped']` → the names; what they name is checked once the app is complete (attachTransport, build). */
function checkSendsOption(what: string, sends: unknown): readonly string[] {
  if (!Array.isArray(sends)) throw invalid(what, 'sends must be a list of queues or topics (the objects app.queue / app.topic return, or their names)');
  const names = sends.map((entry: unknown, i) => {
    const name = typeof entry === 'string' ? entry : typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined;
    if (typeof name !== 'string' || name.length === 0) throw invalid(what, `sends[${i}] is not a queue, a topic or a name`);
    return name;
  });
  return Object.freeze([...new Set(names)]);
}

function normaliseMethods(what: string, method: unknown): readonly HttpMethod[] | '*' {
  if (method === undefined) return ['GET'];
  if (method === '*') return '*';
  const list = Array.isArray(method) ? method : [method];
  if (list.length === 0) throw invalid(what, 'method list is empty');
  return list.map((m) => {
    const upper = typeof m === 'string' ? m.toUpperCase() : m;
    if (!HTTP_METHODS.includes(upper as HttpMethod)) {
      throw invalid(what, `method ${JSON.stringify(m)} is not one of ${HTTP_METHODS.join(', ')} or "*"`);
    }
    return upper as HttpMethod;
  });
}

function resolveQueueOptions(kind: 'queue' | 'topic', name: string, options: QueueOptions, keys: string[]): QueueDefinition {
  const what = `${kind} "${name}"`;
  if (typeof options !== 'object' || options === null) throw invalid(what, 'options must be an object');
  checkKnownOptions(what, options, keys);
  const fifo = options.fifo === undefined ? false : checkBoolean(what, 'fifo', options.fifo);
  return Object.freeze({
    kind,
    name,
    maxAttempts: options.maxAttempts === undefined ? 5 : checkInteger(what, 'maxAttempts', options.maxAttempts, 1, 1000),
    backoff: normaliseBackoff(what, options.backoff),
    deadLetter: options.deadLetter === undefined ? true : checkBoolean(what, 'deadLetter', options.deadLetter),
    visibilityTimeoutMs:
      options.visibilityTimeoutMs === undefined ? undefined : checkInteger(what, 'visibilityTimeoutMs', options.visibilityTimeoutMs, 1000, 43_200_000),
    batchSize: options.batchSize === undefined ? 10 : checkInteger(what, 'batchSize', options.batchSize, 1, 10_000),
    fifo,
    delaySeconds: options.delaySeconds === undefined ? 0 : checkInteger(what, 'delaySeconds', options.delaySeconds, 0, 900),
    // Unset = whatever the target allows (checked by the transport at send time).
    maxMessageBytes: options.maxMessageBytes === undefined ? undefined : checkInteger(what, 'maxMessageBytes', options.maxMessageBytes, 1, 100 * 1024 * 1024),
  });
}

function checkCron(what: string, cron: unknown): string {
  if (typeof cron !== 'string') throw new FaasportError('INVALID_CRON', `${what}: cron must be a string such as "0 3 * * *"`);
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new FaasportError(
      'INVALID_CRON',
      `${what}: cron "${cron}" has ${fields.length} fields; use the 5-field form "minute hour day-of-month month day-of-week" (every cloud schedules by the minute)`,
      { details: { cron } },
    );
  }
  try {
    new Cron(fields.join(' '), { paused: true });
  } catch (err) {
    throw new FaasportError('INVALID_CRON', `${what}: cron "${cron}" is invalid: ${(err as Error).message}`, { cause: err, details: { cron } });
  }
  const never = impossibleCronDate(fields);
  if (never) {
    throw new FaasportError('INVALID_CRON', `${what}: cron "${cron}" names no real date: ${never}; pick a day every chosen month has (28 for February)`, {
      details: { cron },
    });
  }
  return fields.join(' ');
}

function checkTimezone(what: string, tz: unknown): string {
  try {
    if (typeof tz !== 'string') throw new Error('not a string');
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    throw invalid(what, `timezone ${JSON.stringify(tz)} is not an IANA time zone such as "Europe/Paris"`);
  }
}

/**
 * Validates and encodes one message for `queue` exactly as `queue.send` does (JSON body,
 * attribute rules, fifo groupId, delay range, size limit, trace propagation). Runtimes that
 * accept messages from outside the app (a dev API, a CLI) use it so the rules stay in one place.
 */
export function encodeMessage(operation: string, queue: QueueDefinition, body: unknown, options?: SendOptions): OutgoingMessage {
  return encodeOutgoing(operation, queue, body, options);
}

function encodeOutgoing(operation: string, queue: QueueDefinition, body: unknown, options: SendOptions = {}): OutgoingMessage {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: send options must be an object (or left out), got ${options === null ? 'null' : typeof options}`);
  }
  checkKnownOptions(operation, options, SEND_KEYS);
  let payload: string | undefined;
  try {
    payload = JSON.stringify(body);
  } catch (err) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: body cannot be encoded as JSON (${(err as Error).message})`, { cause: err });
  }
  if (payload === undefined) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: body is ${typeof body}; send a JSON value (object, array, string, number, boolean or null)`);
  }
  const attributes: Record<string, string> = {};
  if (options.attributes !== undefined) {
    if (typeof options.attributes !== 'object' || options.attributes === null) {
      throw new FaasportError('MESSAGE_INVALID', `${operation}: attributes must be an object of strings`);
    }
    for (const [key, value] of Object.entries(options.attributes)) {
      if (!ATTRIBUTE_NAME.test(key) || key.toLowerCase().startsWith('faasport-') || key === TRACEPARENT_ATTRIBUTE) {
        throw new FaasportError(
          'MESSAGE_INVALID',
          `${operation}: attribute name "${key}" is invalid (letters, digits, "_", "-", "."; not "traceparent" or "faasport-*")`,
        );
      }
      if (typeof value !== 'string') throw new FaasportError('MESSAGE_INVALID', `${operation}: attribute "${key}" must be a string, got ${typeof value}`);
      attributes[key] = value;
    }
  }
  const invocation = currentInvocation.getStore();
  if (invocation) attributes[TRACEPARENT_ATTRIBUTE] = invocation.trace.traceparent;
  let groupId: string | undefined;
  if (options.groupId !== undefined) {
    if (!queue.fifo)
      throw new FaasportError('MESSAGE_INVALID', `${operation}: groupId is only for fifo queues; define the queue with { fifo: true } or drop groupId`);
    if (typeof options.groupId !== 'string' || options.groupId.length === 0 || options.groupId.length > 128) {
      throw new FaasportError('MESSAGE_INVALID', `${operation}: groupId must be a string of 1-128 characters`);
    }
    groupId = options.groupId;
  } else if (queue.fifo) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: queue is fifo, so every message needs a groupId (send(body, { groupId }))`);
  }
  const delaySeconds = options.delaySeconds === undefined ? queue.delaySeconds : options.delaySeconds;
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: delaySeconds must be an integer from 0 to 900, got ${JSON.stringify(delaySeconds)}`);
  }
  // Counted, not encoded: no buffer per send.
  let bytes = Buffer.byteLength(payload, 'utf8');
  for (const key in attributes) bytes += key.length + Buffer.byteLength(attributes[key]!, 'utf8');
  if (queue.maxMessageBytes !== undefined && bytes > queue.maxMessageBytes) {
    throw payloadTooLarge(
      operation,
      bytes,
      queue.maxMessageBytes,
      `the ${queue.kind}'s maxMessageBytes`,
      'send a smaller message or a reference to stored data',
    );
  }
  const message: { -readonly [K in keyof OutgoingMessage]: OutgoingMessage[K] } = { body, payload, bytes, attributes, delaySeconds };
  if (groupId !== undefined) message.groupId = groupId;
  if (options.deduplicationId !== undefined) message.deduplicationId = String(options.deduplicationId);
  return message;
}

/**
 * The transport's own limits on one encoded message, checked before any network call: its size,
 * and its count of message attributes including those faasport adds (`traceparent`). Runtimes
 * that take messages from outside the app (a dev API) call it after {@link encodeMessage}.
 *
 * @example
 * ```ts
 * import { createApp, encodeMessage, checkTransportLimits, type Transport } from 'faasport';
 * const orders = createApp('shop').queue('orders');
 * const transport = { provider: 'aws', maxMessageAttributes: 10 } as Transport;
 * checkTransportLimits('dev API send', transport, encodeMessage('dev API send', orders.definition, { id: 1 }));
 * ```
 */
export function checkTransportLimits(operation: string, transport: Transport, message: OutgoingMessage): void {
  const limit = transport.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (message.bytes > limit) {
    throw payloadTooLarge(operation, message.bytes, limit, `${transport.provider} messages`, 'send a smaller message or a reference to stored data');
  }
  const maxAttributes = transport.maxMessageAttributes;
  if (maxAttributes === undefined) return;
  const count = Object.keys(message.attributes).length;
  // Callers cannot name traceparent (encodeMessage refuses it): present, it is faasport's.
  const own = TRACEPARENT_ATTRIBUTE in message.attributes ? 1 : 0;
  if (count > maxAttributes) {
    throw new FaasportError(
      'MESSAGE_INVALID',
      `${operation}: message has ${count} attributes (${count - own} yours${own > 0 ? `, ${own} faasport's own: traceparent` : ''}), ${transport.provider} messages accept ${maxAttributes}; send at most ${maxAttributes - own} of your own and carry the rest in the body`,
      { status: 400, details: { attributes: count, own, limit: maxAttributes, target: transport.provider } },
    );
  }
}

/** A route with its parameter names blanked: `/users/:id` and `/users/:name` match the same paths. */
function routeShape(route: string): string {
  return route.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':');
}
