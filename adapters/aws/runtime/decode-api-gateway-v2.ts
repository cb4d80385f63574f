import { objectAt, optionalArrayAt, optionalObjectAt, optionalStringAt, optionalStringIn, stringIn } from './event-fields.js';
import { appendHeader, findHeader, pathAt, toOrigin, usableHost } from './event-headers.js';
import { LambdaRequest, toFetchRequest } from './lambda-request.js';
import { mapLookup, type HeaderLookup } from './lazy-headers.js';
import type { ApiGatewayV2EventLike } from './types.js';

const OPERATION = 'aws API Gateway HTTP API (v2) / Function URL event';

/**
 * A Fetch Request over an API Gateway HTTP API (payload 2.0) or Lambda Function URL event,
 * built lazily. The two share one shape. The method and raw path are checked at once (every
 * request needs them); other fields when they are read.
 */
export class ApiGatewayV2Request extends LambdaRequest {
  readonly #event: Record<string, unknown>;
  readonly #requestContext: Record<string, unknown>;
  readonly #http: Record<string, unknown>;
  /** `rawPath`: the path as the client sent it (percent-encoded; with the stage, if any). */
  readonly path: string;

  constructor(event: ApiGatewayV2EventLike) {
    const e = objectAt(event, OPERATION, '');
    const requestContext = objectAt(e.requestContext, OPERATION, 'requestContext');
    const http = objectAt(requestContext.http, OPERATION, 'requestContext.http');
    super(http.method, 'requestContext.http.method', e.body, e.isBase64Encoded, OPERATION);
    this.path = pathAt(e.rawPath, OPERATION, 'rawPath');
    this.#event = e;
    this.#requestContext = requestContext;
    this.#http = http;
  }

  /** `requestContext.stage` ("$default" unless the API has named stages). */
  get stage(): string | undefined {
    return optionalStringAt(this.#requestContext.stage, OPERATION, 'requestContext.stage');
  }

  protected requestUrl(): string {
    const e = this.#event;
    // AWS sends lower-case names; `sam local` and hand-written events capitalise them.
    const host =
      usableHost(findHeader(undefined, e.headers, 'host', OPERATION)) ??
      usableHost(optionalStringAt(this.#requestContext.domainName, OPERATION, 'requestContext.domainName'));
    // rawQueryString is the source of truth: queryStringParameters joins repeats with commas.
    const query = optionalStringAt(e.rawQueryString, OPERATION, 'rawQueryString');
    const proto = findHeader(undefined, e.headers, 'x-forwarded-proto', OPERATION);
    return toOrigin(host, proto) + this.path + (query ? '?' + query : '');
  }

  protected requestHeaders(): Headers {
    const e = this.#event;
    const result = new Headers();
    const source = optionalObjectAt(e.headers, OPERATION, 'headers');
    if (source) {
      for (const name of Object.keys(source)) {
        const value = optionalStringIn(source[name], OPERATION, 'headers', name);
        if (value !== undefined) appendHeader(result, name, value);
      }
    }
    // Cookies arrive in cookies[] (Function URLs also repeat them in a cookie header).
    const cookies = optionalArrayAt(e.cookies, OPERATION, 'cookies');
    if (cookies && cookies.length > 0) {
      for (let i = 0; i < cookies.length; i++) stringIn(cookies[i], OPERATION, 'cookies', i);
      try {
        result.set('cookie', cookies.join('; '));
      } catch {
        /* a cookie outside Latin-1: dropped, as any header value the Fetch API refuses */
      }
    }
    return result;
  }

  protected override headerLookup(): HeaderLookup | undefined {
    return mapLookup(this.#event.headers, this.#event.cookies);
  }

  get clientIp(): string | undefined {
    return optionalStringAt(this.#http.sourceIp, OPERATION, 'requestContext.http.sourceIp');
  }
}

/**
 * Turns an API Gateway HTTP API (payload format 2.0) or Lambda Function URL event into a
 * Fetch `Request`.
 *
 * @example
 * ```ts
 * import { decodeApiGatewayV2 } from 'faasport/aws';
 * const request = decodeApiGatewayV2(event);
 * request.headers.get('cookie'); // "a=1; b=2" from event.cookies
 * ```
 */
export function decodeApiGatewayV2(event: ApiGatewayV2EventLike): Request {
  return toFetchRequest(new ApiGatewayV2Request(event));
}
