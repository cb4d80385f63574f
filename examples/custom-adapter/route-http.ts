import { compareRoutes, invokeHttp, routeNotFound, type App, type HttpFunctionDefinition } from 'faasport';
import { createContext, type ContextDeps } from './create-context.js';

/** Answers one plain HTTP request from the app's `http` functions. */
export type HttpRouter = (method: string, pathname: string, headers: Headers, makeRequest: () => Request) => Promise<Response>;

/**
 * Routes plain HTTP requests: the most specific matching route wins, HEAD is served by GET
 * routes, a path that matches with another method is 405 with `Allow`, anything else is a
 * JSON 404. The Fetch `Request` is built only once a function will run.
 */
export function createHttpRouter(app: App, deps: ContextDeps & { readonly production: boolean }): HttpRouter {
  const routes = app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http').sort((a, b) => compareRoutes(a.route, b.route));
  return async (method, pathname, headers, makeRequest) => {
    const allowed = new Set<string>();
    const upper = method.toUpperCase();
    for (const def of routes) {
      const params = def.route.match(pathname);
      if (!params) continue;
      if (def.methods === '*' || def.methods.includes(upper as never) || (upper === 'HEAD' && def.methods.includes('GET'))) {
        const request = makeRequest();
        const ctx = createContext(def, deps, { trigger: 'http', request, headers }, { params, traceparent: headers.get('traceparent') });
        const response = await invokeHttp(def, request, ctx, { production: deps.production });
        if (ctx.pending.length > 0) void Promise.all(ctx.pending);
        return response;
      }
      for (const m of def.methods) allowed.add(m);
    }
    if (allowed.size > 0) {
      if (allowed.has('GET')) allowed.add('HEAD');
      const allow = [...allowed].join(', ');
      return Response.json(
        { error: `method ${method} is not allowed on ${shorten(pathname)}; allowed: ${allow}`, code: 'METHOD_NOT_ALLOWED' },
        { status: 405, headers: { allow } },
      );
    }
    return routeNotFound(method, pathname);
  };
}

function shorten(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
