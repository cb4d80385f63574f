import type { OnceOptions } from './idempotency.js';
import type { Logger } from './logger.js';
import type { TraceContext } from './trace.js';

/** Which runtime is running the invocation: a built-in adapter name or a custom one. */
export type ProviderName = 'local' | 'aws' | 'azure' | 'gcp' | (string & {});

/**
 * The one context every handler receives, on every runtime.
 */
export interface Context<Native = unknown, Params = Readonly<Record<string, string>>> {
  readonly functionName: string;
  /** Unique per invocation (the platform's request / execution / invocation id). */
  readonly invocationId: string;
  readonly provider: ProviderName;
  /** Epoch milliseconds at which the platform stops the invocation. */
  readonly deadline: number;
  remainingTimeMs(): number;
  /** Aborts at the deadline; pass it to fetch and anything else that can be cancelled. */
  readonly signal: AbortSignal;
  /** True only on the first invocation in this process. */
  readonly coldStart: boolean;
  /** Delivery attempt, starting at 1; always 1 for HTTP. */
  readonly attempt: number;
  /** JSON logger bound to this invocation (functionName, invocationId, traceId on every line). */
  readonly log: Logger;
  /** W3C trace context; propagated automatically to queue and topic sends made during this invocation. */
  readonly trace: TraceContext;
  /** Route parameters (`/hello/:name` → `{ name }`); empty for non-HTTP triggers. */
  readonly params: Params;
  /** Keeps the invocation alive until `promise` settles, after the result is returned where the platform allows. */
  waitUntil(promise: Promise<unknown>): void;
  /**
   * Runs `fn` once per `key` for this function, however often the message is delivered, and
   * returns the first run's result (kept as JSON). Use it around side effects of an
   * at-least-once trigger: `await ctx.once(msg.id, () => charge(order))`.
   */
  once<T>(key: string, fn: () => T | Promise<T>, options?: OnceOptions): Promise<T>;
  /** The platform's own event and context, for what faasport does not translate. */
  readonly native: Native;
}

/** A queue or topic message, the same on every runtime. */
export interface QueueMessage<T = unknown> {
  /** The platform's message id. */
  readonly id: string;
  readonly body: T;
  /** Delivery count, starting at 1. */
  readonly attempt: number;
  readonly enqueuedAt: Date;
  /** String attributes sent with the message (user attributes; faasport's own start with `faasport-`). */
  readonly attributes: Readonly<Record<string, string>>;
  /** FIFO group / ordering key / session id, when the message has one. */
  readonly groupId?: string;
}

/** A CloudEvents 1.0 event with `data` decoded. */
export interface CloudEvent<T = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly data?: T;
  /** Extension attributes (lower-case alphanumeric names). */
  readonly [extension: string]: unknown;
}

/** One firing of a schedule. */
export interface ScheduleTick {
  /** When the tick was due. */
  readonly scheduledTime: Date;
  /** When it actually ran. */
  readonly actualTime: Date;
  /** True when the tick runs late (the platform missed its slot, or a manual catch-up). */
  readonly isPastDue: boolean;
}

/** What a dead-letter queue holds for a message that failed `maxAttempts` times. */
export interface DeadLetterEnvelope<T = unknown> {
  readonly message: {
    readonly id: string;
    readonly body: T;
    readonly attributes: Readonly<Record<string, string>>;
    readonly groupId?: string;
    readonly enqueuedAt: string;
  };
  readonly queue: string;
  readonly functionName: string;
  readonly attempts: number;
  readonly lastError: { readonly name: string; readonly message: string; readonly code?: string };
  readonly firstAttemptAt: string;
  readonly deadLetteredAt: string;
}

/** The `:param` names of one route segment; `*` for a trailing wildcard. */
type SegmentParam<Segment extends string> = Segment extends `:${infer Name}` ? Name : Segment extends '*' ? '*' : never;

/**
 * The parameter names of a route literal: `'/items/:id/tags/:tag'` → `'id' | 'tag'`, and
 * `'*'` for a trailing wildcard.
 */
export type RouteParamNames<Route extends string> = Route extends `${infer Head}/${infer Rest}`
  ? SegmentParam<Head> | RouteParamNames<Rest>
  : SegmentParam<Route>;

/**
 * `ctx.params` of an HTTP function: exactly the route's parameters, each a string. A route
 * that is not a literal (a `string` variable) gives a string record.
 *
 * @example
 * ```ts
 * import type { RouteParams } from 'faasport';
 * const params: RouteParams<'/items/:id'> = { id: '42' };
 * ```
 */
export type RouteParams<Route extends string> = string extends Route ? Readonly<Record<string, string>> : { readonly [Name in RouteParamNames<Route>]: string };

/** An HTTP handler; with a route literal, `ctx.params` has exactly the route's parameters. */
export type HttpHandler<Route extends string = string> = (request: Request, ctx: Context<unknown, RouteParams<Route>>) => Response | Promise<Response>;
export type QueueHandler<T> = (message: QueueMessage<T>, ctx: Context) => void | Promise<void>;
export type ScheduleHandler = (tick: ScheduleTick, ctx: Context) => void | Promise<void>;
export type EventHandler<T> = (event: CloudEvent<T>, ctx: Context) => void | Promise<void>;
