import type { HttpRequest, HttpResponseInit, InvocationContext as AzureInvocationContext } from '@azure/functions';
import { HTTP_METHODS, allowedMethods, invokeHttp, routeNotFound, type HttpFunctionDefinition } from 'faasport';
import { WILDCARD_PARAM, decodeHttpRequest, decodeRouteParams } from './decode-http-request.js';
import { encodeHttpResponse } from './encode-http-response.js';
import { toAzureRoute } from './encode-route.js';
import { createContext, type RegistrationDeps } from './registration-deps.js';
import { isWarmupPing, warmupResponse } from './warmup.js';

/** Name of the catch-all function that answers unmatched routes. */
export const NOT_FOUND_FUNCTION = 'faasportNotFound';

/** `app.http` for an HTTP function: its methods and route, authLevel `function` unless public. */
export function registerHttp(def: HttpFunctionDefinition, deps: RegistrationDeps): void {
  const methods = [...allowedMethods(def)];
  deps.host.http(def.name, {
    methods,
    route: toAzureRoute(def),
    authLevel: def.public ? 'anonymous' : 'function',
    handler: async (request: HttpRequest, azure: AzureInvocationContext): Promise<HttpResponseInit> => {
      if (isWarmupPing(request)) return warmupResponse();
      // The caller's traceparent names the span that called us; the host's trace context
      // (same trace, the host's own span) is the fallback.
      const ctx = createContext(def, azure, request, { params: decodeRouteParams(request.params), traceparent: request.headers.get('traceparent') }, deps);
      const response = await invokeHttp(def, decodeHttpRequest(request, deps.trustProxy), ctx, { production: deps.production });
      // Nothing runs after an Azure invocation returns: finish waitUntil work first.
      if (ctx.pending.length > 0) await Promise.all(ctx.pending);
      return encodeHttpResponse(response);
    },
  });
}

/** An anonymous catch-all route (lowest route precedence) that answers unmatched paths with faasport's 404 JSON. */
export function registerNotFound(deps: RegistrationDeps): void {
  deps.host.http(NOT_FOUND_FUNCTION, {
    methods: [...HTTP_METHODS],
    route: `{*${WILDCARD_PARAM}}`,
    authLevel: 'anonymous',
    handler: (request: HttpRequest): HttpResponseInit => encodeHttpResponse(routeNotFound(request.method, new URL(request.url).pathname)),
  });
}
