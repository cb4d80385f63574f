import { toOrigin } from './event-headers.js';
import { LambdaRequest } from './lambda-request.js';
import type { ApiGatewayV2EventLike } from './types.js';

/**
 * A Fetch Request over an API Gateway HTTP API (payload 2.0) or Lambda Function URL event,
 * built lazily. The two share one shape.
 */
export class ApiGatewayV2Request extends LambdaRequest {
  readonly #event: ApiGatewayV2EventLike;

  constructor(event: ApiGatewayV2EventLike) {
    super(event.requestContext.http.method.toUpperCase(), event.body, event.isBase64Encoded);
    this.#event = event;
  }

  protected requestUrl(): string {
    const e = this.#event;
    const headers = e.headers;
    const host = (headers && headers.host) || e.requestContext.domainName;
    // rawQueryString is the source of truth: queryStringParameters joins repeats with commas.
    const query = e.rawQueryString;
    return toOrigin(host, headers?.['x-forwarded-proto']) + e.rawPath + (query ? '?' + query : '');
  }

  protected requestHeaders(): Headers {
    const e = this.#event;
    const headers = new Headers();
    const source = e.headers;
    if (source) {
      for (const name in source) {
        const value = source[name];
        if (value !== undefined && value !== null) headers.append(name, value);
      }
    }
    // Cookies arrive in cookies[] (Function URLs also repeat them in a cookie header).
    if (e.cookies && e.cookies.length > 0) headers.set('cookie', e.cookies.join('; '));
    return headers;
  }

  get clientIp(): string | undefined {
    return this.#event.requestContext.http.sourceIp;
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
  return new ApiGatewayV2Request(event) as unknown as Request;
}
