import { errorResponse, invokeHttp, isMethodAllowed, methodNotAllowed, unsupportedMethod, type HttpFunctionDefinition } from 'faasport';
import { installLightResponse } from 'faasport/adapter-kit';
import { createGcpContext } from './create-context.js';
import { decodeExpressRequest } from './decode-express-request.js';
import { encodeExpressResponse } from './encode-express-response.js';
import type { FrameworkRequest, FrameworkResponse, FunctionsFramework } from './framework.js';
import type { HandlerDeps } from './handler-deps.js';
import { isWarmupPing } from './warmup.js';

let lightResponseChecked = false;

/** Registers an HTTP function with `framework.http`; a warm-up request is answered 204 before any user code. */
export function registerHttp(framework: FunctionsFramework, def: HttpFunctionDefinition, deps: HandlerDeps): void {
  const handle = httpHandler(def, deps);
  framework.http(def.name, ((req: { headers?: Readonly<Record<string, string | string[] | undefined>> }, res: { status(code: number): { end(): void } }) =>
    isWarmupPing(req) ? res.status(204).end() : (handle as (a: unknown, b: unknown) => unknown)(req, res)) as unknown as Parameters<typeof framework.http>[1]);
}

function httpHandler(def: HttpFunctionDefinition, deps: HandlerDeps) {
  return async (req: FrameworkRequest, res: FrameworkResponse): Promise<void> => {
    // On the first request, not at import: making the light Response loads undici.
    if (!lightResponseChecked) {
      lightResponseChecked = true;
      installLightResponse();
    }
    const params = def.route.match(req.path);
    let response: Response;
    const unsupported = unsupportedMethod(req.method);
    if (unsupported) {
      response = unsupported;
    } else if (!params) {
      response = Response.json(
        { error: `${req.method} ${clip(req.path)} does not match route ${def.route.route} of function "${def.name}"`, code: 'NOT_FOUND' },
        { status: 404 },
      );
    } else if (!isMethodAllowed(def, req.method)) {
      response = methodNotAllowed(def, req.method, req.path);
    } else {
      // Only a request the function will run gets a context (and takes the cold start).
      const ctx = createGcpContext({
        ...deps.settings,
        def,
        native: { trigger: 'http', request: req, response: res },
        coldStart: deps.coldStart(),
        executionId: req.executionId,
        params,
        traceparent: req.get('traceparent'),
        cloudTraceContext: req.get('x-cloud-trace-context'),
      });
      let request: Request | undefined;
      try {
        request = decodeExpressRequest(req, deps.maxBodyBytes, deps.trustProxy);
      } catch (err) {
        response = errorResponse(err, ctx, deps.production);
      }
      if (request) {
        response = await invokeHttp(def, request, ctx, { production: deps.production });
        // Cloud Functions throttles the CPU once the response is sent: finish waitUntil work first.
        if (ctx.pending.length > 0) await Promise.all(ctx.pending);
      }
    }
    await encodeExpressResponse(response!, res, { head: req.method === 'HEAD' });
  };
}

function clip(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
