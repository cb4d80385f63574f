import { randomUUID } from 'node:crypto';
import { createLogger, isFaasportError, publicErrorMessage, redactSecrets, summariseError, type App, type LogLevel, type LogSink } from 'faasport';
import { LAMBDA_MAX_PAYLOAD_BYTES } from '../runtime/limits.js';
import { toLambda } from '../runtime/to-lambda.js';
import type { LambdaContextLike, LambdaHandler } from '../runtime/types.js';

export interface LambdaInvokeApiOptions {
  /**
   * Answer as the app's routes do in production (default false: a dev server): an HTTP
   * function's 500 and a function error payload say nothing but a FaasportError's message,
   * and carry no stack trace.
   */
  production?: boolean;
  logSink?: LogSink;
  logLevel?: LogLevel;
  /** Region and account in the synthetic function ARN (defaults us-east-1, 000000000000). */
  region?: string;
  accountId?: string;
}

/** The Invoke API handler; `whenIdle()` resolves once every `Event` invocation has finished. */
export type LambdaInvokeApi = ((request: Request) => Promise<Response | undefined>) & { whenIdle(): Promise<void> };

const PLATFORM_GRACE_MS = 100;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/**
 * Serves the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) for a dev
 * server, so `@aws-sdk/client-lambda`'s InvokeCommand pointed at it runs local functions:
 * the payload is the Lambda event, run in-process through `toLambda(app)` handlers with a
 * synthetic Lambda context. `RequestResponse` answers the result (a function error sets
 * `X-Amz-Function-Error: Unhandled`), `Event` answers 202 and runs in the background,
 * `DryRun` 204. Returns undefined for any other path. The app keeps the transport the dev
 * server attached, so sends reach the local queues.
 *
 * @example
 * ```ts
 * import { createLambdaInvokeApi } from 'faasport/aws/dev';
 * const invokeApi = createLambdaInvokeApi(app);
 * const response = (await invokeApi(request)) ?? (await devServer.fetch(request));
 * ```
 */
export function createLambdaInvokeApi(app: App, options: LambdaInvokeApiOptions = {}): LambdaInvokeApi {
  let handlers: Record<string, LambdaHandler> | undefined;
  const background = new Set<Promise<unknown>>();
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? '000000000000';
  // Without a sink, failures of Event invocations (nobody awaits them) go to stdout.
  const log = createLogger({ sink: options.logSink, level: options.logLevel ?? 'info', base: { source: 'lambda-invoke-api' } });

  const api = async (request: Request): Promise<Response | undefined> => {
    const match = INVOKE_PATH.exec(new URL(request.url).pathname);
    if (!match) return undefined;
    const requestId = randomUUID();
    if (request.method !== 'POST') return awsError(405, 'InvalidRequestContentException', `Invoke takes POST, not ${request.method}`, requestId);
    const name = functionNameOf(decodeURIComponent(match[1]!));
    const def = app.getFunction(name);
    const arn = `arn:aws:lambda:${region}:${account}:function:${name}`;
    if (!def) return awsError(404, 'ResourceNotFoundException', `Function not found: ${arn}`, requestId);
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.length > LAMBDA_MAX_PAYLOAD_BYTES) {
      return awsError(
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${LAMBDA_MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        requestId,
      );
    }
    let event: unknown = {};
    if (body.length > 0) {
      try {
        event = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
      } catch {
        return awsError(400, 'InvalidRequestContentException', 'Could not parse request body into json', requestId);
      }
    }
    const type = request.headers.get('x-amz-invocation-type') ?? 'RequestResponse';
    if (type === 'DryRun') return new Response(null, { status: 204, headers: { 'x-amzn-requestid': requestId } });
    if (type !== 'RequestResponse' && type !== 'Event') {
      return awsError(400, 'InvalidParameterValueException', `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got ${type}`, requestId);
    }
    try {
      handlers ??= toLambda(app, { keepTransport: true, production: options.production ?? false, logSink: options.logSink, logLevel: options.logLevel });
    } catch (err) {
      return awsError(500, 'ServiceException', publicErrorMessage(err, options.production ?? false), requestId);
    }
    const run = runHandler(handlers[name]!, event, lambdaContext(requestId, name, arn, def.timeoutMs), def.timeoutMs, options.production ?? false);
    if (type === 'Event') {
      const task = run.then((outcome) => {
        if (!outcome.ok)
          log.error('async invocation failed', { function: name, requestId, errorType: outcome.error.errorType, errorMessage: outcome.error.errorMessage });
      });
      background.add(task);
      void task.finally(() => background.delete(task));
      return new Response(null, { status: 202, headers: { 'x-amzn-requestid': requestId } });
    }
    const outcome = await run;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
    if (!outcome.ok) {
      headers['x-amz-function-error'] = 'Unhandled';
      return new Response(JSON.stringify(outcome.error), { status: 200, headers });
    }
    return new Response(JSON.stringify(outcome.value ?? null), { status: 200, headers });
  };
  return Object.assign(api, {
    async whenIdle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  });
}

type RunOutcome = { ok: true; value: unknown } | { ok: false; error: { errorType: string; errorMessage: string; trace?: string[] } };

/**
 * Runs a handler like Lambda: a thrown error or a timeout becomes a function error payload
 * (in production without the message of an unexpected error, and never with its trace).
 */
async function runHandler(handler: LambdaHandler, event: unknown, context: LambdaContextLike, timeoutMs: number, production: boolean): Promise<RunOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<RunOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` } }),
      // The function's own deadline (ctx.signal, TIMEOUT) fires first; this is the platform's backstop.
      timeoutMs + PLATFORM_GRACE_MS,
    );
  });
  try {
    return await Promise.race([handler(event, context).then((value): RunOutcome => ({ ok: true, value })), timeout]);
  } catch (err) {
    const summary = summariseError(err);
    if (production) return { ok: false, error: { errorType: isFaasportError(err) ? summary.name : 'Error', errorMessage: publicErrorMessage(err, true) } };
    const trace = err instanceof Error && err.stack ? err.stack.split('\n').map(redactSecrets) : undefined;
    return { ok: false, error: { errorType: summary.name, errorMessage: summary.message, ...(trace ? { trace } : {}) } };
  } finally {
    clearTimeout(timer);
  }
}

function lambdaContext(awsRequestId: string, functionName: string, invokedFunctionArn: string, timeoutMs: number): LambdaContextLike {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId,
    functionName,
    invokedFunctionArn,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    callbackWaitsForEmptyEventLoop: true,
  };
}

/** `name`, `name:qualifier`, `account:function:name` or a full ARN → `name`. */
export function functionNameOf(id: string): string {
  const at = id.indexOf('function:');
  const rest = at === -1 ? id : id.slice(at + 'function:'.length);
  const colon = rest.indexOf(':');
  return colon === -1 ? rest : rest.slice(0, colon);
}

function awsError(status: number, type: string, message: string, requestId: string): Response {
  return new Response(JSON.stringify({ Type: 'User', message }), {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': requestId },
  });
}
