import { FaasportError } from './errors.js';
import { requirePackages } from './required-packages.js';

/** The OpenTelemetry SDK `faasport dev` registered, to flush and stop with the server. */
export interface DevTracing {
  /** Where spans go, and how: for the startup banner. */
  readonly description: string;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

const PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/**
 * Registers an OpenTelemetry tracer provider exporting over OTLP/HTTP when the standard
 * variables ask for it (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_SERVICE_NAME`), so the spans faasport records for every
 * invocation reach a collector with no change to the app. Undefined when no endpoint is set
 * (or `OTEL_SDK_DISABLED=true`, `OTEL_TRACES_EXPORTER=none`). The SDK packages are optional:
 * missing ones are a PACKAGE_MISSING error naming the install line.

 */
export async function startDevTracing(env: Readonly<Record<string, string | undefined>>, appName: string): Promise<DevTracing | undefined> {
  const url = tracesUrl(env);
  if (!url || env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `faasport dev: OTEL_EXPORTER_OTLP_PROTOCOL "${protocol.slice(0, 40)}" is not supported; use http/protobuf or http/json (for grpc, point a collector's OTLP/HTTP receiver at it)`,
    );
  }
  const exporterPackage = protocol === 'http/json' ? '@opentelemetry/exporter-trace-otlp-http' : '@opentelemetry/exporter-trace-otlp-proto';
  requirePackages(`faasport dev (exporting spans to ${url})`, [
    '@opentelemetry/api',
    '@opentelemetry/sdk-trace-base',
    '@opentelemetry/context-async-hooks',
    '@opentelemetry/resources',
    exporterPackage,
  ]);
  const [api, sdk, hooks, resources, exporterModule] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
    protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);
  const serviceName = env.OTEL_SERVICE_NAME || appName;
  const exporter = new exporterModule.OTLPTraceExporter({ url });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': serviceName, 'telemetry.distro.name': 'faasport' }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter, { scheduledDelayMillis: delayMs(env.OTEL_BSP_SCHEDULE_DELAY) })],
  });
  // The handler's own spans (fetch, database clients) nest under the invocation's.
  const contextManager = new hooks.AsyncLocalStorageContextManager().enable();
  api.context.setGlobalContextManager(contextManager);
  api.trace.setGlobalTracerProvider(provider);
  return {
    description: `spans exported to ${url} (OTLP ${protocol}) as service "${serviceName}"`,
    async shutdown() {
      await provider.shutdown();
      api.trace.disable();
      api.context.disable();
    },
  };
}

/** The traces endpoint as the OTLP exporter specification builds it: the signal's own, else the base plus `v1/traces`. */
export function tracesUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const own = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (own) return checkedUrl(own, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return undefined;
  checkedUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return `${base.endsWith('/') ? base : `${base}/`}v1/traces`;
}

function checkedUrl(value: string, name: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    /* reported below */
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new FaasportError('CONFIG_INVALID', `faasport dev: ${name} "${value.slice(0, 80)}" is not an http(s) URL; set it like http://127.0.0.1:4318`);
  }
  return value;
}

/** OTEL_BSP_SCHEDULE_DELAY, else one second: a developer watching a trace view should not wait the SDK's five. */
function delayMs(value: string | undefined): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : 1000;
}
