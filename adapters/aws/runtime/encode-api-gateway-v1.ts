import { encodeBody, responseHead, type ResponseHead } from './encode-body.js';
import type { ProxyResultV1 } from './types.js';

/**
 * Turns a Fetch `Response` into an API Gateway REST (payload 1.0) result. Every header goes
 * to `multiValueHeaders`, so repeated headers and each Set-Cookie survive intact.
 *
 * @example
 * ```ts
 * import { encodeApiGatewayV1 } from 'faasport/aws';
 * const result = await encodeApiGatewayV1(Response.json({ ok: true }));
 * result.multiValueHeaders?.['content-type']; // ['application/json']
 * ```
 */
export async function encodeApiGatewayV1(response: Response, method = 'GET'): Promise<ProxyResultV1> {
  const head = responseHead(response);
  const { body, isBase64Encoded } = await encodeBody(response, method === 'HEAD');
  return { statusCode: head.status, multiValueHeaders: toMultiValueHeaders(head), body, isBase64Encoded };
}

export function toMultiValueHeaders(head: ResponseHead): Record<string, string[]> {
  const multi: Record<string, string[]> = {};
  for (const name in head.headers) multi[name] = [head.headers[name]!];
  if (head.cookies.length > 0) multi['set-cookie'] = head.cookies;
  return multi;
}
