import { randomUUID } from 'node:crypto';
import type { App, HttpFunctionDefinition } from 'faasport';
import { isTextContentType } from '../runtime/encode-body.js';
import { LAMBDA_MAX_PAYLOAD_BYTES } from '../runtime/limits.js';
import type { ApiGatewayV2EventLike, ProxyResultV2 } from '../runtime/types.js';

/**
 * What API Gateway (HTTP API, payload 2.0) does in front of Lambda, for tests: picks the
 * function whose route and method match, turns the request into the v2 event as it travels
 * (JSON), and turns the function's result back into an HTTP response.
 */
export function matchRoute(app: App, method: string, pathname: string): HttpFunctionDefinition | undefined {
  const candidates = app.functions.filter(
    (f): f is HttpFunctionDefinition =>
      f.kind === 'http' &&
      (f.methods === '*' || (f.methods as readonly string[]).includes(method) || (method === 'HEAD' && f.methods.includes('GET'))) &&
      f.route.match(pathname) !== undefined,
  );
  return candidates.sort((a, b) => compare(a.route.specificity, b.route.specificity))[0];
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** The HTTP API v2 event for `request`, as JSON text (what Lambda receives). */
export async function toApiGatewayV2Event(request: Request, routeKey: string): Promise<string> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  request.headers.forEach((value, name) => {
    if (name === 'cookie')
      cookies = value
        .split(';')
        .map((c) => c.trim())
        .filter(Boolean);
    else headers[name] = value;
  });
  headers.host ??= url.host;
  // API Gateway serves HTTPS only and sets X-Forwarded-Proto itself, over whatever the client sent.
  headers['x-forwarded-proto'] = 'https';
  const bytes = new Uint8Array(await request.arrayBuffer());
  const text = bytes.length > 0 && isTextContentType(request.headers.get('content-type'));
  const event: ApiGatewayV2EventLike = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    requestContext: {
      requestId: randomUUID(),
      stage: '$default',
      domainName: url.host,
      timeEpoch: Date.now(),
      http: { method: request.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
    },
    ...(bytes.length > 0 ? { body: text ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString('base64') } : {}),
    isBase64Encoded: bytes.length > 0 && !text,
  };
  return JSON.stringify(event);
}

/** Lambda refuses an invocation payload over 6 MB before the function runs. */
export function exceedsPayloadLimit(eventJson: string): boolean {
  return Buffer.byteLength(eventJson) > LAMBDA_MAX_PAYLOAD_BYTES;
}

/** The HTTP response API Gateway sends for a v2 result. */
export function fromApiGatewayV2Result(result: ProxyResultV2): Response {
  const headers = new Headers(result.headers);
  for (const cookie of result.cookies ?? []) headers.append('set-cookie', cookie);
  const body = result.body ? (result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body) : null;
  return new Response(result.statusCode === 204 || result.statusCode === 304 ? null : body, { status: result.statusCode, headers });
}

/** API Gateway's own answers, which never reach the function. */
export const gatewayNotFound = (): Response => Response.json({ message: 'Not Found' }, { status: 404 });
export const gatewayTooLarge = (): Response => Response.json({ message: 'Request Entity Too Large' }, { status: 413 });
