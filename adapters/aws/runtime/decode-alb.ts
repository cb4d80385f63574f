import { objectAt } from './event-fields.js';
import { findHeader, pathAt, toHeaders, toOrigin, toQueryString, usableHost } from './event-headers.js';
import { LambdaRequest, toFetchRequest } from './lambda-request.js';
import type { AlbEventLike } from './types.js';

const OPERATION = 'aws ALB event';

/**
 * A Fetch Request over an Application Load Balancer event, built lazily. The method and path
 * are checked at once (every request needs them); other fields when they are read.
 */
export class AlbRequest extends LambdaRequest {
  readonly #event: Record<string, unknown>;
  /** The path as the client sent it (percent-encoded). */
  readonly path: string;

  constructor(event: AlbEventLike) {
    const e = objectAt(event, OPERATION, '');
    super(e.httpMethod, 'httpMethod', e.body, e.isBase64Encoded, OPERATION);
    this.path = pathAt(e.path, OPERATION, 'path');
    this.#event = e;
  }

  protected requestUrl(): string {
    const e = this.#event;
    const host = usableHost(findHeader(e.multiValueHeaders, e.headers, 'host', OPERATION));
    // ALB passes query values exactly as sent (still percent-encoded): keep them so they are decoded once.
    const query = toQueryString(e.multiValueQueryStringParameters, e.queryStringParameters, true, OPERATION);
    return toOrigin(host, findHeader(e.multiValueHeaders, e.headers, 'x-forwarded-proto', OPERATION)) + this.path + (query ? '?' + query : '');
  }

  protected requestHeaders(): Headers {
    return toHeaders(this.#event.multiValueHeaders, this.#event.headers, OPERATION);
  }

  /**
   * ALB has no source-ip field; it appends the peer address as the last X-Forwarded-For entry
   * (its default `routing.http.xff_header_processing.mode` "append"). In "preserve" mode it adds
   * nothing, so that entry is whatever the client sent: keep the default with faasport.
   */
  get clientIp(): string | undefined {
    const xff = findHeader(this.#event.multiValueHeaders, this.#event.headers, 'x-forwarded-for', OPERATION);
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
  return toFetchRequest(new AlbRequest(event));
}
