import { randomUUID } from 'node:crypto';
import {
  FaasportError,
  InvocationContext,
  assertSupported,
  attachTransport,
  compareRoutes,
  createColdStartFlag,
  createLogger,
  eventMatches,
  invokeEvent,
  invokeHttp,
  logLevelFromEnv,
  isMethodAllowed,
  methodNotAllowed,
  routeNotFound,
  invokeQueueMessage,
  invokeSchedule,
  parseTraceparent,
  stdoutSink,
  TRACEPARENT_ATTRIBUTE,
  PORTABLE_MAX_MESSAGE_ATTRIBUTES,
  type App,
  type CloudEvent,
  type DeadLetterEnvelope,
  type EventFunctionDefinition,
  type FunctionDefinition,
  type HttpFunctionDefinition,
  type LogLevel,
  type LogSink,
  type Outcome,
  type QueueFunctionDefinition,
  type ScheduleFunctionDefinition,
  type Transport,
} from '../../src/index.js';
import { createDevApi } from './dev-api.js';
import { openDurableStore } from './durable-store.js';
import { adapter } from './local-adapter.js';
import { QueueEngine, type ChannelStats } from './queue-engine.js';
import { PAST_DUE_AFTER_MS, Scheduler } from './scheduler.js';

/** A handler mounted beside the app's routes (dev API, Lambda Invoke API…): undefined = not mine. */
export type Mount = (request: Request) => Promise<Response | undefined>;

export interface LocalRuntimeOptions {
  /** Largest HTTP request body, bytes (default 6 MB, the strictest cloud limit). */
  maxBodyBytes?: number;
  /** Production error bodies (no stacks, no internal messages). Default: NODE_ENV === 'production'. */
  production?: boolean;
  /** Where function logs go (default: JSON lines on stdout). */
  logSink?: LogSink;
  /** Default: FAASPORT_LOG_LEVEL (debug, info, warn, error), else "info". */
  logLevel?: LogLevel;
  /** Extra handlers tried before the app's routes. */
  mounts?: Mount[];
  /** Serve the `/_faasport/*` dev API (default true). */
  devApi?: boolean;
  /** Jitter source for retry backoff. */
  random?: () => number;
  /** Keep queues, dead letters and `ctx.once` keys in SQLite in this folder, across restarts and crashes. */
  persist?: string;
  /** With `persist`: the largest the store file may grow, bytes; past it sends are refused with STORE_FULL (HTTP 507). */
  persistMaxBytes?: number;
  /** `ctx.provider` of the invocations it runs (default "local"; the container target serves through this runtime). */
  provider?: string;
}

/** What the local adapter's native escape hatch holds. */
export interface LocalNative {
  readonly trigger: 'http' | 'queue' | 'topic' | 'schedule' | 'event';
  readonly request?: Request;
}

export interface LocalRuntime {
  readonly app: App;
  /** Answers one HTTP request: mounts, the dev API, then the app's routes. */
  fetch(request: Request): Promise<Response>;
  /** Delivers a CloudEvent to every matching event function (through their retry channels). */
  emit(event: CloudEvent): string[];
  /** Runs a schedule now; `scheduledTime` in the past makes the tick past due. */
  runSchedule(name: string, scheduledTime?: Date): Promise<Outcome>;
  deadLetters(queue: string, functionName?: string): DeadLetterEnvelope[];
  stats(): ChannelStats[];
  whenIdle(timeoutMs?: number): Promise<void>;
  /** Starts cron timers. */
  startSchedules(): void;
  /** Upcoming schedule firings. */
  upcoming(): { name: string; next: Date | undefined }[];
  readonly maxBodyBytes: number;
  stop(): void;
}

const DEFAULT_MAX_BODY = 6 * 1024 * 1024;

/**
 * Runs an app in this process: HTTP routing, queues, topics, schedules and events, with the
 * same semantics the cloud adapters give (attempts, backoff, dead-letter envelopes).
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { createLocalRuntime } from 'faasport/local';
 *
 * const app = createApp('demo');
 * app.http('hi', { route: '/hi' }, () => new Response('hi'));
 * const runtime = createLocalRuntime(app);
 * const res = await runtime.fetch(new Request('http://localhost/hi'));
 * ```
 */
export function createLocalRuntime(app: App, options: LocalRuntimeOptions = {}): LocalRuntime {
  assertSupported(app, adapter);
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const logSink = options.logSink ?? stdoutSink;
  const logLevel = options.logLevel ?? logLevelFromEnv(process.env, 'faasport dev');
  const runtimeLog = createLogger({ sink: logSink, level: logLevel ?? 'info', base: { component: 'faasport-local' } });
  const coldStart = createColdStartFlag();
  const durable = options.persist !== undefined ? openDurableStore(options.persist, options.persistMaxBytes !== undefined ? { maxBytes: options.persistMaxBytes } : {}) : undefined;
  let engine: QueueEngine;
  try {
    engine = new QueueEngine({ log: runtimeLog, ...(options.random ? { random: options.random } : {}), ...(durable ? { store: durable.queues } : {}) });
  } catch (err) {
    durable?.close();
    throw err;
  }

  const context = <N>(def: FunctionDefinition, native: N, extra: { attempt?: number; params?: Record<string, string>; traceparent?: string | null }) =>
    new InvocationContext<N>({
      functionName: def.name,
      invocationId: randomUUID(),
      provider: options.provider ?? 'local',
      deadline: Date.now() + def.timeoutMs,
      coldStart: coldStart(),
      attempt: extra.attempt ?? 1,
      ...(extra.params ? { params: extra.params } : {}),
      parentTrace: () => parseTraceparent(extra.traceparent),
      native,
      logSink,
      ...(logLevel ? { logLevel } : {}),
      ...(def.logRedact ? { logRedact: def.logRedact } : {}),
      ...(durable ? { idempotencyStore: durable.idempotency } : {}),
    });

  // Channels: a queue's consumer, one per topic subscriber, one per event function.
  const consumers = app.functions.filter((f): f is QueueFunctionDefinition => f.kind === 'queue' || f.kind === 'topic');
  const queueConsumer = (def: QueueFunctionDefinition) => (message: Parameters<typeof invokeQueueMessage>[1]) =>
    invokeQueueMessage(def, message, context(def, { trigger: def.kind } as LocalNative, { attempt: message.attempt, traceparent: message.attributes[TRACEPARENT_ATTRIBUTE] }));
  for (const q of app.queues) {
    const def = consumers.find((f) => f.kind === 'queue' && f.source === q);
    engine.createChannel({ key: q.name, queue: q.name, functionName: def?.name, policy: q, concurrency: q.batchSize }, def ? queueConsumer(def) : undefined);
  }
  for (const def of consumers.filter((f) => f.kind === 'topic')) {
    engine.createChannel({ key: `${def.source.name}/${def.name}`, queue: def.source.name, functionName: def.name, policy: def.source }, queueConsumer(def));
  }
  const events = app.functions.filter((f): f is EventFunctionDefinition => f.kind === 'event');
  for (const def of events) {
    engine.createChannel(
      { key: `event/${def.name}`, queue: `event/${def.name}`, functionName: def.name, policy: { maxAttempts: def.maxAttempts, backoff: { initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2 }, deadLetter: true, fifo: false } },
      async (message) => {
        const event = message.body as CloudEvent;
        return invokeEvent(def, event, context(def, { trigger: 'event' } as LocalNative, { attempt: message.attempt, traceparent: (event as { traceparent?: string }).traceparent ?? message.attributes[TRACEPARENT_ATTRIBUTE] }));
      },
    );
  }

  const transport: Transport = {
    provider: 'local',
    maxMessageBytes: adapter.capabilities.maxMessageBytes,
    // The strictest cloud's count (SQS/SNS: 10), not a local one: what sends here sends on every target.
    maxMessageAttributes: PORTABLE_MAX_MESSAGE_ATTRIBUTES,
    send: (queue, messages) => engine.send(messages.map((m) => [queue.name, m] as const)),
    publish: async (topic, messages) => {
      const subscribers = consumers.filter((f) => f.kind === 'topic' && f.source.name === topic.name);
      // Every subscriber gets the message or none does (a full store refuses the whole publish).
      engine.enqueueAll(messages.flatMap((m) => subscribers.map((sub) => [`${topic.name}/${sub.name}`, m] as const)));
      return messages.map(() => ({ id: randomUUID() }));
    },
  };
  attachTransport(app, transport);

  const routes = app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http').sort((a, b) => compareRoutes(a.route, b.route));
  const schedules = app.functions.filter((f): f is ScheduleFunctionDefinition => f.kind === 'schedule');

  const runSchedule = (def: ScheduleFunctionDefinition, scheduledTime: Date): Promise<Outcome> => {
    const actualTime = new Date();
    return invokeSchedule(
      def,
      { scheduledTime, actualTime, isPastDue: actualTime.getTime() - scheduledTime.getTime() > PAST_DUE_AFTER_MS },
      context(def, { trigger: 'schedule' } as LocalNative, {}),
    );
  };
  const scheduler = new Scheduler(schedules, (def, at) => void runSchedule(def, at));

  const routeRequest = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    let pathname = url.pathname;
    const hasTrailingSlash = pathname.length > 1 && pathname.endsWith('/');
    const matched: HttpFunctionDefinition[] = [];
    for (const def of routes) {
      const params = def.route.match(pathname);
      if (!params) continue;
      if (isMethodAllowed(def, request.method)) {
        const ctx = context(def, { trigger: 'http', request } as LocalNative, { params, traceparent: request.headers.get('traceparent') });
        const response = await invokeHttp(def, request, ctx, { production });
        if (ctx.pending.length > 0) void Promise.all(ctx.pending);
        return response;
      }
      // 405 says "this path exists"; "/items/" only resembles "/items" (an empty ":id" is no id).
      if (!hasTrailingSlash) matched.push(def);
    }
    return matched.length > 0 ? methodNotAllowed(matched, request.method, pathname) : routeNotFound(request.method, pathname);
  };

  const runtime: LocalRuntime = {
    app,
    maxBodyBytes,
    async fetch(request) {
      for (const mount of mounts) {
        const response = await mount(request);
        if (response) return response;
      }
      return routeRequest(request);
    },
    emit(event) {
      const matched = events.filter((def) => eventMatches(def, event));
      const payload = JSON.stringify(event);
      engine.enqueueAll(matched.map((def) => [`event/${def.name}`, { body: event, payload, bytes: payload.length, attributes: {}, delaySeconds: 0 }] as const));
      return matched.map((d) => d.name);
    },
    runSchedule(name, scheduledTime = new Date()) {
      const def = schedules.find((s) => s.name === name);
      if (!def) {
        throw new FaasportError('NOT_FOUND', `schedule "${name}" is not defined; defined schedules: ${schedules.map((s) => s.name).join(', ') || 'none'}`, { status: 404 });
      }
      return runSchedule(def, scheduledTime);
    },
    deadLetters(queue, functionName) {
      if (app.getTopic(queue)) {
        const subs = consumers.filter((f) => f.kind === 'topic' && f.source.name === queue && (!functionName || f.name === functionName));
        return subs.flatMap((s) => engine.deadLetters(`${queue}/${s.name}`));
      }
      if (queue.startsWith('event/') && engine.hasChannel(queue)) return engine.deadLetters(queue);
      if (!app.getQueue(queue)) {
        throw new FaasportError('NOT_FOUND', `queue "${queue}" is not defined; defined queues: ${app.queues.map((q) => q.name).join(', ') || 'none'}`, { status: 404 });
      }
      return engine.deadLetters(queue);
    },
    stats: () => engine.stats(),
    whenIdle: (timeoutMs) => engine.whenIdle(timeoutMs),
    startSchedules: () => scheduler.start(),
    upcoming: () => scheduler.upcoming(),
    stop() {
      scheduler.stop();
      engine.stop();
      durable?.close();
    },
  };
  const mounts: Mount[] = [...(options.mounts ?? [])];
  if (options.devApi !== false) mounts.push(createDevApi(runtime, transport, { production }));
  return runtime;
}
