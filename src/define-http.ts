import type { AppRegistry } from './app-registry.js';
import { COMMON_KEYS, checkHandler, commonOptions } from './common-options.js';
import { HTTP_METHODS, type HttpFunctionDefinition, type HttpMethod, type HttpOptions } from './definitions.js';
import { FaasportError } from './errors.js';
import { allowedMethods } from './http-methods.js';
import { checkBoolean, checkKnownOptions, checkName, invalid } from './options.js';
import { compileRoute, type CompiledRoute } from './route.js';
import type { HttpHandler } from './types.js';

/** `app.http(name, options, handler)`: checks the definition and registers the function. */
export function defineHttp<Route extends string>(
  registry: AppRegistry,
  fname: string,
  options: HttpOptions & { route: Route },
  handler: HttpHandler<Route>,
): HttpFunctionDefinition {
  const what = `http "${fname}"`;
  checkName('function', fname);
  checkHandler(what, handler);
  if (typeof options !== 'object' || options === null) throw invalid(what, 'options { method, route } are required');
  checkKnownOptions(what, options, ['method', 'route', 'public', ...COMMON_KEYS]);
  const methods = normaliseMethods(what, options.method);
  const route = compileRoute(options.route, fname);
  checkRouteFree(registry, fname, route, methods);
  return registry.register<HttpFunctionDefinition>({
    kind: 'http',
    name: fname,
    methods,
    route,
    public: options.public === undefined ? false : checkBoolean(what, 'public', options.public),
    // The compiled route fills exactly the parameters RouteParams<Route> names.
    handler: handler as HttpHandler,
    ...commonOptions(what, options),
  });
}

function normaliseMethods(what: string, method: unknown): readonly HttpMethod[] | '*' {
  if (method === undefined) return ['GET'];
  if (method === '*') return '*';
  const list = Array.isArray(method) ? method : [method];
  if (list.length === 0) throw invalid(what, 'method list is empty');
  return list.map((m) => {
    const upper = typeof m === 'string' ? m.toUpperCase() : m;
    if (!HTTP_METHODS.includes(upper as HttpMethod)) {
      throw invalid(what, `method ${JSON.stringify(m)} is not one of ${HTTP_METHODS.join(', ')} or "*"`);
    }
    return upper as HttpMethod;
  });
}

/**
 * Two functions on the same route shape and a shared method: the second could never be
 * reached (the first always matches), on any runtime. Refused while the mistake is fresh.
 */
function checkRouteFree(registry: AppRegistry, fname: string, route: CompiledRoute, methods: HttpFunctionDefinition['methods']): void {
  const shape = routeShape(route.route);
  const mine = new Set(allowedMethods({ methods }));
  for (const other of registry.functions) {
    if (other.kind !== 'http' || routeShape(other.route.route) !== shape) continue;
    const shared = allowedMethods(other).filter((m) => mine.has(m));
    if (shared.length === 0) continue;
    throw new FaasportError(
      'INVALID_ROUTE',
      `http "${fname}": ${shared.join(', ')} ${route.route} is already served by http "${other.name}" (${other.route.route}), so "${fname}" would never be reached; use another route or method, or handle both in one function`,
      { details: { route: route.route, conflictsWith: other.name, methods: shared } },
    );
  }
}

/** A route with its parameter names blanked: `/users/:id` and `/users/:name` match the same paths. */
function routeShape(route: string): string {
  return route.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':');
}
