import { STATUS_CODES } from 'node:http';
import { toMultiValueHeaders } from './encode-api-gateway-v1.js';
import { encodeBody } from './encode-body.js';
import type { ProxyResultV1 } from './types.js';

export interface AlbEncodeOptions {
  /** The target group sends and expects multi-value headers (`lambda.multi_value_headers.enabled`). */
  multiValue: boolean;
  method?: string;
  /** Told when single-value mode cannot carry every Set-Cookie. */
  warn?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Turns a Fetch `Response` into an ALB Lambda-target result in the header mode the request
 * came in. Single-value mode carries one value per header, so only the first Set-Cookie
 * survives; a warning says so.
 *
 * @example
 * ```ts
 * import { encodeAlb } from 'faasport/aws';
 * const result = await encodeAlb(new Response('ok'), { multiValue: true });
 * result.statusDescription; // "200 OK"
 * ```
 */
export async function encodeAlb(response: Response, options: AlbEncodeOptions): Promise<ProxyResultV1> {
  const { body, isBase64Encoded } = await encodeBody(response, options.method === 'HEAD');
  const statusDescription = `${response.status} ${response.statusText || STATUS_CODES[response.status] || ''}`.trim();
  if (options.multiValue) {
    return { statusCode: response.status, statusDescription, multiValueHeaders: toMultiValueHeaders(response.headers), body, isBase64Encoded };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) {
    headers['set-cookie'] = cookies[0]!;
    if (cookies.length > 1) {
      options.warn?.(
        `ALB single-value header mode carries one Set-Cookie; ${cookies.length - 1} more were dropped. Enable the target group attribute lambda.multi_value_headers.enabled to send them all`,
        { cookies: cookies.length },
      );
    }
  }
  return { statusCode: response.status, statusDescription, headers, body, isBase64Encoded };
}
