import { objectAt, optionalObjectAt, optionalStringAt } from './event-fields.js';
import { findHeader, pathAt, toHeaders, toOrigin, toQueryString, usableHost } from './event-headers.js';
import { LambdaRequest, toFetchRequest } from './lambda-request.js';
import type { ApiGatewayV1EventLike } from './types.js';

const OPERATION = 'aws API Gateway REST (v1) event';

/**
 * A Fetch Request over an API Gateway REST (payload 1.0) event, built lazily. The method and
 * path are checked at once (every request needs them); other fields when they are read.
 */
export class ApiGatewayV1Request extends LambdaRequest {
  readonly #event: Record<string, unknown>;
  /** The path as the client sent it (percent-encoded; without the stage). */
  readonly path: string;

  constructor(event: ApiGatewayV1EventLike) {
    const e = objectAt(event, OPERATION, '');
    super(e.httpMethod, 'httpMethod', e.body, e.isBase64Encoded, OPERATION);
    this.path = pathAt(e.path, OPERATION, 'path');
    this.#event = e;
  }

  protected requestUrl(): string {
    const e = this.#event;
    const host =
      usableHost(findHeader(e.multiValueHeaders, e.headers, 'host', OPERATION)) ??
      usableHost(optionalStringAt(this.#requestContext()?.domainName, OPERATION, 'requestContext.domainName'));
    const query = toQueryString(e.multiValueQueryStringParameters, e.queryStringParameters, false, OPERATION);
    // `path` stays percent-encoded as the client sent it; the stage is not part of it.
    return toOrigin(host, findHeader(e.multiValueHeaders, e.headers, 'x-forwarded-proto', OPERATION)) + this.path + (query ? '?' + query : '');
  }

  protected requestHeaders(): Headers {
    return toHeaders(this.#event.multiValueHeaders, this.#event.headers, OPERATION);
  }

  get clientIp(): string | undefined {
    const identity = optionalObjectAt(this.#requestContext()?.identity, OPERATION, 'requestContext.identity');
    return optionalStringAt(identity?.sourceIp, OPERATION, 'requestContext.identity.sourceIp');
  }

  #requestContext(): Record<string, unknown> | undefined {
    return optionalObjectAt(this.#event.requestContext, OPERATION, 'requestContext');
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
  return toFetchRequest(new ApiGatewayV1Request(event));
}
