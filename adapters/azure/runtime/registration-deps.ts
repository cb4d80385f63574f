import type azureFunctions from '@azure/functions';
import type { InvocationContext as AzureInvocationContext } from '@azure/functions';
import { InvocationContext, parseTraceparent, type FunctionDefinition, type LogLevel, type LogSink } from 'faasport';
import { safeStringify, type ProxyTrust } from 'faasport/adapter-kit';
import type { AzureProducer } from './producer.js';

/** What a faasport function sees as `ctx.native` on Azure. */
export interface AzureNative {
  /** The library's InvocationContext (trigger metadata, retry and trace context, extra bindings). */
  readonly context: AzureInvocationContext;
  /** The trigger input as the library handed it over. */
  readonly trigger: unknown;
}

/** The registration calls of @azure/functions' `app` that faasport uses. */
export type AzureFunctionsApp = Pick<typeof azureFunctions.app, 'http' | 'storageQueue' | 'serviceBusQueue' | 'serviceBusTopic' | 'timer' | 'eventGrid'>;

/** What every registration shares within one `registerAzure` call (one process), resolved once from its options. */
export interface RegistrationDeps {
  /** Where functions are registered. */
  readonly host: AzureFunctionsApp;
  readonly producer: AzureProducer;
  /** Production error bodies (no stacks, no internal messages). */
  readonly production: boolean;
  /** Proxies whose X-Forwarded-For is believed for `clientAddress(req)`. */
  readonly trustProxy: ProxyTrust | undefined;
  /** App setting with the Storage connection of queue triggers. */
  readonly storageConnection: string;
  /** Queue and topic names that run on Service Bus instead of Storage queues. */
  readonly serviceBusQueues: ReadonlySet<string>;
  readonly serviceBusTopics: ReadonlySet<string>;
  /** App setting with the Service Bus connection of those triggers. */
  readonly serviceBusConnection: string;
  /** True the first time it is called in this process. */
  readonly coldStart: () => boolean;
  readonly logLevel: LogLevel | undefined;
}

/** What a trigger knows about an invocation beyond the host's own context. */
export interface InvocationExtras {
  attempt?: number;
  params?: Record<string, string>;
  traceparent?: string | null;
  messagingSystem?: string;
}

/** The faasport context of one invocation: the host's invocation id, trace context and log methods. */
export function createContext(
  def: FunctionDefinition,
  azure: AzureInvocationContext,
  trigger: unknown,
  extra: InvocationExtras,
  deps: RegistrationDeps,
): InvocationContext<AzureNative> {
  return new InvocationContext<AzureNative>({
    functionName: def.name,
    invocationId: azure.invocationId,
    provider: 'azure',
    deadline: Date.now() + def.timeoutMs,
    coldStart: deps.coldStart(),
    attempt: extra.attempt ?? 1,
    ...(extra.params ? { params: extra.params } : {}),
    // Parsed only when asked for; a missing or malformed one falls back to the host's trace context.
    parentTrace: () => parseTraceparent(extra.traceparent) ?? parseTraceparent(azure.traceContext?.traceParent),
    ...(azure.traceContext?.traceState ? { tracestate: azure.traceContext.traceState } : {}),
    ...(extra.messagingSystem ? { messagingSystem: extra.messagingSystem } : {}),
    native: { context: azure, trigger },
    logSink: azureLogSink(azure),
    ...(deps.logLevel ? { logLevel: deps.logLevel } : {}),
    ...(def.logRedact ? { logRedact: def.logRedact } : {}),
  });
}

/** Log records go through the invocation's own log methods, so the host tags them with the invocation. */
function azureLogSink(azure: AzureInvocationContext): LogSink {
  return (record) => {
    const line = safeStringify(record);
    if (record.level === 'error') azure.error(line);
    else if (record.level === 'warn') azure.warn(line);
    else if (record.level === 'debug') azure.debug(line);
    else azure.info(line);
  };
}
