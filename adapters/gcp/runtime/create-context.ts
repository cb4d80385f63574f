import { randomUUID } from 'node:crypto';
import { InvocationContext, parseCloudTraceContext, parseTraceparent, type FunctionDefinition, type LogLevel, type LogSink } from 'faasport';
import type { FrameworkCloudEvent, FrameworkRequest, FrameworkResponse } from './framework.js';

/** What `ctx.native` holds on Google Cloud Functions. */
export interface GcpNative {
  readonly trigger: 'http' | 'queue' | 'topic' | 'schedule' | 'event';
  /** The framework's Express request and response (HTTP functions). */
  readonly request?: FrameworkRequest;
  readonly response?: FrameworkResponse;
  /** The CloudEvent as the framework parsed it (every other trigger). */
  readonly event?: FrameworkCloudEvent<unknown>;
}

export interface GcpContextInit {
  readonly def: FunctionDefinition;
  readonly native: GcpNative;
  readonly coldStart: boolean;
  /** The framework's execution id (the `function-execution-id` header, or one it generated). */
  readonly executionId: string | undefined;
  readonly attempt?: number;
  readonly params?: Readonly<Record<string, string>>;
  /** W3C `traceparent` (header, CloudEvent extension or message attribute). */
  readonly traceparent?: string | undefined;
  /** Google's `X-Cloud-Trace-Context`, used when there is no traceparent. */
  readonly cloudTraceContext?: string | undefined;
  readonly logSink: LogSink | undefined;
  readonly logLevel: LogLevel | undefined;
}

/** The invocation context for one Cloud Functions request: the deadline is the function's own timeout from now. */
export function createGcpContext(init: GcpContextInit): InvocationContext<GcpNative> {
  return new InvocationContext<GcpNative>({
    functionName: init.def.name,
    invocationId: init.executionId || randomUUID(),
    provider: 'gcp',
    deadline: Date.now() + init.def.timeoutMs,
    coldStart: init.coldStart,
    attempt: init.attempt ?? 1,
    ...(init.params ? { params: init.params } : {}),
    parentTrace: () => parseTraceparent(init.traceparent) ?? parseCloudTraceContext(init.cloudTraceContext),
    native: init.native,
    ...(init.logSink ? { logSink: init.logSink } : {}),
    ...(init.logLevel ? { logLevel: init.logLevel } : {}),
    ...(init.def.logRedact ? { logRedact: init.def.logRedact } : {}),
  });
}
