import { randomUUID } from 'node:crypto';
import {
  assertSupported,
  attachTransport,
  createColdStartFlag,
  createLogger,
  FaasportError,
  eventMatches,
  InvocationContext,
  invokeEvent,
  logLevelFromEnv,
  parseTraceparent,
  stdoutSink,
  trustProxyFromEnv,
  type App,
  type EventFunctionDefinition,
  type LogSink,
  type QueueFunctionDefinition,
} from 'faasport';
import { createLocalRuntime } from 'faasport/local';
import { serve, type RunningServer } from 'faasport/local';
import { createConsumer, type Consumer } from './consumer.js';
import { containerAdapters, toContainerCloud } from './adapter.js';
import { createControlApi, schedulePath } from './control-api.js';
import { eventQueueFunctions } from './event-queue.js';
import type { ContainerPlatform } from './platform.js';

export interface StartContainerOptions {
  /** Default: process.env. Reads PORT, HOST, FAASPORT_GRACE_MS, FAASPORT_SCHEDULES, FAASPORT_CONTROL_TOKEN, FAASPORT_MAX_BODY_BYTES, FAASPORT_TRUST_PROXY, FAASPORT_CONTROL_AUTH, FAASPORT_CONSUMERS, NODE_ENV. */
  readonly env?: NodeJS.ProcessEnv;
  readonly logSink?: LogSink;
  /** Stop on SIGTERM / SIGINT and exit 0 (default true). */
  readonly handleSignals?: boolean;
  /** Production error bodies (no stacks, no internal messages). Default: NODE_ENV === 'production' (the Dockerfile sets it). */
  readonly production?: boolean;
}

export interface RunningContainer {
  readonly url: string;
  readonly consumers: readonly Consumer[];
  /** What keeps the server from being ready ([] when ready). */
  notReady(): string[];
  /** The SIGTERM path: not ready, stop receiving, finish or hand back in-flight messages, close HTTP. */
  stop(): Promise<{ handedBack: number }>;
}

/** Longest the server waits for in-flight work on SIGTERM (Cloud Run allows 10 s in all). */
export const DEFAULT_GRACE_MS = 8_000;

/**
 * Runs an app as a long-lived server, the container target's runtime: HTTP on `$PORT`
 * through the local runtime's router, body limit and error answers; one pulling consumer
 * per queue and topic subscriber; schedules in-process (only with FAASPORT_SCHEDULES=run:
 * set it on exactly one replica) or by a platform scheduler calling
 * `POST /_faasport/schedules/<name>/run` with FAASPORT_CONTROL_TOKEN; health at
 * `/_faasport/healthz` and `/_faasport/readyz`. On SIGTERM it stops receiving, lets
 * in-flight handlers finish within FAASPORT_GRACE_MS, hands the rest back and exits 0.
 *
 * @example
 * ```ts
 * import { startContainer, awsPlatform } from 'faasport/container';
 * import { app } from './app.js';
 * await startContainer(app, await awsPlatform(app));
 * ```
 */
export async function startContainer(app: App, platform: ContainerPlatform, options: StartContainerOptions = {}): Promise<RunningContainer> {
  const env = options.env ?? process.env;
  const cloud = toContainerCloud(platform.cloud, `container "${app.name}"`);
  assertSupported(app, containerAdapters[cloud]);
  const logSink = options.logSink ?? stdoutSink;
  const logLevel = logLevelFromEnv(env, `container "${app.name}"`);
  const log = createLogger({ sink: logSink, level: logLevel ?? 'info', base: { component: 'faasport-container', cloud } });
  const graceMs = intFromEnv('FAASPORT_GRACE_MS', env, DEFAULT_GRACE_MS);
  const maxBodyBytes = intFromEnv('FAASPORT_MAX_BODY_BYTES', env, 6 * 1024 * 1024);
  // Client addresses from X-Forwarded-For only behind the proxies named here (the platform's load balancer).
  const trustProxy = trustProxyFromEnv(env, `container "${app.name}"`);
  const production = options.production ?? env.NODE_ENV === 'production';
  const coldStart = createColdStartFlag();
  let stopping = false;

  const consumed = [
    ...app.functions.filter((f): f is QueueFunctionDefinition => f.kind === 'queue' || f.kind === 'topic'),
    ...(platform.queuedEvents ? eventQueueFunctions(app, platform.queuedEvents) : []),
  ];
  // FAASPORT_CONSUMERS=none: a replica that only answers the platform's scheduler and event router.
  const consumers = (choiceFromEnv('FAASPORT_CONSUMERS', env, ['run', 'none']) === 'none' ? [] : consumed).map((def) =>
    createConsumer(def, platform.sources(def), { cloud, log, logSink, ...(logLevel ? { logLevel } : {}), coldStart }),
  );
  const notReady = (): string[] => [
    ...(stopping ? ['stopping'] : []),
    ...consumers.filter((c) => !c.ready).map((c) => `consumer "${c.name}" is not connected`),
  ];

  const events = app.functions.filter((f): f is EventFunctionDefinition => f.kind === 'event');
  const control = createControlApi({
    notReady,
    token: env.FAASPORT_CONTROL_TOKEN || undefined,
    production,
    platformAuthenticated: choiceFromEnv('FAASPORT_CONTROL_AUTH', env, ['token', 'platform-iam']) === 'platform-iam',
    runSchedule: (name, scheduledTime) => runtime.runSchedule(name, scheduledTime),
    async deliverEvent(event) {
      const matched = events.filter((def) => eventMatches(def, event));
      const outcomes = await Promise.all(
        matched.map((def) =>
          invokeEvent(
            def,
            event,
            new InvocationContext({
              functionName: def.name,
              invocationId: randomUUID(),
              provider: 'container',
              cloud,
              deadline: Date.now() + def.timeoutMs,
              coldStart: coldStart(),
              parentTrace: () => parseTraceparent((event as { traceparent?: string }).traceparent),
              native: { trigger: 'event', cloud },
              logSink,
              ...(logLevel ? { logLevel } : {}),
            }),
          ),
        ),
      );
      return matched.filter((_, i) => !outcomes[i]!.ok).map((def) => def.name);
    },
  });
  // The local runtime's router, limits and error answers; no dev API in a deployed server.
  const runtime = createLocalRuntime(app, {
    devApi: false,
    provider: 'container',
    cloud,
    production,
    maxBodyBytes,
    logSink,
    ...(logLevel ? { logLevel } : {}),
    mounts: [control],
  });
  // After the runtime: sends go to the cloud's queue service, not the in-process engine.
  attachTransport(app, platform.transport);

  const server: RunningServer = await serve((request) => runtime.fetch(request), {
    port: intFromEnv('PORT', env, 8080),
    host: env.HOST || '0.0.0.0',
    maxBodyBytes,
    ...(trustProxy ? { trustProxy } : {}),
    onError: (err) => log.error('http request failed outside its handler', { error: (err as Error)?.message ?? String(err) }),
  });
  // Requests being answered, counted until their response is written, so a stop lets them finish within the grace period too.
  let httpInFlight = 0;
  let httpIdle: (() => void) | undefined;
  server.server.on('request', (_req, res) => {
    httpInFlight++;
    res.once('close', () => {
      if (--httpInFlight === 0) httpIdle?.();
    });
  });
  for (const c of consumers) c.start();
  if (env.FAASPORT_SCHEDULES === 'run') runtime.startSchedules();
  log.info(`faasport container: app "${app.name}" listening on ${server.url}`, {
    url: server.url,
    consumers: consumers.map((c) => c.name),
    schedules: env.FAASPORT_SCHEDULES === 'run' ? 'in-process' : `by POST ${schedulePath('<name>')}`,
  });

  let stopped: Promise<{ handedBack: number }> | undefined;
  const running: RunningContainer = {
    url: server.url,
    consumers,
    notReady,
    stop() {
      return (stopped ??= (async () => {
        stopping = true;
        runtime.stop();
        // Stop taking connections now; requests already in flight get the grace period too.
        server.server.close();
        server.server.closeIdleConnections();
        const deadline = Date.now() + graceMs;
        const counts = await Promise.all(consumers.map((c) => c.stop(graceMs)));
        const handedBack = counts.reduce((a, b) => a + b, 0);
        if (httpInFlight > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            new Promise<void>((resolve) => (httpIdle = resolve)),
            new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
          ]);
          clearTimeout(timer);
        }
        await server.close();
        await platform.close?.().catch(() => undefined);
        log.info('faasport container stopped', { handedBack });
        return { handedBack };
      })());
    },
  };
  if (options.handleSignals !== false) {
    const onSignal = (signal: string): void => {
      log.info(`${signal}: stopping`, { graceMs });
      void running.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return running;
}

/** `name` from the environment, one of `allowed` (the first when unset). */
function choiceFromEnv<T extends string>(name: string, env: NodeJS.ProcessEnv, allowed: readonly [T, ...T[]]): T {
  const value = env[name];
  if (value === undefined || value === '') return allowed[0];
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new FaasportError(
    'CONFIG_INVALID',
    `container: ${name} must be ${allowed.join(' or ')}, got "${value.slice(0, 40)}"; fix the environment of the container`,
  );
}

function intFromEnv(name: string, env: NodeJS.ProcessEnv, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  const max = name === 'PORT' ? 65_535 : Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(n) || n < 0 || n > max)
    throw new FaasportError(
      'CONFIG_INVALID',
      `container: ${name} must be a whole number from 0 to ${max}, got "${value.slice(0, 40)}"; fix the environment of the container`,
    );
  return n;
}
