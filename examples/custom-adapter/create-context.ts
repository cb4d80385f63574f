import { randomUUID } from 'node:crypto';
import { InvocationContext, parseTraceparent, type CloudEvent, type FunctionDefinition, type LogLevel, type LogSink } from 'faasport';

/** What `ctx.native` holds on Knative: the request as received, and the CloudEvent for event deliveries. */
export interface KnativeNative {
  readonly trigger: 'http' | 'queue' | 'topic' | 'schedule' | 'event';
  readonly request?: Request;
  readonly headers: Headers;
  readonly event?: CloudEvent;
}

/** What every invocation of one service shares. */
export interface ContextDeps {
  readonly coldStart: () => boolean;
  readonly logSink?: LogSink;
  readonly logLevel?: LogLevel;
}

/**
 * The context for one invocation. `traceparent` is parsed only when the handler or logger
 * first reads `ctx.trace`.
 */
export function createContext(
  def: FunctionDefinition,
  deps: ContextDeps,
  native: KnativeNative,
  extra: { attempt?: number; params?: Record<string, string>; traceparent?: string | null },
): InvocationContext<KnativeNative> {
  return new InvocationContext<KnativeNative>({
    functionName: def.name,
    invocationId: randomUUID(),
    provider: 'knative',
    deadline: Date.now() + def.timeoutMs,
    coldStart: deps.coldStart(),
    attempt: extra.attempt ?? 1,
    ...(extra.params ? { params: extra.params } : {}),
    parentTrace: () => parseTraceparent(extra.traceparent),
    native,
    ...(deps.logSink ? { logSink: deps.logSink } : {}),
    ...(deps.logLevel ? { logLevel: deps.logLevel } : {}),
    ...(def.logRedact ? { logRedact: def.logRedact } : {}),
  });
}
