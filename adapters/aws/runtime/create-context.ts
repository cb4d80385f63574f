import { InvocationContext, type FunctionDefinition, type LogLevel, type LogSink, type ParsedTraceparent } from 'faasport';
import type { AwsNative, LambdaContextLike } from './types.js';

export interface ContextSettings {
  readonly logSink?: LogSink;
  readonly logLevel?: LogLevel;
}

export interface InvocationFacts {
  readonly lambdaContext: LambdaContextLike | undefined;
  /** Read once per Lambda invocation, so every message of a first batch is a cold start. */
  readonly coldStart: boolean;
  /** Epoch ms at which Lambda stops this invocation. */
  readonly deadline: number;
  readonly requestId: string;
  /** This invocation's X-Ray trace header: the context's, else `_X_AMZN_TRACE_ID` (one invocation per process). */
  readonly lambdaTrace: string | undefined;
}

/** Reads the Lambda context once per invocation: request id, deadline, cold start. */
export function invocationFacts(def: FunctionDefinition, lambdaContext: LambdaContextLike | undefined, coldStart: boolean): InvocationFacts {
  // The function's own timeoutMs, unless Lambda stops it sooner: deploy the Lambda timeout a
  // little above timeoutMs so the SDK answers (504, retry) before the platform kills it.
  const remaining =
    typeof lambdaContext?.getRemainingTimeInMillis === 'function' ? Math.min(def.timeoutMs, lambdaContext.getRemainingTimeInMillis()) : def.timeoutMs;
  // Read only when a trace is asked for: process.env lookups cost about a microsecond each.
  let lambdaTrace: string | undefined | null = null;
  return {
    lambdaContext,
    coldStart,
    deadline: Date.now() + remaining,
    // node:crypto only when Lambda gave no request id (never on Lambda): loading it costs cold start.
    requestId: lambdaContext?.awsRequestId || process.getBuiltinModule('node:crypto').randomUUID(),
    get lambdaTrace() {
      if (lambdaTrace === null)
        lambdaTrace =
          typeof lambdaContext?.xRayTraceId === 'string' && lambdaContext.xRayTraceId !== '' ? lambdaContext.xRayTraceId : process.env._X_AMZN_TRACE_ID;
      return lambdaTrace;
    },
  };
}

/** The portable context for one handler call on Lambda. */
export function createContext<E>(
  def: FunctionDefinition,
  facts: InvocationFacts,
  settings: ContextSettings,
  event: E,
  attempt: number,
  parentTrace: () => ParsedTraceparent | undefined,
  params?: Readonly<Record<string, string>>,
): InvocationContext<AwsNative<E>> {
  return new InvocationContext<AwsNative<E>>({
    functionName: def.name,
    invocationId: facts.requestId,
    provider: 'aws',
    deadline: facts.deadline,
    coldStart: facts.coldStart,
    attempt,
    params,
    parentTrace,
    native: { event, context: facts.lambdaContext },
    logSink: settings.logSink,
    logLevel: settings.logLevel,
    ...(def.logRedact ? { logRedact: def.logRedact } : {}),
  });
}
