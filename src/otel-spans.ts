import type { Attributes, Context as OtelContext, Link, Span, SpanContext } from '@opentelemetry/api';
import { currentInvocation, type InvocationContext } from './context.js';
import type { EventFunctionDefinition, HttpFunctionDefinition, QueueDefinition, QueueFunctionDefinition, ScheduleFunctionDefinition } from './definitions.js';
import { safeStack, summariseError, type ErrorSummary } from './errors.js';
import { activeTracer, type ActiveTracer, type OtelApiModule } from './otel-api.js';
import { TRACEPARENT_ATTRIBUTE, type OutgoingMessage, type SendResult } from './transport.js';
import type { CloudEvent, QueueMessage, ScheduleTick } from './types.js';

// Attribute names from the OpenTelemetry semantic conventions: HTTP (stable), FaaS, cloud and
// messaging. Values that the conventions list are used as listed (`aws_sqs`, `gcp_pubsub`,
// `servicebus`, `pubsub`, `timer`); attributes they do not define are namespaced `faasport.*`,
// and systems they do not name are `azure_storage_queue` and `faasport_<runtime>`.

/**
 * One invocation's span. Adapters never see it: `invokeHttp`, `invokeQueueMessage`,
 * `invokeSchedule` and `invokeEvent` open and close it when a tracer is active.
 */
export class InvocationSpan {
  readonly #api: OtelApiModule;
  readonly #span: Span;
  readonly #context: OtelContext;

  constructor(api: OtelApiModule, span: Span, context: OtelContext) {
    this.#api = api;
    this.#span = span;
    this.#context = context;
  }

  /** Runs `fn` with this span active, so spans the handler starts (and its sends) are its children. */
  run<R>(fn: () => R): R {
    return this.#api.context.with(this.#context, fn);
  }

  /** Records the error that failed the invocation: an `exception` event and status ERROR. */
  fail(error: unknown): void {
    recordFailure(this.#api, this.#span, error);
  }

  /** Records the exception only: an HTTP span's status follows the answer's status code. */
  recordError(error: unknown): void {
    recordException(this.#span, error);
  }

  /** Adds an event such as `faasport.dead_letter`. */
  event(name: string, attributes: Attributes): void {
    this.#span.addEvent(name, attributes);
  }

  /** Ends an HTTP span with the answer's status: 5xx is an error, 4xx is the client's (left unset). */
  endHttp(status: number): void {
    this.#span.setAttribute('http.response.status_code', status);
    if (status >= 500) {
      this.#span.setAttribute('error.type', String(status));
      this.#span.setStatus({ code: this.#api.SpanStatusCode.ERROR });
    }
    this.#span.end();
  }

  end(): void {
    this.#span.end();
  }
}

/** Keeps the invocation's span reachable from its faasport context (for PRODUCER spans' parents). */
const spans = new WeakMap<InvocationContext, OtelContext>();

/** A SERVER span per HTTP invocation: `POST /checkout`, with the stable HTTP server attributes. */
export function startHttpSpan(def: HttpFunctionDefinition, request: Request, ctx: InvocationContext): InvocationSpan | undefined {
  const active = activeTracer();
  if (!active) return undefined;
  const { api } = active;
  const url = parseUrl(request.url);
  const attributes = faasAttributes(ctx, 'http');
  attributes['http.request.method'] = request.method;
  attributes['http.route'] = def.route.route;
  if (url) {
    attributes['url.path'] = url.pathname;
    attributes['url.scheme'] = url.protocol.slice(0, -1);
  }
  // No url.query: query strings carry tokens and signatures, and spans leave the process.
  const userAgent = request.headers.get('user-agent');
  if (userAgent) attributes['user_agent.original'] = userAgent;
  // An instrumentation that already opened a span for this request (the ADOT Lambda wrapper,
  // an HTTP server instrumentation) is the parent; else the trace the request carried.
  const parent = api.trace.getSpan(api.context.active()) ? api.context.active() : remoteParent(api, ctx);
  return start(active, ctx, `${request.method} ${def.route.route}`, api.SpanKind.SERVER, attributes, parent);
}

/**
 * A CONSUMER span per queue or topic message (`process orders`), child of the PRODUCER span
 * whose context the message carries, and linked to it as the messaging conventions ask (a
 * batch of messages is then one span per message, each linked to its own sender).
 */
export function startMessageSpan(def: QueueFunctionDefinition, message: QueueMessage<unknown>, ctx: InvocationContext): InvocationSpan | undefined {
  const active = activeTracer();
  if (!active) return undefined;
  const { api } = active;
  const system = messagingSystem(ctx.provider, def.kind, ctx.messagingSystem);
  const attributes = faasAttributes(ctx, 'pubsub');
  attributes['messaging.system'] = system;
  attributes['messaging.operation.type'] = 'process';
  attributes['messaging.operation.name'] = 'process';
  attributes['messaging.destination.name'] = def.source.name;
  attributes['messaging.message.id'] = message.id;
  if (def.kind === 'topic') attributes['messaging.destination.subscription.name'] = def.name;
  if (message.groupId !== undefined) attributes['faasport.message.group_id'] = message.groupId;
  attributes['faasport.message.attempt'] = message.attempt;
  if (system === 'gcp_pubsub') attributes['messaging.gcp_pubsub.message.delivery_attempt'] = message.attempt;
  else if (system === 'servicebus') attributes['messaging.servicebus.message.delivery_count'] = message.attempt;
  const parent = remoteParent(api, ctx);
  const link = api.trace.getSpanContext(parent);
  return start(active, ctx, `process ${def.source.name}`, api.SpanKind.CONSUMER, attributes, parent, link ? [{ context: link }] : undefined);
}

/** A span per schedule tick: `faas.trigger` timer, the cron and the scheduled time. */
export function startScheduleSpan(def: ScheduleFunctionDefinition, tick: ScheduleTick, ctx: InvocationContext): InvocationSpan | undefined {
  const active = activeTracer();
  if (!active) return undefined;
  const attributes = faasAttributes(ctx, 'timer');
  if (def.cron !== undefined) attributes['faas.cron'] = def.cron;
  attributes['faas.time'] = tick.scheduledTime.toISOString();
  attributes['faasport.schedule.past_due'] = tick.isPastDue;
  const parent = active.api.trace.getSpan(active.api.context.active()) ? active.api.context.active() : remoteParent(active.api, ctx);
  return start(active, ctx, def.name, active.api.SpanKind.SERVER, attributes, parent);
}

/** A CONSUMER span per CloudEvent: `datasource` for storage notifications, `pubsub` otherwise. */
export function startEventSpan(def: EventFunctionDefinition, event: CloudEvent<unknown>, ctx: InvocationContext): InvocationSpan | undefined {
  const active = activeTracer();
  if (!active) return undefined;
  const { api } = active;
  const attributes = faasAttributes(ctx, STORAGE_EVENT.test(event.type) ? 'datasource' : 'pubsub');
  attributes['cloudevents.event_id'] = event.id;
  attributes['cloudevents.event_source'] = event.source;
  attributes['cloudevents.event_type'] = event.type;
  if (event.subject !== undefined) attributes['cloudevents.event_subject'] = event.subject;
  attributes['faasport.message.attempt'] = ctx.attempt;
  const parent = remoteParent(api, ctx);
  const link = api.trace.getSpanContext(parent);
  return start(active, ctx, def.name, api.SpanKind.CONSUMER, attributes, parent, link ? [{ context: link }] : undefined);
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

const STORAGE_EVENT = /storage|s3|blob|object|firestore|dynamodb/i;

/**
 * Runs `send` (the transport's send or publish of `messages`) inside a PRODUCER span, and
 * gives each message that carries trace context the PRODUCER span's context instead, so the
 * consumer's span is its child. Without a tracer it only calls `send`.
 */
export function traceProducer(
  operation: 'send' | 'publish',
  destination: QueueDefinition,
  provider: string,
  messages: readonly OutgoingMessage[],
  send: () => Promise<SendResult[]>,
): Promise<SendResult[]> {
  const active = activeTracer();
  if (!active) return send();
  const { api, tracer } = active;
  const attributes: Attributes = {
    'messaging.system': messagingSystem(provider, destination.kind),
    'messaging.operation.type': 'send',
    'messaging.operation.name': operation,
    'messaging.destination.name': destination.name,
  };
  if (messages.length > 1) attributes['messaging.batch.message_count'] = messages.length;
  const parent = producerParent(api);
  const span = tracer.startSpan(`${operation} ${destination.name}`, { kind: api.SpanKind.PRODUCER, attributes }, parent);
  const sc = span.spanContext();
  if (api.isSpanContextValid(sc)) {
    const traceparent = `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
    // Same length as the invocation's traceparent it replaces: the size already checked holds.
    for (const m of messages) if (TRACEPARENT_ATTRIBUTE in m.attributes) (m.attributes as Record<string, string>)[TRACEPARENT_ATTRIBUTE] = traceparent;
  }
  let sending: Promise<SendResult[]>;
  try {
    sending = api.context.with(api.trace.setSpan(parent, span), send);
  } catch (error) {
    sending = Promise.reject(error);
  }
  return sending.then(
    (results) => {
      if (results.length === 1 && results[0]) span.setAttribute('messaging.message.id', results[0].id);
      span.end();
      return results;
    },
    (error: unknown) => {
      recordFailure(api, span, error);
      span.end();
      throw error;
    },
  );
}

function start(
  { api, tracer }: ActiveTracer,
  ctx: InvocationContext,
  name: string,
  kind: number,
  attributes: Attributes,
  parent: OtelContext,
  links?: Link[],
): InvocationSpan {
  const span = tracer.startSpan(name, { kind, attributes, ...(links ? { links } : {}) }, parent);
  const sc = span.spanContext();
  // The span is this invocation's: logs and propagated traceparents name it from now on.
  if (api.isSpanContextValid(sc)) ctx.adoptTrace(sc.traceId, sc.spanId, sc.traceFlags);
  const context = api.trace.setSpan(parent, span);
  spans.set(ctx, context);
  return new InvocationSpan(api, span, context);
}

/** The trace the invocation's event carried (W3C, else X-Ray or X-Cloud-Trace-Context), as a remote parent. */
function remoteParent(api: OtelApiModule, ctx: InvocationContext): OtelContext {
  const incoming = ctx.incomingTrace();
  if (!incoming) return api.ROOT_CONTEXT;
  const parent: SpanContext = { traceId: incoming.traceId, spanId: incoming.parentSpanId, traceFlags: incoming.traceFlags, isRemote: true };
  if (incoming.tracestate) parent.traceState = api.createTraceState(incoming.tracestate);
  return api.trace.setSpanContext(api.ROOT_CONTEXT, parent);
}

/** A send's parent: the span active where it is made (a handler's own span), else the invocation's. */
function producerParent(api: OtelApiModule): OtelContext {
  const active = api.context.active();
  if (api.trace.getSpan(active)) return active;
  const invocation = currentInvocation.getStore();
  return (invocation && spans.get(invocation)) ?? active;
}

function faasAttributes(ctx: InvocationContext, trigger: 'http' | 'pubsub' | 'timer' | 'datasource'): Attributes {
  const attributes: Attributes = {
    'faas.trigger': trigger,
    'faas.name': ctx.functionName,
    'faas.invocation_id': ctx.invocationId,
    'faas.coldstart': ctx.coldStart,
  };
  const cloud = CLOUDS[ctx.provider] ?? (ctx.cloud !== undefined ? CLOUDS[ctx.cloud] : undefined);
  if (cloud) {
    attributes['cloud.provider'] = cloud;
    const region = cloudRegion();
    if (region) attributes['cloud.region'] = region;
  }
  return attributes;
}

const CLOUDS: Readonly<Record<string, string>> = { aws: 'aws', azure: 'azure', gcp: 'gcp' };

let region: string | undefined | null = null;

/** Where the platform says the function runs: Lambda's AWS_REGION, Azure's REGION_NAME, Cloud Functions' FUNCTION_REGION. */
function cloudRegion(): string | undefined {
  if (region === null)
    region = process.env.AWS_REGION || process.env.REGION_NAME || process.env.FUNCTION_REGION || process.env.GOOGLE_CLOUD_REGION || undefined;
  return region;
}

/**
 * `messaging.system` for a queue or topic on `provider`: the conventions' names where they
 * have one (`aws_sqs`, `aws.sns`, `servicebus`, `gcp_pubsub`), else a `faasport_*` name.
 */
export function messagingSystem(provider: string, kind: 'queue' | 'topic', hint?: string): string {
  if (hint) return hint;
  switch (provider) {
    case 'aws':
      return kind === 'queue' ? 'aws_sqs' : 'aws.sns';
    case 'gcp':
      return 'gcp_pubsub';
    case 'azure':
      return 'azure_storage_queue';
    default:
      return `faasport_${provider}`;
  }
}

function recordFailure(api: OtelApiModule, span: Span, error: unknown): void {
  const summary = recordException(span, error);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: summary.message });
}

function recordException(span: Span, error: unknown): ErrorSummary {
  // The same redaction as logs: no environment secret reaches an exporter.
  const summary = summariseError(error);
  const stack = error instanceof Error ? safeStack(error) : undefined;
  span.recordException({
    name: summary.name,
    message: summary.message,
    ...(summary.code ? { code: summary.code } : {}),
    ...(stack ? { stack: stack.join('\n') } : {}),
  });
  span.setAttribute('error.type', summary.code ?? summary.name);
  return summary;
}
