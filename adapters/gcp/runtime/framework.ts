import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CloudEvent as FrameworkCloudEvent, Request as FrameworkRequest, Response as FrameworkResponse } from '@google-cloud/functions-framework';
import { FaasportError } from 'faasport';

export type { FrameworkCloudEvent, FrameworkRequest, FrameworkResponse };

/** The part of `@google-cloud/functions-framework` faasport registers functions with. */
export interface FunctionsFramework {
  http(name: string, handler: (req: FrameworkRequest, res: FrameworkResponse) => unknown): void;
  cloudEvent(name: string, handler: (event: FrameworkCloudEvent<unknown>) => unknown): void;
}

// createRequire, not import: the framework is an optional peer, loaded only when a function
// is registered, and the CLI that serves the bundle must see the same registry instance.
const PACKAGE = '@google-cloud/functions-framework';

/** `require` from this module's location, made when called (no work when the module loads). */
function requireHere(id: string): unknown {
  return createRequire(import.meta.url)(id);
}

/** The framework's own folder, where its internal modules are. */
function frameworkDir(): string {
  return dirname(createRequire(import.meta.url).resolve(PACKAGE));
}

let framework: FunctionsFramework | undefined;

/** Loads the Functions Framework the process runs under (throws CONFIG_INVALID naming the fix when absent). */
export function loadFramework(): FunctionsFramework {
  if (framework) return framework;
  try {
    framework = requireHere(PACKAGE) as FunctionsFramework;
  } catch (err) {
    throw new FaasportError('CONFIG_INVALID', `registerGcp: cannot load ${PACKAGE}; add it to the function's dependencies (npm install ${PACKAGE})`, {
      cause: err,
    });
  }
  carryBinaryContentType();
  return framework;
}

interface BinaryModeRequest {
  header(name: string): string | undefined;
}
type BinaryContext = (req: BinaryModeRequest) => Record<string, unknown>;
const CARRIES_CONTENT_TYPE = Symbol.for('faasport.carriesContentType');

/**
 * Makes the framework's binary-mode CloudEvent carry the request's `Content-Type` as its
 * `datacontenttype`, as the CloudEvents HTTP binding maps it. The framework builds the event
 * from the `ce-*` headers only (`getBinaryCloudEventContext` in its internal `cloud_events`
 * module, which its function wrapper reads at each call) and hands a CloudEvent function
 * nothing else of the request, so the type is added there. Returns false when that module is
 * missing or has changed shape; decodeCloudEvent then names the type the body shows.
 */
export function carryBinaryContentType(): boolean {
  let mod: { getBinaryCloudEventContext?: unknown };
  try {
    mod = requireHere(join(frameworkDir(), 'cloud_events.js')) as typeof mod;
  } catch {
    return false;
  }
  const original = mod.getBinaryCloudEventContext;
  if (typeof original !== 'function') return false;
  if ((original as { [CARRIES_CONTENT_TYPE]?: boolean })[CARRIES_CONTENT_TYPE]) return true;
  const carrying: BinaryContext = (req) => {
    const context = (original as BinaryContext)(req);
    const type = typeof req?.header === 'function' ? req.header('content-type') : undefined;
    // The body is read as its Content-Type says; a ce-datacontenttype header (not a binary-mode attribute) does not override it.
    if (typeof context === 'object' && context !== null && typeof type === 'string' && type !== '') context.datacontenttype = type;
    return context;
  };
  Object.defineProperty(carrying, CARRIES_CONTENT_TYPE, { value: true });
  try {
    mod.getBinaryCloudEventContext = carrying;
  } catch {
    return false;
  }
  return mod.getBinaryCloudEventContext === carrying;
}

interface ExecutionContextStore {
  executionId?: string;
  spanId?: string;
}

let currentContext: (() => ExecutionContextStore | undefined) | null | undefined;

/**
 * The framework's own per-request store (execution id from the `function-execution-id`
 * header, or one it generated; Cloud Trace span id). A CloudEvent function never sees the
 * request, so this is the only way to learn them. The store is internal to the framework:
 * when it is missing or changes shape, callers fall back to ids of their own.
 */
export function frameworkExecutionContext(): ExecutionContextStore | undefined {
  if (currentContext === undefined) {
    currentContext = null;
    try {
      const mod = requireHere(join(frameworkDir(), 'async_local_storage.js')) as { getCurrentContext?: unknown };
      if (typeof mod.getCurrentContext === 'function') currentContext = mod.getCurrentContext as () => ExecutionContextStore | undefined;
    } catch {
      /* an older or newer framework without the module: no execution id from it */
    }
  }
  return currentContext ? currentContext() : undefined;
}
