import type { Cookie, HttpResponseInit } from '@azure/functions';

/**
 * Turns a Fetch `Response` into the HttpResponseInit the library sends to the host.
 * Set-Cookie headers become `cookies` (the host writes them; a plain header would keep only
 * one), cookie names keep their case, and the body stays a byte stream so binary content is
 * passed through untouched.
 *
 * @example
 * ```ts
 * import { encodeHttpResponse } from 'faasport/azure';
 * const init = encodeHttpResponse(new Response('hi', { headers: { 'set-cookie': 'Session=1; HttpOnly' } }));
 * // init.cookies: [{ name: 'Session', value: '1', httpOnly: true }]
 * ```
 */
export function encodeHttpResponse(response: Response): HttpResponseInit {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const setCookies = response.headers.getSetCookie();
  const init: HttpResponseInit = { status: response.status, headers };
  if (setCookies.length > 0) init.cookies = setCookies.map(parseSetCookie);
  if (response.body) init.body = response.body as HttpResponseInit['body'];
  return init;
}

/** Parses one Set-Cookie value (RFC 6265 §5.2) into the library's Cookie shape. */
export function parseSetCookie(header: string): Cookie {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  const cookie: Cookie = eq < 0 ? { name: '', value: pair.trim() } : { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i < 0 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const value = i < 0 ? '' : attribute.slice(i + 1).trim();
    switch (key) {
      case 'domain':
        if (value) cookie.domain = value;
        break;
      case 'path':
        if (value) cookie.path = value;
        break;
      case 'expires': {
        const at = Date.parse(value);
        if (!Number.isNaN(at)) cookie.expires = new Date(at);
        break;
      }
      case 'max-age':
        if (/^-?\d+$/.test(value)) cookie.maxAge = Number(value);
        break;
      case 'secure':
        cookie.secure = true;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'samesite': {
        const v = value.toLowerCase();
        if (v === 'strict') cookie.sameSite = 'Strict';
        else if (v === 'lax') cookie.sameSite = 'Lax';
        else if (v === 'none') cookie.sameSite = 'None';
        break;
      }
    }
  }
  return cookie;
}
