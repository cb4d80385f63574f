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
  publicErrorMessage,
  stdoutSink,
  summariseError,
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
} from 'faasport';
import { createDashboard } from './dashboard.js';
import { createDevApi } from './dev-api.js';
import { openDurableStore } from './durable-store.js';
import { adapter } from './adapter.js';
import { InvocationFeed, type InvocationRecord } from './invocation-feed.js';
import { QueueEngine, type ChannelInit, type ChannelStats, type Consumer, type QueuedMessageView } from './queue-engine.js';
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
  /** The cloud it runs on, when `provider` does not say it (the container target): spans name it as `cloud.provider`. */
  cloud?: string;
  /**
   * Serve the browser dashboard at `/_faasport/` and record recent invocations and their log
   * lines for it (default false; `faasport dev` turns it on). Needs the dev API.
   */
  dashboard?: boolean;
}

/** Runs an invocation (`run`) and, when the dashboard is on, records it; `source` and `result` describe it for the record. */
type Observe = <T>(
  ctx: InvocationContext,
  trigger: InvocationRecord['trigger'],
  source: () => string,
  run: () => Promise<T>,
  result: (value: T) => Pick<InvocationRecord, 'outcome' | 'status' | 'error'>,
  messageId?: string,
) => Promise<T>;

/** What the local adapter's native escape hatch holds. */
export interface LocalNative {
  readonly trigger: 'http' | 'queue' | 'topic' | 'schedule' | 'event';
  readonly request?: Request;
}

export interface LocalRuntime {
  /** The app it serves now (a reload replaces it). */
  readonly app: App;
  /** Answers one HTTP request: mounts, the dev API, then the app's routes. */
  fetch(request: Request): Promise<Response>;
  /** Delivers a CloudEvent to every matching event function (through their retry channels). */
  emit(event: CloudEvent): string[];
  /** Runs a schedule now; `scheduledTime` in the past makes the tick past due. */
  runSchedule(name: string, scheduledTime?: Date): Promise<Outcome>;
  deadLetters(queue: string, functionName?: string): DeadLetterEnvelope[];
  /** Waiting and in-flight messages (at most `limit` per channel), each with the subscriber it waits for. */
  messages(queue: string, functionName?: string, limit?: number): (QueuedMessageView & { functionName: string | null })[];
  /** Puts dead letters (all, or those with these message ids) back on their queue, attempts from zero. */
  redrive(queue: string, functionName?: string, ids?: readonly string[]): { redriven: string[] };
  /** Drops the waiting messages (not those a consumer holds now). */
  purge(queue: string, functionName?: string): { purged: number; inFlight: number };
  /** Drops the dead letters. */
  purgeDeadLetters(queue: string, functionName?: string): { purged: number };
  /** Recent invocations and their log lines, when the dashboard is on. */
  readonly feed: InvocationFeed | undefined;
  stats(): ChannelStats[];
  whenIdle(timeoutMs?: number): Promise<void>;
  /** Starts cron timers. */
  startSchedules(): void;
  /** Upcoming schedule firings. */
  upcoming(): { name: string; next: Date | undefined }[];
  /**
   * Serves a new version of the app (`faasport dev` reloading after an edit). Queues, their
   * messages and dead letters, `ctx.once` keys and mounts stay; invocations already running
   * finish on the code they started with. A queue, subscription or event function the new
   * version drops keeps its messages, undelivered, until a version defines it again.
   */
  reload(app: App): void;
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
  const feed = options.dashboard === true && options.devApi !== false ? new InvocationFeed() : undefined;
  const invocationSink: LogSink = feed
    ? (record) => {
        feed.log(record);
        logSink(record);
      }
    : logSink;
  const durable =
    options.persist !== undefined
      ? openDurableStore(options.persist, options.persistMaxBytes !== undefined ? { maxBytes: options.persistMaxBytes } : {})
      : undefined;
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
      ...(options.cloud ? { cloud: options.cloud } : {}),
      deadline: Date.now() + def.timeoutMs,
      coldStart: coldStart(),
      attempt: extra.attempt ?? 1,
      ...(extra.params ? { params: extra.params } : {}),
      parentTrace: () => parseTraceparent(extra.traceparent),
      native,
      logSink: invocationSink,
      ...(logLevel ? { logLevel } : {}),
      ...(def.logRedact ? { logRedact: def.logRedact } : {}),
      ...(durable ? { idempotencyStore: durable.idempotency } : {}),
    });

  /** Runs one invocation; with the dashboard on, records what it came to (off, it is `run()` and nothing more: the container target serves through here). */
  const observed: Observe = !feed
    ? (_ctx, _trigger, _source, run) => run()
    : async (ctx, trigger, source, run, result, messageId) => {
        const started = Date.now();
        const value = await run();
        const trace = ctx.trace;
        feed.add({
          invocationId: ctx.invocationId,
          functionName: ctx.functionName,
          trigger,
          source: source(),
          startedAt: new Date(started).toISOString(),
          durationMs: Date.now() - started,
          attempt: ctx.attempt,
          coldStart: ctx.coldStart,
          traceId: trace.traceId,
          spanId: trace.spanId,
          parentSpanId: trace.parentSpanId ?? null,
          ...(messageId !== undefined ? { messageId } : {}),
          ...result(value),
        });
        return value;
      };
  const fromOutcome = (outcome: Outcome): Pick<InvocationRecord, 'outcome' | 'error'> =>
    outcome.ok ? { outcome: 'ok' } : { outcome: 'error', error: { ...summariseError(outcome.error), message: publicErrorMessage(outcome.error, production) } };

  /** What one version of the app defines; `reload` swaps it while the engine and its queues stay. */
  interface Generation {
    readonly app: App;
    readonly consumers: QueueFunctionDefinition[];
    readonly events: EventFunctionDefinition[];
    readonly routes: HttpFunctionDefinition[];
    readonly schedules: ScheduleFunctionDefinition[];
    readonly scheduler: Scheduler;
  }

  const transport: Transport = {
    provider: 'local',
    maxMessageBytes: adapter.capabilities.maxMessageBytes,
    // The strictest cloud's count (SQS/SNS: 10), not a local one: what sends here sends on every target.
    maxMessageAttributes: PORTABLE_MAX_MESSAGE_ATTRIBUTES,
    send: (queue, messages) => engine.send(messages.map((m) => [queue.name, m] as const)),
    publish: async (topic, messages) => {
      // The subscribers of the app as it is now (an invocation still running on the code before a reload publishes to them too).
      const subscribers = current.consumers.filter((f) => f.kind === 'topic' && f.source.name === topic.name);
      // Every subscriber gets the message or none does (a full store refuses the whole publish).
      engine.enqueueAll(messages.flatMap((m) => subscribers.map((sub) => [`${topic.name}/${sub.name}`, m] as const)));
      return messages.map(() => ({ id: randomUUID() }));
    },
  };

  const queueConsumer = (def: QueueFunctionDefinition) => (message: Parameters<typeof invokeQueueMessage>[1]) => {
    const ctx = context(def, { trigger: def.kind } as LocalNative, { attempt: message.attempt, traceparent: message.attributes[TRACEPARENT_ATTRIBUTE] });
    return observed(
      ctx,
      def.kind,
      () => def.source.name,
      () => invokeQueueMessage(def, message, ctx),
      fromOutcome,
      message.id,
    );
  };
  const eventConsumer = (def: EventFunctionDefinition) => async (message: Parameters<typeof invokeQueueMessage>[1]) => {
    const event = message.body as CloudEvent;
    const ctx = context(def, { trigger: 'event' } as LocalNative, {
      attempt: message.attempt,
      traceparent: (event as { traceparent?: string }).traceparent ?? message.attributes[TRACEPARENT_ATTRIBUTE],
    });
    return observed(
      ctx,
      'event',
      () => String(event.type),
      () => invokeEvent(def, event, ctx),
      fromOutcome,
      message.id,
    );
  };

  const runSchedule = (def: ScheduleFunctionDefinition, scheduledTime: Date): Promise<Outcome> => {
    const actualTime = new Date();
    const ctx = context(def, { trigger: 'schedule' } as LocalNative, {});
    const tick = { scheduledTime, actualTime, isPastDue: actualTime.getTime() - scheduledTime.getTime() > PAST_DUE_AFTER_MS };
    return observed(
      ctx,
      'schedule',
      () => def.cron ?? `every ${def.everyMs} ms`,
      () => invokeSchedule(def, tick, ctx),
      fromOutcome,
    );
  };

  /**
   * Binds an app's functions to the engine's channels: a queue's consumer, one per topic
   * subscriber, one per event function. A channel the app no longer defines keeps its messages
   * and dead letters, without a consumer, until a later version defines it again.
   */
  const bind = (next: App): Generation => {
    const consumers = next.functions.filter((f): f is QueueFunctionDefinition => f.kind === 'queue' || f.kind === 'topic');
    const events = next.functions.filter((f): f is EventFunctionDefinition => f.kind === 'event');
    const bound = new Set<string>();
    const channel = (init: ChannelInit, consumer: Consumer | undefined): void => {
      engine.bindChannel(init, consumer);
      bound.add(init.key);
    };
    for (const q of next.queues) {
      const def = consumers.find((f) => f.kind === 'queue' && f.source === q);
      channel({ key: q.name, queue: q.name, functionName: def?.name, policy: q, concurrency: q.batchSize }, def ? queueConsumer(def) : undefined);
    }
    for (const def of consumers.filter((f) => f.kind === 'topic')) {
      channel({ key: `${def.source.name}/${def.name}`, queue: def.source.name, functionName: def.name, policy: def.source }, queueConsumer(def));
    }
    for (const def of events) {
      channel(
        {
          key: `event/${def.name}`,
          queue: `event/${def.name}`,
          functionName: def.name,
          policy: { maxAttempts: def.maxAttempts, backoff: { initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2 }, deadLetter: true, fifo: false },
        },
        eventConsumer(def),
      );
    }
    for (const key of engine.channelKeys()) if (!bound.has(key)) engine.unbindChannel(key);
    attachTransport(next, transport);
    const schedules = next.functions.filter((f): f is ScheduleFunctionDefinition => f.kind === 'schedule');
    return {
      app: next,
      consumers,
      events,
      routes: next.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http').sort((a, b) => compareRoutes(a.route, b.route)),
      schedules,
      scheduler: new Scheduler(schedules, (def, at) => void runSchedule(def, at)),
    };
  };
  let current = bind(app);
  let schedulesStarted = false;

  const routeRequest = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const pathname = url.pathname;
    const hasTrailingSlash = pathname.length > 1 && pathname.endsWith('/');
    const matched: HttpFunctionDefinition[] = [];
    for (const def of current.routes) {
      const params = def.route.match(pathname);
      if (!params) continue;
      if (isMethodAllowed(def, request.method)) {
        const ctx = context(def, { trigger: 'http', request } as LocalNative, { params, traceparent: request.headers.get('traceparent') });
        const response = await observed(
          ctx,
          'http',
          () => `${request.method} ${pathname}`,
          () => invokeHttp(def, request, ctx, { production }),
          (r) => ({
            outcome: r.status >= 500 ? 'error' : 'ok',
            status: r.status,
          }),
        );
        if (ctx.pending.length > 0) void Promise.all(ctx.pending);
        return response;
      }
      // 405 says "this path exists"; "/items/" only resembles "/items" (an empty ":id" is no id).
      if (!hasTrailingSlash) matched.push(def);
    }
    return matched.length > 0 ? methodNotAllowed(matched, request.method, pathname) : routeNotFound(request.method, pathname);
  };

  /**
   * The engine channels behind a queue name: the queue's own, a topic's subscriptions (one, with
   * `functionName`), or `event/<function>`. A channel an earlier version of the app defined
   * (faasport dev reloaded) stays reachable, so its messages and dead letters can be listed.
   */
  const channelsOf = (queue: string, functionName: string | undefined): { key: string; functionName: string | null }[] => {
    const { app: now, consumers } = current;
    // A topic's subscriptions, each a channel `<topic>/<subscriber>`: those this version binds and any an earlier one left.
    const subscriptions = () =>
      engine
        .channelKeys()
        .filter((key) => key.startsWith(`${queue}/`) && (!functionName || key === `${queue}/${functionName}`))
        .map((key) => ({ key, functionName: key.slice(queue.length + 1) }));
    if (now.getTopic(queue)) return subscriptions();
    if (engine.hasChannel(queue) && (queue.startsWith('event/') || !now.getQueue(queue))) {
      return [{ key: queue, functionName: queue.startsWith('event/') ? queue.slice('event/'.length) : null }];
    }
    if (now.getQueue(queue)) return [{ key: queue, functionName: consumers.find((f) => f.kind === 'queue' && f.source.name === queue)?.name ?? null }];
    const dropped = subscriptions();
    if (dropped.length > 0) return dropped;
    throw new FaasportError('NOT_FOUND', `queue "${queue}" is not defined; defined queues: ${now.queues.map((q) => q.name).join(', ') || 'none'}`, {
      status: 404,
    });
  };

  const runtime: LocalRuntime = {
    get app() {
      return current.app;
    },
    maxBodyBytes,
    async fetch(request) {
      for (const mount of mounts) {
        const response = await mount(request);
        if (response) return response;
      }
      return routeRequest(request);
    },
    emit(event) {
      const matched = current.events.filter((def) => eventMatches(def, event));
      const payload = JSON.stringify(event);
      engine.enqueueAll(matched.map((def) => [`event/${def.name}`, { body: event, payload, bytes: payload.length, attributes: {}, delaySeconds: 0 }] as const));
      return matched.map((d) => d.name);
    },
    runSchedule(name, scheduledTime = new Date()) {
      const def = current.schedules.find((s) => s.name === name);
      if (!def) {
        throw new FaasportError(
          'NOT_FOUND',
          `schedule "${name}" is not defined; defined schedules: ${current.schedules.map((s) => s.name).join(', ') || 'none'}`,
          { status: 404 },
        );
      }
      return runSchedule(def, scheduledTime);
    },
    deadLetters(queue, functionName) {
      return channelsOf(queue, functionName).flatMap((c) => engine.deadLetters(c.key));
    },
    messages(queue, functionName, limit) {
      return channelsOf(queue, functionName).flatMap((c) => engine.messages(c.key, limit).map((m) => ({ ...m, functionName: c.functionName })));
    },
    redrive(queue, functionName, ids) {
      return { redriven: channelsOf(queue, functionName).flatMap((c) => engine.redrive(c.key, ids).map((m) => m.id)) };
    },
    purge(queue, functionName) {
      const counts = channelsOf(queue, functionName).map((c) => engine.purge(c.key));
      return { purged: counts.reduce((n, c) => n + c.purged, 0), inFlight: counts.reduce((n, c) => n + c.inFlight, 0) };
    },
    purgeDeadLetters(queue, functionName) {
      return { purged: channelsOf(queue, functionName).reduce((n, c) => n + engine.purgeDeadLetters(c.key).purged, 0) };
    },
    feed,
    stats: () => engine.stats(),
    whenIdle: (timeoutMs) => engine.whenIdle(timeoutMs),
    startSchedules: () => {
      schedulesStarted = true;
      current.scheduler.start();
    },
    upcoming: () => current.scheduler.upcoming(),
    reload(next) {
      assertSupported(next, adapter);
      const previous = current;
      current = bind(next);
      // Timers re-arm from now on the same cron slots; a firing already running finishes on the old code.
      previous.scheduler.stop();
      if (schedulesStarted) current.scheduler.start();
    },
    stop() {
      current.scheduler.stop();
      engine.stop();
      durable?.close();
    },
  };
  const mounts: Mount[] = [...(options.mounts ?? [])];
  if (feed) mounts.push(createDashboard(runtime, feed));
  if (options.devApi !== false) mounts.push(createDevApi(runtime, transport, { production }));
  return runtime;
}
