import {
  TRACEPARENT_ATTRIBUTE,
  attachTransport,
  createColdStartFlag,
  createLogger,
  applyQueueFailure,
  errorResponse,
  eventMatches,
  invokeEvent,
  invokeHttp,
  invokeQueueMessage,
  invokeSchedule,
  isFaasportError,
  isMethodAllowed,
  methodNotAllowed,
  unsupportedMethod,
  redactedError,
  stdoutSink,
  summariseError,
  type App,
  type EventFunctionDefinition,
  type HttpFunctionDefinition,
  type LogLevel,
  type LogSink,
  type Outcome,
  type QueueFunctionDefinition,
  type ScheduleFunctionDefinition,
  type Transport,
  compileTrustProxy,
  logLevelFromEnv,
  trustProxyFromEnv,
  type TrustProxy,
} from 'faasport';
import { assertGcpSupported } from './check-app.js';
import { createGcpContext, type GcpNative } from './create-context.js';
import { decodeCloudEvent } from './decode-cloud-event.js';
import { decodeExpressRequest } from './decode-express-request.js';
import { decodePubsub, toQueueMessage, type PubsubDelivery } from './decode-pubsub.js';
import { decodeSchedule } from './decode-schedule.js';
import { encodeDeadLetter } from './encode-dead-letter.js';
import { encodeExpressResponse } from './encode-express-response.js';
import { installLightResponse } from 'faasport/adapter-kit';
import {
  frameworkExecutionContext,
  loadFramework,
  type FrameworkCloudEvent,
  type FrameworkRequest,
  type FrameworkResponse,
  type FunctionsFramework,
} from './framework.js';
import { GCF_MAX_HTTP_BODY_BYTES, PUBSUB_MIN_DELIVERY_ATTEMPTS } from './adapter.js';
import { gcpNames } from './names.js';
import { createPubsubTransport } from './producer.js';
import type { PubsubPublisher } from './pubsub-publisher.js';
import { isWarmupPing } from './warmup.js';

export const PUBSUB_PUBLISHED_TYPE = 'google.cloud.pubsub.topic.v1.messagePublished';

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

/** What `registerGcp` set up. */
export interface GcpRegistration {
  /** Every function name registered with the framework (its `--target`). */
  readonly functions: readonly string[];
  readonly transport: Transport | undefined;
}

/**
 * Registers every function of `app` with the Google Cloud Functions Framework: HTTP
 * functions with `http()`, everything else (Pub/Sub queues and topics, Cloud Scheduler
 * ticks, Cloud Storage and any other CloudEvent) with `cloudEvent()`. Each keeps its own
 * name, so `functions-framework --target <name>` serves it. Refuses what GCP cannot run
 * with one CAPABILITY_UNSUPPORTED error.
 *
 * A failing queue message makes the function answer 500, which Pub/Sub treats as a nack and
 * redelivers under the subscription's retry policy. On the last attempt (the delivery count
 * reaches `maxAttempts`) faasport forwards the message to the dead-letter topic itself, with
 * the handler's error, and acknowledges it: that is how `maxAttempts` 1-4 holds although
 * Pub/Sub's own policy counts at least 5 (the subscription gets `max(5, maxAttempts)`).
 * Should the forward fail, the message is nacked and Pub/Sub's policy forwards it later.
 *
 * @example
 * ```ts
 * // index.ts, the entry point `faasport build --target gcp` bundles
 * import { registerGcp } from 'faasport/gcp';
 * import { app } from './app.js';
 *
 * registerGcp(app);
 * ```
 */
export function registerGcp(app: App, options: RegisterGcpOptions = {}): GcpRegistration {
  assertGcpSupported(app);
  const framework = options.framework ?? loadFramework();
  // Secure by default: a deploy that forgets NODE_ENV must not send stacks to clients.
  const production = options.production ?? process.env.NODE_ENV !== 'development';
  const maxBodyBytes = options.maxHttpBodyBytes ?? GCF_MAX_HTTP_BODY_BYTES;
  const trustProxy =
    options.trustProxy !== undefined ? compileTrustProxy(options.trustProxy, 'registerGcp trustProxy') : trustProxyFromEnv(process.env, 'registerGcp');
  const logSink = options.logSink;
  const logLevel = options.logLevel ?? logLevelFromEnv(process.env, 'registerGcp');
  const runtimeLog = createLogger({ sink: logSink ?? stdoutSink, level: logLevel ?? 'info', base: { component: 'faasport-gcp' } });
  const coldStart = createColdStartFlag();
  // functionName is reserved in log fields (a handler must not forge it): runtime lines about a function set it as base.
  const logFor = (functionName: string) => runtimeLog.child({ functionName });
  const names = gcpNames(app.name);

  let transport = options.transport;
  if (!transport && (app.queues.length > 0 || app.topics.length > 0)) {
    transport = createPubsubTransport({ appName: app.name, ...options.pubsub });
  }
  if (transport) attachTransport(app, transport);
  let publisher = options.publisher ?? (transport as { publisher?: PubsubPublisher } | undefined)?.publisher;

  const base = { logSink, logLevel };
  const registered: string[] = [];

  let lightResponseChecked = false;
  const httpHandler =
    (def: HttpFunctionDefinition) =>
    async (req: FrameworkRequest, res: FrameworkResponse): Promise<void> => {
      // On the first request, not at import: making the light Response loads undici.
      if (!lightResponseChecked) {
        lightResponseChecked = true;
        installLightResponse();
      }
      const params = def.route.match(req.path);
      let response: Response;
      const unsupported = unsupportedMethod(req.method);
      if (unsupported) {
        response = unsupported;
      } else if (!params) {
        response = Response.json(
          { error: `${req.method} ${clip(req.path)} does not match route ${def.route.route} of function "${def.name}"`, code: 'NOT_FOUND' },
          { status: 404 },
        );
      } else if (!isMethodAllowed(def, req.method)) {
        response = methodNotAllowed(def, req.method, req.path);
      } else {
        // Only a request the function will run gets a context (and takes the cold start).
        const ctx = createGcpContext({
          ...base,
          def,
          native: { trigger: 'http', request: req, response: res },
          coldStart: coldStart(),
          executionId: req.executionId,
          params,
          traceparent: req.get('traceparent'),
          cloudTraceContext: req.get('x-cloud-trace-context'),
        });
        let request: Request | undefined;
        try {
          request = decodeExpressRequest(req, maxBodyBytes, trustProxy);
        } catch (err) {
          response = errorResponse(err, ctx, production);
        }
        if (request) {
          response = await invokeHttp(def, request, ctx, { production });
          // Cloud Functions throttles the CPU once the response is sent: finish waitUntil work first.
          if (ctx.pending.length > 0) await Promise.all(ctx.pending);
        }
      }
      await encodeExpressResponse(response!, res, { head: req.method === 'HEAD' });
    };

  const context = (
    def: QueueFunctionDefinition | ScheduleFunctionDefinition | EventFunctionDefinition,
    event: FrameworkCloudEvent<unknown>,
    extra: { attempt?: number; traceparent?: string | undefined },
  ) =>
    createGcpContext({
      ...base,
      def,
      native: { trigger: def.kind, event } as GcpNative,
      coldStart: coldStart(),
      executionId: frameworkExecutionContext()?.executionId,
      ...extra,
    });

  const queueHandler =
    (def: QueueFunctionDefinition) =>
    async (event: FrameworkCloudEvent<unknown>): Promise<void> => {
      const operation = `${def.kind} "${def.source.name}" ${def.kind === 'queue' ? 'consumer' : 'subscriber'} "${def.name}"`;
      const delivery = failLoudly(operation, () => decodePubsub(event, operation));
      let outcome: Outcome;
      let attempt = delivery.deliveryAttempt ?? 1;
      try {
        const message = toQueueMessage(delivery, operation);
        attempt = message.attempt;
        const ctx = context(def, event, { attempt, traceparent: delivery.attributes[TRACEPARENT_ATTRIBUTE] ?? traceOf(event) });
        outcome = await invokeQueueMessage(def, message, ctx);
      } catch (error) {
        logFor(def.name).error('message cannot be decoded', { messageId: delivery.messageId, attempt, error: summariseError(error) });
        outcome = { ok: false, error };
      }
      if (outcome.ok) return;
      await afterFailure(def, delivery, outcome.error, operation);
    };

  const warnedNoCount = new Set<string>();
  const afterFailure = async (def: QueueFunctionDefinition, delivery: PubsubDelivery, error: unknown, operation: string): Promise<void> => {
    const attempt = delivery.deliveryAttempt;
    // Without a delivery count only Pub/Sub knows how often it tried: its policy decides.
    if (attempt === undefined) {
      if (!warnedNoCount.has(def.name)) {
        warnedNoCount.add(def.name);
        logFor(def.name).warn(
          `deliveries carry no delivery count (a legacy push subscription, or no dead-letter policy): ctx.attempt stays 1, faasport cannot stop at maxAttempts ${def.source.maxAttempts}, and a failing message reaches the dead-letter topic through Pub/Sub's policy (at least ${PUBSUB_MIN_DELIVERY_ATTEMPTS} deliveries), with its payload but without the handler's error; deploy with faasport's deploy.sh (Eventarc trigger and dead-letter policy) to get both`,
        );
      }
      throw retry(operation, delivery, 'Pub/Sub redelivers it under the subscription retry policy');
    }
    const topic = names.deadLetterTopic(def.source.name);
    const applied = await applyQueueFailure(
      { policy: def.source, messageId: delivery.messageId, attempt, log: logFor(def.name), fields: { deadLetterTopic: topic } },
      {
        deadLetter: async () => {
          const letter = encodeDeadLetter(delivery, { queue: def.source.name, functionName: def.name, attempts: attempt, error });
          // Too many attributes to add faasport's: only Pub/Sub's policy can forward it, at max(5, maxAttempts).
          if (!letter) throw new Error("the message has too many attributes for faasport's dead-letter record");
          publisher ??= createPubsubTransport({ appName: app.name, ...options.pubsub }).publisher;
          await publisher.publish(topic, [letter]);
        },
        ifDeadLetterFails: "the message is nacked: faasport tries again on its next delivery, and Pub/Sub's dead-letter policy forwards it at the latest",
      },
    );
    if (applied.action === 'retry') throw retry(operation, delivery, `attempt ${attempt} of ${def.source.maxAttempts}; Pub/Sub redelivers it`);
    if (applied.returnsToQueue)
      throw retry(
        operation,
        delivery,
        "the dead-letter forward failed; Pub/Sub redelivers it and faasport forwards it on a later failing delivery (Pub/Sub's dead-letter policy at the latest)",
      );
  };

  const scheduleHandler =
    (def: ScheduleFunctionDefinition) =>
    async (event: FrameworkCloudEvent<unknown>): Promise<void> => {
      const operation = `schedule "${def.name}"`;
      const tick = failLoudly(operation, () =>
        event.type === PUBSUB_PUBLISHED_TYPE
          ? decodeSchedule({ delivery: decodePubsub(event, operation) })
          : decodeSchedule({ event: decodeCloudEvent(event, operation) }),
      );
      const outcome = await invokeSchedule(def, tick, context(def, event, { traceparent: traceOf(event) }));
      if (!outcome.ok) throw retry(operation, undefined, 'the tick is redelivered under the subscription retry policy');
    };

  const eventHandler =
    (def: EventFunctionDefinition) =>
    async (raw: FrameworkCloudEvent<unknown>): Promise<void> => {
      const operation = `event "${def.name}"`;
      const event = failLoudly(operation, () => decodeCloudEvent(raw, operation));
      if (!eventMatches(def, event)) {
        // The trigger's own filter should have kept it away; retrying cannot change the answer.
        logFor(def.name).warn("event ignored: it does not match the function's type/source filter", { type: event.type, source: event.source, id: event.id });
        return;
      }
      const outcome = await invokeEvent(def, event, context(def, raw, { traceparent: traceOf(raw) }));
      if (!outcome.ok) throw retry(operation, undefined, "Eventarc redelivers it under the trigger's retry policy");
    };

  const failLoudly = <T>(operation: string, decode: () => T): T => {
    try {
      return decode();
    } catch (error) {
      // Not retryable, but a throw keeps the event on the path that ends in a dead-letter topic.
      runtimeLog.error('event cannot be decoded', { operation, error: summariseError(error) });
      throw isFaasportError(error) ? stackless(error) : redactedError(error);
    }
  };

  for (const def of app.functions) {
    switch (def.kind) {
      case 'http': {
        const handle = httpHandler(def);
        framework.http(def.name, ((
          req: { headers?: Readonly<Record<string, string | string[] | undefined>> },
          res: { status(code: number): { end(): void } },
        ) => (isWarmupPing(req) ? res.status(204).end() : (handle as (a: unknown, b: unknown) => unknown)(req, res))) as unknown as Parameters<
          typeof framework.http
        >[1]);
        break;
      }
      case 'queue':
      case 'topic':
        framework.cloudEvent(def.name, skipWarmup(queueHandler(def)));
        break;
      case 'schedule':
        framework.cloudEvent(def.name, skipWarmup(scheduleHandler(def)));
        break;
      case 'event':
        framework.cloudEvent(def.name, skipWarmup(eventHandler(def)));
        break;
    }
    registered.push(def.name);
  }
  return { functions: registered, transport };
}

function traceOf(event: FrameworkCloudEvent<unknown>): string | undefined {
  const t = (event as { traceparent?: unknown }).traceparent;
  return typeof t === 'string' ? t : undefined;
}

/**
 * The error handed to the framework so it answers 500 (Pub/Sub and Eventarc then retry).
 * The framework logs it and, outside production, sends its message: it names the function
 * and the message, never the handler's error text or stack (those went to the function log).
 */
function retry(operation: string, delivery: PubsubDelivery | undefined, next: string): Error {
  return stackless(new Error(`${operation} failed${delivery ? ` on message ${delivery.messageId}` : ''}; ${next}`));
}

function stackless<E extends Error>(err: E): E {
  err.stack = `${err.name}: ${err.message}`;
  return err;
}

function clip(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/** A warm-up CloudEvent (type dev.faasport.warmup) is acknowledged without running user code. */
function skipWarmup<H extends (event: never) => unknown>(handler: H): H {
  return ((event: { type?: unknown }) => (isWarmupPing(event) ? undefined : handler(event as never))) as unknown as H;
}
