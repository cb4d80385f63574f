import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

/** The `@opentelemetry/api` module, as faasport uses it. */
export type OtelApiModule = typeof OtelApi;

/** The tracer faasport records with, and the API module it came from. */
export interface ActiveTracer {
  readonly api: OtelApiModule;
  readonly tracer: OtelApi.Tracer;
}

/** Instrumentation scope of every span faasport records. */
export const TRACER_NAME = 'faasport';

/** Where @opentelemetry/api 1.x registers its globals (its `internal/global-utils`). */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/** `undefined`: not looked for yet; `null`: not installed (never looked for again). */
let api: OtelApiModule | null | undefined;

/**
 * The tracer to record an invocation with, or undefined when `@opentelemetry/api` is not
 * installed or no tracer provider is registered. The package is looked for once, on the
 * first invocation after any copy of the API registered something (never at import time, and
 * not while nothing is registered): without it every later call is one comparison.
 * With it, a provider registered at any time (an ADOT layer, an instrumentation file loaded
 * with `--import`, `faasport dev`) is picked up by the next invocation.
 */
export function activeTracer(): ActiveTracer | undefined {
  if (api === null) return undefined;
  if (api === undefined) {
    // Every copy of the API keeps what is registered (the tracer provider among it) under this
    // global, made on the first registration: without it no provider exists anywhere, so the
    // package is not loaded (loading it costs a cold start about 20 ms) until one appears.
    if ((globalThis as Record<symbol, unknown>)[OTEL_GLOBAL] === undefined) return undefined;
    api = loadApi();
  }
  if (api === null) return undefined;
  // Duck-typed: the provider may come from another copy of the API (its ESM or CJS build, a
  // bundled copy); they share one global registry, not one class.
  const provider = api.trace.getTracerProvider() as OtelApi.TracerProvider & {
    getDelegate?(): OtelApi.TracerProvider;
    getDelegateTracer?(name: string): OtelApi.Tracer | undefined;
  };
  // The global provider is a proxy; its delegate is the registered one (or a no-op stand-in).
  const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
  if (delegate === lastProvider) return lastTracer;
  const tracer = typeof provider.getDelegateTracer === 'function' ? provider.getDelegateTracer(TRACER_NAME) : provider.getTracer(TRACER_NAME);
  lastProvider = delegate;
  lastTracer = tracer ? { api, tracer } : undefined;
  return lastTracer;
}

/** The tracer of the provider last seen: asking the provider for it on every invocation costs a lookup. */
let lastProvider: OtelApi.TracerProvider | undefined;
let lastTracer: ActiveTracer | undefined;

/**
 * Resolves `@opentelemetry/api` from this module's location with `require`, which also
 * searches NODE_PATH: where Lambda layers (the ADOT layer) put their packages. Any failure
 * means "not installed": tracing must never break an invocation.
 */
function loadApi(): OtelApiModule | null {
  try {
    const load = createRequire(import.meta.url);
    const name = '@opentelemetry/api';
    return load(name) as OtelApiModule;
  } catch {
    return null;
  }
}

/**
 * For tests and the bench: forget what was found, or pretend the package is absent
 * (`'absent'`), so one process can measure each case.
 */
export function resetOtelApi(state?: 'absent'): void {
  api = state === 'absent' ? null : undefined;
  lastProvider = undefined;
  lastTracer = undefined;
}
