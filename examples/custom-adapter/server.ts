import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  assertSupported,
  attachTransport,
  createColdStartFlag,
  createLogger,
  FaasportError,
  isFaasportError,
  stdoutSink,
  summariseError,
  type App,
  type CloudEvent,
  type DeadLetterEnvelope,
  type LogLevel,
  type LogSink,
} from 'faasport';
import { adapter, KNATIVE_MAX_HTTP_BODY_BYTES } from './adapter.js';
import { Broker } from './broker.js';
import type { ContextDeps } from './create-context.js';
import { createTransport } from './create-transport.js';
import { MemoryDeadLetterSink, type DeadLetterSink } from './dead-letter-sink.js';
import { contentModeOf, decodeHttpEvent } from './decode-http-binding.js';
import { deliverToFunction } from './deliver-to-function.js';
import { readBody, sendJson, toHeaders, writeResponse } from './node-http.js';
import { startPingSources, type PingSources } from './ping-source.js';
import { pingSourceName, type PingSourceRef } from './ping-source-ref.js';
import { planSubscriptions } from './plan-subscriptions.js';
import { createHttpRouter } from './route-http.js';
import { DELIVER_PATH, INGRESS_PATH, INTERNAL_TYPE_PREFIX, QUEUE_EXTENSION, QUEUE_MESSAGE_TYPE, TOPIC_MESSAGE_TYPE } from './vocabulary.js';

export interface KnativeServiceOptions {
  /** Port to listen on (default: a free one). Knative sets `PORT`; pass `Number(process.env.PORT)`. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Production error bodies (no stacks, no internal messages). Default: NODE_ENV === 'production'. */
  production?: boolean;
  /** Where function logs go (default: JSON lines on stdout). */
  logSink?: LogSink;
  logLevel?: LogLevel;
  /** Kubernetes namespace the PingSources live in (default `default`). */
  namespace?: string;
  /** Largest request body, bytes (default the adapter's 10 MiB). */
  maxBodyBytes?: number;
  /** Knative `delivery.deadLetterSink` (default: kept in memory, read with `deadLetters`). */
  deadLetterSink?: DeadLetterSink;
  /** Jitter source for retry backoff. */
  random?: () => number;
  /** Fire schedules on their cron through in-process PingSources (default false: pings come from outside). */
  pingSources?: boolean;
}

/** A running Knative Service for one app, with its in-process broker. */
export interface KnativeService {
  readonly url: string;
  readonly app: App;
  readonly broker: Broker;
  /** The PingSource that fires schedule `functionName`. */
  pingSourceFor(functionName: string): PingSourceRef;
  /** Dead-lettered envelopes (only with the default in-memory sink). */
  deadLetters(queue: string, functionName?: string): DeadLetterEnvelope[];
  /** Resolves when the broker has nothing waiting, in flight or scheduled for retry. */
  whenIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const HOST_HEADER = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * Runs `app` the way a Knative deployment would: one HTTP server (the Knative Service) that
 * answers the app's `http` functions, exposes a broker ingress at `POST /` for CloudEvents
 * (binary or structured mode), and receives deliveries from the in-process broker at
 * `POST /_faasport/deliver/<function>`. Queues are channels, topics and event functions are
 * broker triggers, schedules are PingSources; failed deliveries are retried and end in the
 * dead-letter sink.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { startKnativeService } from './server.js';
 *
 * const app = createApp('demo');
 * app.http('hi', { route: '/hi' }, () => new Response('hi'));
 * const service = await startKnativeService(app, { port: Number(process.env.PORT ?? 8080) });
 * console.log(`listening on ${service.url}`);
 * ```
 */
export async function startKnativeService(app: App, options: KnativeServiceOptions = {}): Promise<KnativeService> {
  assertSupported(app, adapter);
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const maxBodyBytes = options.maxBodyBytes ?? KNATIVE_MAX_HTTP_BODY_BYTES;
  const namespace = options.namespace ?? 'default';
  const logSink = options.logSink ?? stdoutSink;
  const log = createLogger({ sink: logSink, level: options.logLevel ?? 'info', base: { component: 'faasport-knative' } });
  const deps: ContextDeps = { coldStart: createColdStartFlag(), logSink, ...(options.logLevel ? { logLevel: options.logLevel } : {}) };
  const routeHttp = createHttpRouter(app, { ...deps, production });
  const sink = options.deadLetterSink ?? new MemoryDeadLetterSink();

  let broker: Broker | undefined;
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log.error('request failed outside any handler', { error: summariseError(err) });
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal Server Error', code: 'INTERNAL' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      req.resume();
      return sendJson(res, 413, tooLarge(declared, maxBodyBytes), true);
    }
    const method = req.method ?? 'GET';
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req, maxBodyBytes);
    if (body === null) return sendJson(res, 413, tooLarge(undefined, maxBodyBytes), true);
    const headers = toHeaders(req);
    const host = req.headers.host && HOST_HEADER.test(req.headers.host) ? req.headers.host : `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = new URL(`http://${host}${req.url ?? '/'}`);
    const bytes = body ?? new Uint8Array(0);

    if (method === 'POST' && url.pathname.startsWith(DELIVER_PATH)) {
      const name = safeDecode(url.pathname.slice(DELIVER_PATH.length));
      const def = name === undefined ? undefined : app.getFunction(name);
      if (!def)
        return sendJson(res, 404, {
          error: { name: 'FaasportError', message: `no function "${(name ?? '').slice(0, 100)}" in app "${app.name}"`, code: 'NOT_FOUND' },
        });
      return writeResponse(res, await deliverToFunction(def, { headers, body: bytes }, deps));
    }
    if (method === 'POST' && url.pathname === INGRESS_PATH && contentModeOf(headers)) {
      return writeResponse(res, ingress({ headers, body: bytes }));
    }
    const response = await routeHttp(
      method,
      url.pathname,
      headers,
      () => new Request(url, { method, headers, ...(bytes.length > 0 ? { body: bytes as unknown as BodyInit } : {}) }),
    );
    return writeResponse(res, response);
  }

  /** The broker ingress: validate, accept, answer 202 (Knative's broker does not wait for subscribers). */
  function ingress(message: { headers: Headers; body: Uint8Array }): Response {
    let event: CloudEvent;
    try {
      event = decodeHttpEvent(message, 'knative broker ingress');
      checkInternal(app, event);
    } catch (err) {
      const status = isFaasportError(err) && err.status ? err.status : 400;
      return Response.json({ error: summariseError(err).message, code: isFaasportError(err) ? err.code : 'EVENT_INVALID' }, { status });
    }
    broker!.accept(event);
    return new Response(null, { status: 202 });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  try {
    broker = new Broker({
      subscriptions: planSubscriptions(app, url, namespace),
      deadLetterSink: sink,
      log,
      ...(options.random ? { random: options.random } : {}),
    });
  } catch (err) {
    await closeServer();
    throw err;
  }
  attachTransport(app, createTransport(app.name, broker));
  const pings: PingSources | undefined = options.pingSources ? startPingSources(app, { sink: url + INGRESS_PATH, namespace, log }) : undefined;

  function closeServer(): Promise<void> {
    return new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  }

  const ready = broker;
  return {
    url,
    app,
    broker: ready,
    pingSourceFor(functionName) {
      const def = app.getFunction(functionName);
      if (!def || def.kind !== 'schedule') {
        const names = app.functions.filter((f) => f.kind === 'schedule').map((f) => f.name);
        throw new FaasportError('NOT_FOUND', `schedule "${functionName}" is not defined; defined schedules: ${names.join(', ') || 'none'}`);
      }
      return { namespace, name: pingSourceName(def.name) };
    },
    deadLetters(queue, functionName) {
      if (!(sink instanceof MemoryDeadLetterSink)) {
        throw new FaasportError('CONFIG_INVALID', 'knative: deadLetters() reads the default in-memory sink; read your own deadLetterSink instead');
      }
      return sink.read(queue, functionName).map((r) => r.envelope);
    },
    whenIdle: (timeoutMs) => ready.whenIdle(timeoutMs),
    async stop() {
      pings?.stop();
      ready.stop();
      await closeServer();
    },
  };
}

/** Only the app's own queue/topic messages may use the `dev.faasport.` types, and only for queues/topics that exist. */
function checkInternal(app: App, event: CloudEvent): void {
  if (!event.type.startsWith(INTERNAL_TYPE_PREFIX)) return;
  const name = event[QUEUE_EXTENSION];
  const known = event.type === QUEUE_MESSAGE_TYPE ? app.getQueue(String(name)) : event.type === TOPIC_MESSAGE_TYPE ? app.getTopic(String(name)) : undefined;
  if (!known) {
    throw new FaasportError(
      'EVENT_INVALID',
      `knative broker ingress: type "${event.type}" with ${QUEUE_EXTENSION}=${JSON.stringify(name ?? null)} names no queue or topic of app "${app.name}"`,
      {
        status: 400,
      },
    );
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function tooLarge(declared: number | undefined, limit: number): Record<string, unknown> {
  return {
    error: `request body${declared !== undefined ? ` of ${declared} bytes` : ''} exceeds the limit of ${limit} bytes; send less or raise maxBodyBytes`,
    code: 'PAYLOAD_TOO_LARGE',
  };
}
