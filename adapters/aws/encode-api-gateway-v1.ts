import { encodeBody } from './encode-body.js';
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
  const { body, isBase64Encoded } = await encodeBody(response, method === 'HEAD');
  return { statusCode: response.status, multiValueHeaders: toMultiValueHeaders(response.headers), body, isBase64Encoded };
}

export function toMultiValueHeaders(headers: Headers): Record<string, string[]> {
  const multi: Record<string, string[]> = {};
  for (const [name, value] of headers) {
    if (name !== 'set-cookie') multi[name] = [value];
  }
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) multi['set-cookie'] = cookies;
  return multi;
}
