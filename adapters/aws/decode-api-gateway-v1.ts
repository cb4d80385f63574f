import { findHeader, toHeaders, toOrigin, toQueryString } from './event-headers.js';
import { LambdaRequest } from './lambda-request.js';
import type { ApiGatewayV1EventLike } from './types.js';

/** A Fetch Request over an API Gateway REST (payload 1.0) event, built lazily. */
export class ApiGatewayV1Request extends LambdaRequest {
  readonly #event: ApiGatewayV1EventLike;

  constructor(event: ApiGatewayV1EventLike) {
    super(event.httpMethod.toUpperCase(), event.body, event.isBase64Encoded);
    this.#event = event;
  }

  protected requestUrl(): string {
    const e = this.#event;
    const host = findHeader(e.multiValueHeaders, e.headers, 'host') ?? e.requestContext.domainName;
    const query = toQueryString(e.multiValueQueryStringParameters, e.queryStringParameters, false);
    // `path` stays percent-encoded as the client sent it; the stage is not part of it.
    return toOrigin(host, findHeader(e.multiValueHeaders, e.headers, 'x-forwarded-proto')) + e.path + (query ? '?' + query : '');
  }

  protected requestHeaders(): Headers {
    return toHeaders(this.#event.multiValueHeaders, this.#event.headers);
  }

  get clientIp(): string | undefined {
    return this.#event.requestContext.identity?.sourceIp ?? undefined;
  }
}

/**
 * Turns an API Gateway REST API (payload format 1.0) proxy event into a Fetch `Request`.
 *
 * @example
 * ```ts
 * import { decodeApiGatewayV1 } from 'faasport/aws';
 * const request = decodeApiGatewayV1(event);
 * new URL(request.url).searchParams.getAll('name'); // every repeated value
 * ```
 */
export function decodeApiGatewayV1(event: ApiGatewayV1EventLike): Request {
  return new ApiGatewayV1Request(event) as unknown as Request;
}
