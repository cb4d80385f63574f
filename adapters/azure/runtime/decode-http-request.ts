import type { HttpRequest } from '@azure/functions';
import { resolveClientAddress, setClientAddress, type ProxyTrust } from 'faasport/adapter-kit';

/** The wildcard route value name used in Azure route templates for a faasport trailing `*`. */
export const WILDCARD_PARAM = 'faasport_rest';

/**
 * Turns the library's HttpRequest into a Fetch `Request`. The body is handed on as the
 * stream it already is (never read or copied here); GET and HEAD carry none.
 *
 * The host hands over no peer address, so `clientAddress(request)` is undefined unless
 * `trust` says which proxies to believe: `1` (FAASPORT_TRUST_PROXY=1) takes the last
 * X-Forwarded-For entry, the one the App Service front end appended (`ip:port`, port dropped).
 *
 * @example
 * ```ts
 * import { decodeHttpRequest } from 'faasport/azure';
 * // inside an @azure/functions http handler:
 * // const request = decodeHttpRequest(azureRequest);
 * ```
 */
export function decodeHttpRequest(request: HttpRequest, trust?: ProxyTrust): Request {
  const method = request.method.toUpperCase();
  const init: RequestInit & { duplex?: 'half' } = { method, headers: request.headers };
  if (method !== 'GET' && method !== 'HEAD' && request.body) {
    init.body = request.body as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  const decoded = new Request(request.url, init);
  return trust ? setClientAddress(decoded, () => resolveClientAddress(undefined, request.headers.get('x-forwarded-for'), trust)) : decoded;
}

/** Route values as faasport names them: the catch-all becomes `*`. */
export function decodeRouteParams(params: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!params) return result;
  for (const key of Object.keys(params)) result[key === WILDCARD_PARAM ? '*' : key] = params[key]!;
  return result;
}
