/**
 * Test support: plays the part of the Azure Functions Node worker and host around the real
 * @azure/functions library. The worker normally injects a built-in `@azure/functions-core`
 * module by wrapping `Module.prototype.require`; without it the library runs in "test mode"
 * and drops every registration. This module provides that core API the same way, records
 * the functions the library registers (with the binding metadata it generates), and runs
 * invocations through the library's own programming model (getInvocationModel →
 * getArguments → invokeFunction → getResponse), with host-shaped gRPC input.
 *
 * Import it before the first `app.*` registration of @azure/functions in the process.
 */
import { randomUUID } from 'node:crypto';
import Module from 'node:module';

/** The host's TypedData, as protobufjs JSON (see conformance/fixtures/azure). */
export interface RpcTypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  http?: RpcHttpData;
  int?: number;
  double?: number;
}

export interface RpcHttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
  body?: RpcTypedData;
  statusCode?: string;
  cookies?: RpcHttpCookie[];
}

export interface RpcHttpCookie {
  name?: string;
  value?: string;
  domain?: { value?: string };
  path?: { value?: string };
  expires?: { value?: { seconds?: number } };
  secure?: { value?: boolean };
  httpOnly?: { value?: boolean };
  sameSite?: 'none' | 'lax' | 'strict' | 'explicitNone';
  maxAge?: { value?: number };
}

export interface RpcBindingInfo {
  type?: string;
  direction?: 'in' | 'out' | 'inout';
  [property: string]: unknown;
}

export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

export interface RegisteredFunction {
  readonly metadata: CoreFunctionMetadata;
  readonly callback: (...args: unknown[]) => unknown;
  /** The trigger binding's name and settings (`httpTrigger`, `queueTrigger`, …). */
  readonly trigger: RpcBindingInfo & { name: string };
}

/** What the host puts in an InvocationRequest. */
export interface HostInvocation {
  invocationId?: string;
  inputData: { name: string; data: RpcTypedData }[];
  triggerMetadata?: Record<string, RpcTypedData>;
  traceContext?: { traceParent?: string; traceState?: string; attributes?: Record<string, string> };
  retryContext?: { retryCount: number; maxRetryCount: number };
}

export type HostInvocationResult =
  | { ok: true; invocationId: string; returnValue: RpcTypedData | null | undefined; outputData: { name: string; data: RpcTypedData }[] }
  | { ok: false; invocationId: string; error: unknown };

/** One log line the library sent to the host (user logs carry the invocation id). */
export interface HostLog {
  readonly invocationId?: string;
  readonly level: string;
  readonly category: string;
  readonly message: string;
}

interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: object): {
    getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
    invokeFunction(context: unknown, inputs: unknown[], callback: (...args: unknown[]) => unknown): Promise<unknown>;
    getResponse(context: unknown, result: unknown): Promise<{ returnValue?: RpcTypedData | null; outputData?: { name: string; data: RpcTypedData }[] }>;
  };
}

export interface FunctionsCoreHost {
  /** The programming model @azure/functions set (`@azure/functions` + its version). */
  readonly programmingModel: { readonly name: string; readonly version: string } | undefined;
  /** System log lines the library sent outside any invocation. */
  readonly systemLogs: readonly HostLog[];
  /**
   * Starts a worker for one function app: `startup` runs the app's main module code, and
   * what it registers belongs to this worker. As in the real worker, registering outside
   * startup is an error.
   */
  load(startup: () => void): FunctionsWorker;
}

/** One worker process with its function app loaded. */
export interface FunctionsWorker {
  /** Functions registered through @azure/functions, by name. */
  readonly functions: ReadonlyMap<string, RegisteredFunction>;
  /** Log lines the library sent during invocations (user logs carry category "user"). */
  readonly logs: readonly HostLog[];
  /** Runs one invocation the way the worker does; a thrown handler error is `{ ok: false }`. */
  invoke(functionName: string, invocation: HostInvocation): Promise<HostInvocationResult>;
}

class Disposable {
  #dispose: () => void;
  constructor(dispose: () => void) {
    this.#dispose = dispose;
  }
  dispose(): void {
    this.#dispose();
  }
}

const KEY = Symbol.for('faasport.azure.functions-core-host');

/**
 * Provides `@azure/functions-core` to this process (idempotent) and returns the host that
 * records registrations and runs invocations.
 *
 * @example
 * ```ts
 * import { installFunctionsCore } from './functions-core-host.js';
 * const host = installFunctionsCore();
 * const worker = host.load(() => registerAzure(app));
 * // worker.functions.get('hello')?.trigger.type === 'httpTrigger'
 * ```
 */
export function installFunctionsCore(): FunctionsCoreHost {
  const g = globalThis as Record<symbol, FunctionsCoreHost | undefined>;
  const existing = g[KEY];
  if (existing) return existing;

  const systemLogs: HostLog[] = [];
  let model: ProgrammingModel | undefined;
  let loading: Map<string, RegisteredFunction> | undefined;

  const coreApi = {
    version: '3.10.1',
    hostVersion: '4.1037.0',
    setProgrammingModel(m: ProgrammingModel) {
      model = m;
    },
    getProgrammingModel: () => model,
    registerFunction(metadata: CoreFunctionMetadata, callback: (...args: unknown[]) => unknown) {
      const functions = loading;
      if (!functions) throw new Error('A function can only be registered during app startup.');
      const entry = Object.entries(metadata.bindings).find(([, b]) => /trigger$/i.test(b.type ?? ''));
      if (!entry) throw new Error(`function "${metadata.name}" has no trigger binding`);
      if (functions.has(metadata.name)) throw new Error(`function "${metadata.name}" is registered twice`);
      functions.set(metadata.name, { metadata, callback, trigger: { ...entry[1], name: entry[0] } });
      return new Disposable(() => functions.delete(metadata.name));
    },
    registerHook(_name: string, _callback: unknown) {
      return new Disposable(() => undefined);
    },
    log(level: string, category: string, message: string) {
      systemLogs.push({ level, category, message });
    },
    Disposable,
  };

  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: [string]) {
      return args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args);
    },
  });

  const worker = (functions: Map<string, RegisteredFunction>): FunctionsWorker => {
    const logs: HostLog[] = [];
    return {
      functions,
      logs,
      async invoke(functionName, invocation) {
        const fn = functions.get(functionName);
        if (!fn) throw new Error(`Function code for '${functionName}' is not loaded and cannot be invoked.`);
        if (!model) throw new Error('no programming model was set');
        const invocationId = invocation.invocationId ?? randomUUID();
        const request = { invocationId, functionId: functionName, ...invocation };
        const coreCtx: {
          invocationId: string;
          request: object;
          metadata: CoreFunctionMetadata;
          state?: string;
          log: (l: string, c: string, m: string) => void;
        } = {
          invocationId,
          request,
          metadata: fn.metadata,
          state: undefined,
          log: (level, category, message) => logs.push({ invocationId, level, category, message }),
        };
        const invocationModel = model.getInvocationModel(coreCtx);
        const { context, inputs } = await invocationModel.getArguments();
        let result: unknown;
        coreCtx.state = 'invocation';
        try {
          result = await invocationModel.invokeFunction(context, inputs, fn.callback);
        } catch (error) {
          return { ok: false, invocationId, error };
        } finally {
          coreCtx.state = undefined;
        }
        const response = await invocationModel.getResponse(context, result);
        return { ok: true, invocationId, returnValue: response.returnValue, outputData: response.outputData ?? [] };
      },
    };
  };

  const host: FunctionsCoreHost = {
    get programmingModel() {
      return model && { name: model.name, version: model.version };
    },
    systemLogs,
    load(startup) {
      const functions = new Map<string, RegisteredFunction>();
      loading = functions;
      try {
        startup();
      } finally {
        loading = undefined;
      }
      return worker(functions);
    },
  };
  g[KEY] = host;
  return host;
}
