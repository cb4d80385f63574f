import { toMultiValueHeaders } from './encode-api-gateway-v1.js';
import { encodeBody, responseHead } from './encode-body.js';
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
  const head = responseHead(response);
  const { body, isBase64Encoded } = await encodeBody(response, options.method === 'HEAD');
  const statusDescription = `${head.status} ${head.statusText || statusText(head.status)}`.trim();
  if (options.multiValue) {
    return { statusCode: head.status, statusDescription, multiValueHeaders: toMultiValueHeaders(head), body, isBase64Encoded };
  }
  const { headers, cookies } = head;
  if (cookies.length > 0) {
    headers['set-cookie'] = cookies[0]!;
    if (cookies.length > 1) {
      options.warn?.(
        `ALB single-value header mode carries one Set-Cookie; ${cookies.length - 1} more were dropped. Enable the target group attribute lambda.multi_value_headers.enabled to send them all`,
        { cookies: cookies.length },
      );
    }
  }
  return { statusCode: head.status, statusDescription, headers, body, isBase64Encoded };
}

/** The standard reason phrase; node:http is loaded on the first ALB answer, not at import (it costs cold start). */
function statusText(status: number): string {
  return process.getBuiltinModule('node:http').STATUS_CODES[status] ?? '';
}
