import { findHeader, toHeaders, toOrigin, toQueryString } from './event-headers.js';
import { LambdaRequest } from './lambda-request.js';
import type { AlbEventLike } from './types.js';

/** A Fetch Request over an Application Load Balancer event, built lazily. */
export class AlbRequest extends LambdaRequest {
  readonly #event: AlbEventLike;

  constructor(event: AlbEventLike) {
    super(event.httpMethod.toUpperCase(), event.body, event.isBase64Encoded);
    this.#event = event;
  }

  protected requestUrl(): string {
    const e = this.#event;
    const host = findHeader(e.multiValueHeaders, e.headers, 'host');
    // ALB passes query values exactly as sent (still percent-encoded): keep them so they are decoded once.
    const query = toQueryString(e.multiValueQueryStringParameters, e.queryStringParameters, true);
    return toOrigin(host, findHeader(e.multiValueHeaders, e.headers, 'x-forwarded-proto')) + e.path + (query ? '?' + query : '');
  }

  protected requestHeaders(): Headers {
    return toHeaders(this.#event.multiValueHeaders, this.#event.headers);
  }

  /** ALB has no source-ip field; it appends the peer address as the last X-Forwarded-For entry. */
  get clientIp(): string | undefined {
    const xff = findHeader(this.#event.multiValueHeaders, this.#event.headers, 'x-forwarded-for');
    if (!xff) return undefined;
    const last = xff.slice(xff.lastIndexOf(',') + 1).trim();
    return last || undefined;
  }
}

/** True when the target group sends multi-value headers (and expects them back). */
export function isAlbMultiValue(event: AlbEventLike): boolean {
  return event.multiValueHeaders !== undefined && event.multiValueHeaders !== null;
}

/**
 * Turns an Application Load Balancer Lambda-target event (either header mode) into a
 * Fetch `Request`.
 *
 * @example
 * ```ts
 * import { decodeAlb } from 'faasport/aws';
 * const request = decodeAlb(event);
 * new URL(request.url).searchParams.get('q'); // decoded once
 * ```
 */
export function decodeAlb(event: AlbEventLike): Request {
  return new AlbRequest(event) as unknown as Request;
}
