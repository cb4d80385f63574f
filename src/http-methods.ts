import { HTTP_METHODS, type HttpFunctionDefinition, type HttpMethod } from './definitions.js';

/**
 * The methods an HTTP function answers: every method for `'*'`, else its own list plus
 * HEAD wherever it takes GET (a HEAD is a GET without the body).
 *
 * @example
 * ```ts
 * import { allowedMethods, createApp } from 'faasport';
 * const app = createApp('shop');
 * const hello = app.http('hello', { route: '/hello' }, () => new Response('hi'));
 * allowedMethods(hello); // ['GET', 'HEAD']
 * ```
 */
export function allowedMethods(def: Pick<HttpFunctionDefinition, 'methods'>): readonly HttpMethod[] {
  if (def.methods === '*') return HTTP_METHODS;
  return def.methods.includes('GET') && !def.methods.includes('HEAD') ? [...def.methods, 'HEAD'] : def.methods;
}

/**
 * True when `def` answers `method` (any case).
 *
 * @example
 * ```ts
 * import { createApp, isMethodAllowed } from 'faasport';
 * const app = createApp('shop');
 * const hello = app.http('hello', { route: '/hello' }, () => new Response('hi'));
 * isMethodAllowed(hello, 'head'); // true
 * ```
 */
export function isMethodAllowed(def: Pick<HttpFunctionDefinition, 'methods'>, method: string): boolean {
  if (def.methods === '*') return true;
  const m = method.toUpperCase();
  return def.methods.includes(m as HttpMethod) || (m === 'HEAD' && def.methods.includes('GET'));
}

/**
 * The 405 answer to a method `def` (or none of several functions on one route) does not take: JSON `{ error, code: 'METHOD_NOT_ALLOWED' }`
 * with an `Allow` header, as every faasport runtime answers it. `path` is clipped in the
 * message so a long URL cannot blow up the answer.
 *
 * @example
 * ```ts
 * import { createApp, methodNotAllowed } from 'faasport';
 * const app = createApp('shop');
 * const hello = app.http('hello', { route: '/hello' }, () => new Response('hi'));
 * methodNotAllowed(hello, 'DELETE', '/hello').headers.get('allow'); // 'GET, HEAD'
 * ```
 */
export function methodNotAllowed(
  def: Pick<HttpFunctionDefinition, 'methods'> | readonly Pick<HttpFunctionDefinition, 'methods'>[],
  method: string,
  path: string,
): Response {
  // Several functions may share a route with different methods: the answer lists them all.
  const defs = Array.isArray(def) ? def : [def as Pick<HttpFunctionDefinition, 'methods'>];
  const allowed = [...new Set(defs.flatMap((d) => allowedMethods(d)))].join(', ');
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  return Response.json(
    { error: `method ${method} is not allowed on ${shown}; allowed: ${allowed}`, code: 'METHOD_NOT_ALLOWED' },
    { status: 405, headers: { allow: allowed } },
  );
}

/** Methods the Fetch API refuses to carry in a `Request` (it throws on `new Request(url, { method })`). */
const FETCH_FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * The 501 answer to a method a Fetch `Request` cannot carry (CONNECT, TRACE, TRACK, any
 * case), answered before any function runs, even one defined with `method: '*'`; undefined
 * for every other method. JSON `{ error, code: 'METHOD_NOT_SUPPORTED' }`, as every faasport
 * runtime answers it.
 *
 * @example
 * ```ts
 * import { unsupportedMethod } from 'faasport';
 * unsupportedMethod('TRACE')?.status; // 501
 * unsupportedMethod('GET');           // undefined
 * ```
 */
export function unsupportedMethod(method: string): Response | undefined {
  // Cheap exit for the usual methods: the forbidden ones are 5 or 7 letters long.
  if ((method.length !== 5 && method.length !== 7) || !FETCH_FORBIDDEN.has(method.toUpperCase())) return undefined;
  return Response.json(
    {
      error: `method ${method.toUpperCase()} cannot reach a function: the Fetch Request faasport hands to functions cannot carry CONNECT, TRACE or TRACK`,
      code: 'METHOD_NOT_SUPPORTED',
    },
    { status: 501 },
  );
}

/**
 * The 404 answer to a request no HTTP function's route matches: JSON
 * `{ error, code: 'NOT_FOUND' }`, as every faasport runtime answers it. `path` is clipped.
 *
 * @example
 * ```ts
 * import { routeNotFound } from 'faasport';
 * routeNotFound('GET', '/nope').status; // 404
 * ```
 */
export function routeNotFound(method: string, path: string): Response {
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  return Response.json({ error: `no route matches ${method} ${shown}`, code: 'NOT_FOUND' }, { status: 404 });
}
