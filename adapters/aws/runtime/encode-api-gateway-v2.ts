import { encodeBody, responseHead } from './encode-body.js';
import type { ProxyResultV2 } from './types.js';

/**
 * Turns a Fetch `Response` into an API Gateway HTTP API (payload 2.0) / Function URL result.
 * Set-Cookie headers go to `cookies[]`, one entry each, never joined or split on commas.
 *
 * @example
 * ```ts
 * import { encodeApiGatewayV2 } from 'faasport/aws';
 * const result = await encodeApiGatewayV2(new Response('hi'));
 * result.statusCode; // 200
 * ```
 */
export async function encodeApiGatewayV2(response: Response, method = 'GET'): Promise<ProxyResultV2> {
  const { status, headers, cookies } = responseHead(response);
  const { body, isBase64Encoded } = await encodeBody(response, method === 'HEAD');
  const result: ProxyResultV2 = { statusCode: status, headers, body, isBase64Encoded };
  if (cookies.length > 0) result.cookies = cookies;
  return result;
}
