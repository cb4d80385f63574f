import { once } from 'node:events';
import type { FrameworkResponse } from './framework.js';
import { lightResponseParts } from 'faasport/adapter-kit';

/** What the adapter writes to the framework's Express response. */
export type ExpressResponseLike = Pick<FrameworkResponse, 'statusCode' | 'statusMessage' | 'setHeader' | 'write' | 'end' | 'destroy' | 'headersSent' | 'once'>;

const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * Writes a Fetch `Response` to the framework's Express response: status, every header
 * (each `Set-Cookie` as its own header line), and the body streamed byte for byte.
 * Bypasses Express's `res.send`, which would add an ETag or rewrite the content type.
 */
export async function encodeExpressResponse(response: Response, res: ExpressResponseLike, options: { head: boolean }): Promise<void> {
  // A light Response (see installLightResponse) with a string, bytes or no body: one write with a
  // Content-Length, no body stream and no chunked encoding.
  const parts = lightResponseParts(response);
  if (parts) {
    res.statusCode = parts.status;
    for (const name in parts.headers) res.setHeader(name, parts.headers[name]!);
    if (parts.cookies.length > 0) res.setHeader('set-cookie', parts.cookies as string[]);
    if (parts.body === null || options.head) {
      res.end();
      return;
    }
    const bytes = typeof parts.body === 'string' ? Buffer.from(parts.body, 'utf8') : parts.body;
    if (parts.headers['content-length'] === undefined) res.setHeader('content-length', String(bytes.byteLength));
    res.end(bytes);
    return;
  }
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);

  if (!response.body || options.head || NO_BODY.has(response.status)) {
    if (response.body) await response.body.cancel();
    res.end();
    return;
  }
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!res.write(chunk)) await once(res as unknown as NodeJS.EventEmitter, 'drain');
    }
    res.end();
  } catch (err) {
    // Headers are gone already: the only honest signal left is a broken connection.
    res.destroy(err as Error);
  }
}
