import { AsyncLocalStorage } from 'node:async_hooks';
import { defaultIdempotencyStore, once, type IdempotencyStore, type OnceOptions } from './idempotency.js';
import { createLogger, type LogLevel, type LogSink, type Logger } from './logger.js';
import { createTraceContext, type ParsedTraceparent, type TraceContext } from './trace.js';
import type { Context, ProviderName } from './types.js';

export interface ContextInit<Native = unknown> {
  functionName: string;
  invocationId: string;
  provider: ProviderName;
  /** Epoch ms. */
  deadline: number;
  coldStart: boolean;
  attempt?: number;
  params?: Readonly<Record<string, string>>;
  /** Called at most once, on first use of `ctx.trace` or the logger: keeps header parsing off the hot path. */
  parentTrace?: () => ParsedTraceparent | undefined;
  tracestate?: string;
  /** `messaging.system` of this invocation's message where the provider alone does not say it (Azure Service Bus). */
  messagingSystem?: string;
  /** The cloud it runs on where the provider alone does not say it (the container target: aws, gcp or azure). */
  cloud?: string;
  native: Native;
  logSink?: LogSink;
  logLevel?: LogLevel;
  /** Field paths the logger writes as "[redacted]" (the app's `log.redact`, from the function definition). */
  logRedact?: readonly string[];
  /** Where `ctx.once` records keys (default: the process-wide store, in memory unless replaced). */
  idempotencyStore?: IdempotencyStore;
}

const EMPTY_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The context object runtimes build for each invocation. Everything costly (trace ids,
 * logger, AbortController) is created on first use.
 */
export class InvocationContext<Native = unknown> implements Context<Native> {
  readonly functionName: string;
  readonly invocationId: string;
  readonly provider: ProviderName;
  readonly deadline: number;
  readonly coldStart: boolean;
  readonly attempt: number;
  readonly params: Readonly<Record<string, string>>;
  readonly native: Native;
  /** Promises passed to waitUntil, for the runtime to await. */
  readonly pending: Promise<unknown>[] = [];
  #init: ContextInit<Native>;
  #trace: TraceContext | undefined;
  /** `null` until read: the parse of the incoming trace headers happens once, when asked for. */
  #incoming: ParsedTraceparent | undefined | null = null;
  #log: Logger | undefined;
  #controller: AbortController | undefined;
  #timedOut = false;

  constructor(init: ContextInit<Native>) {
    this.#init = init;
    this.functionName = init.functionName;
    this.invocationId = init.invocationId;
    this.provider = init.provider;
    this.deadline = init.deadline;
    this.coldStart = init.coldStart;
    this.attempt = init.attempt ?? 1;
    this.params = init.params ?? EMPTY_PARAMS;
    this.native = init.native;
  }

  remainingTimeMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  get trace(): TraceContext {
    return (this.#trace ??= createTraceContext(this.incomingTrace(), this.#init.tracestate));
  }

  /** The trace context the invocation's event carried (W3C, X-Ray, X-Cloud-Trace-Context), if any. */
  incomingTrace(): (ParsedTraceparent & { readonly tracestate?: string }) | undefined {
    if (this.#incoming === null) this.#incoming = this.#init.parentTrace?.();
    const incoming = this.#incoming;
    return incoming && this.#init.tracestate ? { ...incoming, tracestate: this.#init.tracestate } : incoming;
  }

  /**
   * Makes the OpenTelemetry span opened for this invocation its trace context: logs and the
   * traceparent of sends name that span (and its trace, when it started a new one).
   */
  adoptTrace(traceId: string, spanId: string, traceFlags: number): void {
    const incoming = this.incomingTrace();
    const adopted: { -readonly [K in keyof TraceContext]: TraceContext[K] } = {
      traceId,
      spanId,
      traceFlags,
      traceparent: `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`,
    };
    if (incoming?.traceId === traceId) adopted.parentSpanId = incoming.parentSpanId;
    if (this.#init.tracestate) adopted.tracestate = this.#init.tracestate;
    this.#trace = adopted;
  }

  /** The cloud the adapter said it runs on, if the provider does not say it. */
  get cloud(): string | undefined {
    return this.#init.cloud;
  }

  /** The `messaging.system` hint the adapter gave, if any. */
  get messagingSystem(): string | undefined {
    return this.#init.messagingSystem;
  }

  get log(): Logger {
    return (this.#log ??= createLogger({
      sink: this.#init.logSink,
      level: this.#init.logLevel ?? 'info',
      base: { functionName: this.functionName, invocationId: this.invocationId, traceId: this.trace.traceId },
      ...(this.#init.logRedact ? { redact: this.#init.logRedact } : {}),
    }));
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#timedOut) this.#controller.abort(timeoutReason(this));
    }
    return this.#controller.signal;
  }

  waitUntil(promise: Promise<unknown>): void {
    // A rejected background task must not become an unhandled rejection that kills the process.
    this.pending.push(Promise.resolve(promise).catch((err: unknown) => this.log.error('waitUntil task failed', { error: err })));
  }

  once<T>(key: string, fn: () => T | Promise<T>, options?: OnceOptions): Promise<T> {
    // Keys are per function: two subscribers of one topic may use the same business key.
    return once(this.#init.idempotencyStore ?? defaultIdempotencyStore(), `${this.functionName}:${key}`, fn, {
      leaseUntil: this.deadline,
      ...options,
    });
  }

  /** Called by the runtime when the deadline passes. */
  markTimedOut(): void {
    this.#timedOut = true;
    this.#controller?.abort(timeoutReason(this));
  }

  get timedOut(): boolean {
    return this.#timedOut;
  }
}

function timeoutReason(ctx: InvocationContext<unknown>): Error {
  const err = new Error(`function "${ctx.functionName}" reached its deadline`);
  err.name = 'TimeoutError';
  return err;
}

/**
 * The invocation running in the current async scope: lets `queue.send` propagate trace
 * context. One per process, shared through a global symbol, because the CLI and the app it
 * loads may hold two copies of this module (tsx loads the app in its own namespace).
 */
export const currentInvocation: AsyncLocalStorage<InvocationContext> = ((globalThis as Record<symbol, unknown>)[Symbol.for('faasport.currentInvocation')] ??=
  new AsyncLocalStorage<InvocationContext>()) as AsyncLocalStorage<InvocationContext>;

/** A per-runtime cold-start flag: true the first time it is read, false after. */
export function createColdStartFlag(): () => boolean {
  let cold = true;
  return () => {
    if (!cold) return false;
    cold = false;
    return true;
  };
}
