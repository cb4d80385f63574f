import { currentInvocation, type InvocationContext } from './context.js';
import type {
  EventFunctionDefinition,
  FunctionDefinition,
  HttpFunctionDefinition,
  QueueDefinition,
  QueueFunctionDefinition,
  ScheduleFunctionDefinition,
} from './definitions.js';
import { backoffDelay } from './backoff.js';
import { FaasportError, isFaasportError, safeStack, summariseError } from './errors.js';
import { startEventSpan, startHttpSpan, startMessageSpan, startScheduleSpan, type InvocationSpan } from './otel-spans.js';
import type { CloudEvent, DeadLetterEnvelope, QueueMessage, ScheduleTick } from './types.js';

/** Settles to the handler's value, or rejects with TIMEOUT at the context's deadline (aborting ctx.signal). */
export function runInvocation<R>(ctx: InvocationContext, fn: () => R | Promise<R>): Promise<R> {
  try {
    return Promise.resolve(startInvocation(ctx, fn));
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

/**
 * Runs the handler in the invocation's scope. A handler that answers synchronously gets its
 * value back as is (it could not have been stopped at the deadline anyway, and needs no timer
 * or promise); one that answers with a promise races the deadline. Throws what a synchronous
 * handler throws.
 */
function startInvocation<R>(ctx: InvocationContext, fn: () => R | Promise<R>): R | Promise<R> {
  const result = currentInvocation.run(ctx, fn);
  if (!isThenable(result)) return result;
  const remaining = ctx.deadline - Date.now();
  if (!(remaining < 2_147_483_647)) return result;
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        ctx.markTimedOut();
        reject(
          new FaasportError('TIMEOUT', `function "${ctx.functionName}" timed out after its deadline; raise timeoutMs or finish sooner (watch ctx.signal)`, {
            status: 504,
          }),
        );
      },
      Math.max(0, remaining),
    );
    result.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export interface HttpInvokeOptions {
  /** Hide error messages of unexpected errors and never include stacks. */
  production: boolean;
}

/** Runs an HTTP function; every failure becomes a JSON error response, never a crash. */
export async function invokeHttp(def: HttpFunctionDefinition, request: Request, ctx: InvocationContext, options: HttpInvokeOptions): Promise<Response> {
  const span = startHttpSpan(def, request, ctx);
  let response: Response;
  try {
    const result = await runInvocation(ctx, span ? () => span.run(() => def.handler(request, ctx)) : () => def.handler(request, ctx));
    if (!(result instanceof Response)) {
      throw new FaasportError(
        'HANDLER_RESULT_INVALID',
        `http "${def.name}": handler returned ${result === null ? 'null' : typeof result}; return a Response (e.g. Response.json(data))`,
      );
    }
    response = result;
  } catch (err) {
    span?.recordError(err);
    response = errorResponse(err, ctx, options.production);
  }
  span?.endHttp(response.status);
  return response;
}

/**
 * The JSON error answer for an HTTP failure. In production, unexpected errors say only
 * "Internal Server Error"; stacks are never sent in production.
 */
export function errorResponse(err: unknown, ctx: InvocationContext | undefined, production: boolean): Response {
  const known = isFaasportError(err);
  const status = known && err.status && err.status >= 400 && err.status <= 599 ? err.status : known && err.code === 'TIMEOUT' ? 504 : 500;
  const summary = summariseError(err);
  ctx?.log.error('handler failed', production ? { error: summary } : { error: summary, stack: err instanceof Error ? safeStack(err) : undefined });
  const body: Record<string, unknown> = {
    error: publicErrorMessage(err, production),
  };
  if (known) body.code = err.code;
  if (ctx) body.invocationId = ctx.invocationId;
  if (!production && err instanceof Error && err.stack) body.stack = safeStack(err);
  return Response.json(body, { status });
}

const INTERNAL_ERROR = 'Internal Server Error';

/**
 * What an answer may say about a failure: its message, or in production only a FaasportError's
 * (anything else may carry what the handler held). The rule `errorResponse` applies, for
 * answers of another shape (the dev API, the Lambda Invoke API).
 *
 * @example
 * ```ts
 * import { publicErrorMessage } from 'faasport';
 * publicErrorMessage(new Error('db password rejected'), true); // 'Internal Server Error'
 * ```
 */
export function publicErrorMessage(err: unknown, production: boolean): string {
  return production && !isFaasportError(err) ? INTERNAL_ERROR : summariseError(err).message;
}

export type Outcome = { ok: true } | { ok: false; error: unknown };

const OK: Outcome = Object.freeze({ ok: true });

const SETTLED_OK: Promise<Outcome> = Promise.resolve(OK);

/**
 * True when `outcome` (from an invoke function) is already known to be ok: the handler
 * answered synchronously and passed nothing to waitUntil. A caller running many messages can
 * then skip awaiting it.
 */
export function settledOk(outcome: Promise<Outcome>): boolean {
  return outcome === SETTLED_OK;
}

/** What a failed message's span says besides the error: the dead letter, when this attempt was the last. */
interface SpanMessage {
  readonly queue: QueueDefinition;
  readonly attempt: number;
}

/**
 * The handler's outcome; a synchronous handler with nothing passed to waitUntil costs no extra
 * promise. The span, when tracing is on, ends once the handler and its waitUntil work settled.
 */
function settle(ctx: InvocationContext, fn: () => unknown, span: InvocationSpan | undefined, message?: SpanMessage): Promise<Outcome> {
  let result: unknown;
  try {
    result = startInvocation(ctx, span ? () => span.run(fn) : fn);
  } catch (error) {
    return Promise.resolve(failed(ctx, error, span, message));
  }
  if (!isThenable(result) && ctx.pending.length === 0) {
    span?.end();
    return SETTLED_OK;
  }
  return finish(ctx, result, span, message);
}

async function finish(ctx: InvocationContext, result: unknown, span: InvocationSpan | undefined, message: SpanMessage | undefined): Promise<Outcome> {
  try {
    await result;
    if (ctx.pending.length > 0) await Promise.all(ctx.pending);
    span?.end();
    return OK;
  } catch (error) {
    return failed(ctx, error, span, message);
  }
}

function failed(ctx: InvocationContext, error: unknown, span?: InvocationSpan, message?: SpanMessage): Outcome {
  ctx.log.error('handler failed', { error: summariseError(error), attempt: ctx.attempt });
  if (span) {
    span.fail(error);
    // The adapters dead-letter on this same rule (decideFailure) once the span has ended.
    if (message && decideFailure(message.queue, message.attempt).action === 'dead-letter') {
      span.event('faasport.dead_letter', { 'messaging.destination.name': message.queue.name, 'faasport.message.attempt': message.attempt });
    }
    span.end();
  }
  return { ok: false, error };
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export function invokeQueueMessage(def: QueueFunctionDefinition, message: QueueMessage<unknown>, ctx: InvocationContext): Promise<Outcome> {
  const span = startMessageSpan(def, message, ctx);
  return settle(ctx, () => def.handler(message, ctx), span, span && { queue: def.source, attempt: message.attempt });
}

export function invokeSchedule(def: ScheduleFunctionDefinition, tick: ScheduleTick, ctx: InvocationContext): Promise<Outcome> {
  return settle(ctx, () => def.handler(tick, ctx), startScheduleSpan(def, tick, ctx));
}

export function invokeEvent(def: EventFunctionDefinition, event: CloudEvent<unknown>, ctx: InvocationContext): Promise<Outcome> {
  return settle(ctx, () => def.handler(event, ctx), startEventSpan(def, event, ctx));
}

export type FailureDecision = { action: 'retry'; delayMs: number } | { action: 'dead-letter' } | { action: 'discard' };

/**
 * What to do after the `attempt`-th failed delivery: retry after a jittered backoff,
 * dead-letter, or (only when the queue has deadLetter: false) discard with an error log.
 */
export function decideFailure(queue: Pick<QueueDefinition, 'maxAttempts' | 'backoff' | 'deadLetter'>, attempt: number, random?: () => number): FailureDecision {
  if (attempt < queue.maxAttempts) return { action: 'retry', delayMs: backoffDelay(queue.backoff, attempt, random) };
  return queue.deadLetter ? { action: 'dead-letter' } : { action: 'discard' };
}

/** The dead-letter envelope, the same on every runtime. Carries the payload; never a stack. */
export function toDeadLetterEnvelope<T>(
  fn: Pick<FunctionDefinition, 'name'>,
  queueName: string,
  message: QueueMessage<T>,
  attempts: number,
  lastError: unknown,
  firstAttemptAt: Date,
  now: Date = new Date(),
): DeadLetterEnvelope<T> {
  const m: DeadLetterEnvelope<T>['message'] = {
    id: message.id,
    body: message.body,
    attributes: message.attributes,
    enqueuedAt: message.enqueuedAt.toISOString(),
    ...(message.groupId !== undefined ? { groupId: message.groupId } : {}),
  };
  return {
    message: m,
    queue: queueName,
    functionName: fn.name,
    attempts,
    lastError: summariseError(lastError),
    firstAttemptAt: firstAttemptAt.toISOString(),
    deadLetteredAt: now.toISOString(),
  };
}
