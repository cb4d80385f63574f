import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Path prefixes of what `faasport dev` serves for tools rather than for the app: the dev API and the Lambda APIs. */
export const DEV_ROUTE_PREFIXES: readonly string[] = ['/_faasport/', '/2015-03-31/'];

/** Content types a web page can send without a CORS preflight (an HTML form, a `no-cors` fetch). */
const FORM_CONTENT_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface DevGuardOptions {
  /** The address the server listens on, as given to `listen` (`127.0.0.1`, `0.0.0.0`, `::`, a name). */
  readonly host: string;
  /** Its port; a function for a server on port 0, which learns it once listening (until then nothing passes). */
  readonly port: number | (() => number);
  /** The per-run token that requests named by `requireToken` must carry. */
  readonly token?: string;
  /** Which guarded requests must carry the token (default: all of them when a token is set). */
  readonly requireToken?: (request: Request, pathname: string) => boolean;
}

/** Answers a refusal for a request a web page (or a stranger) sent, or undefined to let it through. */
export type DevGuard = (request: Request) => Response | undefined;

/**
 * The one guard in front of every route `faasport dev` serves for tools (everything under
 * {@link DEV_ROUTE_PREFIXES}: the dev API, the Lambda APIs, and whatever else is served under
 * `/_faasport/`), so a web page open in the developer's browser cannot drive them:
 *
 * - a `Host` that is not the address the server listens on, or `localhost` / `127.0.0.1` /
 *   `[::1]` with its port, gets 421 (a DNS-rebinding page names its own host);
 * - a foreign `Origin`, or `Sec-Fetch-Site` other than `same-origin` / `none`, gets 403;
 * - a state-changing request with a `Content-Type` a form can send without preflight
 *   (`text/plain`, `application/x-www-form-urlencoded`, `multipart/form-data`) gets 403;
 * - where a token is required, a request without it gets 401. It is read from
 *   `x-faasport-token`, `Authorization: Bearer`, or the access key id of a SigV4
 *   `Authorization` (so `@aws-sdk/*` clients send it as `AWS_ACCESS_KEY_ID`).
 *
 * Requests from this machine without an `Origin` (curl, the SDKs, the CLI) pass with no
 * ceremony. The guard runs before the route, so a refused request changes nothing.
 *
 * @example
 * ```ts
 * import { createDevGuard, guardRoutes, serve } from 'faasport/local';
 * let port = 0;
 * const guard = createDevGuard({ host: '127.0.0.1', port: () => port });
 * const server = await serve(guardRoutes(guard, async () => new Response('ok')), { maxBodyBytes: 1024 });
 * port = server.port;
 * ```
 */
export function createDevGuard(options: DevGuardOptions): DevGuard {
  const token = options.token;
  const requireToken = options.requireToken ?? (() => token !== undefined);
  let known: { port: number; hosts: Set<string>; origins: Set<string> } | undefined;
  const allowed = (): { hosts: Set<string>; origins: Set<string> } => {
    const port = typeof options.port === 'function' ? options.port() : options.port;
    if (known?.port !== port) {
      const hosts = port > 0 ? allowedHosts(options.host, port) : new Set<string>();
      known = { port, hosts, origins: new Set([...hosts].map((h) => `http://${h}`)) };
    }
    return known;
  };

  return (request) => {
    const url = new URL(request.url);
    if (!isDevRoute(url.pathname)) return undefined;
    const operation = `${request.method} ${clip(url.pathname)}`;
    const { hosts, origins } = allowed();
    const host = request.headers.get('host');
    // HTTP/1.0 may omit Host; a browser never does.
    if (host !== null && !hosts.has(host.toLowerCase())) {
      return refuse(421, `${operation}: Host "${clip(host)}" does not name this dev server; it answers to ${[...hosts].slice(0, 3).join(', ')}`);
    }
    const origin = request.headers.get('origin');
    if (origin !== null && !origins.has(origin.toLowerCase())) {
      return refuse(403, `${operation}: refused a request from a web page (Origin ${clip(origin)}); call the dev server from curl, an SDK or the CLI`);
    }
    const site = request.headers.get('sec-fetch-site');
    if (site !== null && site !== 'same-origin' && site !== 'none') {
      return refuse(403, `${operation}: refused a ${clip(site)} request from a web page; call the dev server from curl, an SDK or the CLI`);
    }
    if (!SAFE_METHODS.has(request.method)) {
      const type = mediaType(request.headers.get('content-type'));
      if (type !== undefined && FORM_CONTENT_TYPES.has(type)) {
        return refuse(403, `${operation}: Content-Type ${type} is refused (a web page can send it unasked); send application/json (curl --json)`);
      }
    }
    if (token !== undefined && requireToken(request, url.pathname) && !carriesToken(request, token)) {
      return refuse(
        401,
        `${operation}: this dev server requires its per-run token (printed at start): send x-faasport-token: <token> or Authorization: Bearer <token>, or use it as AWS_ACCESS_KEY_ID`,
        { 'www-authenticate': 'Bearer realm="faasport dev"' },
      );
    }
    return undefined;
  };
}

/**
 * Puts `guard` in front of `handler`: a request it refuses never reaches the handler.
 *
 * @example
 * ```ts
 * import { createDevGuard, guardRoutes } from 'faasport/local';
 * const handler = guardRoutes(createDevGuard({ host: '127.0.0.1', port: 3000 }), async () => new Response('ok'));
 * ```
 */
export function guardRoutes(guard: DevGuard, handler: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => guard(request) ?? handler(request);
}

/** True for paths under {@link DEV_ROUTE_PREFIXES}. */
export function isDevRoute(pathname: string): boolean {
  return DEV_ROUTE_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

/** True when `host` (as given to `listen`) is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A fresh per-run token; it has no `/`, so it also serves as a SigV4 access key id. */
export function createDevToken(): string {
  return `FPDEV${randomBytes(16).toString('hex').toUpperCase()}`;
}

/**
 * Whether the request carries `token` in `header` (default x-faasport-token), a bearer, or a
 * SigV4 credential's access key id, compared in constant time. The container's control API
 * uses it too, with its own header.
 */
export function carriesToken(request: Request, token: string, header = 'x-faasport-token'): boolean {
  const sent = request.headers.get(header) ?? credentialOf(request.headers.get('authorization'));
  return sent !== undefined && sameSecret(sent, token);
}

function credentialOf(authorization: string | null): string | undefined {
  if (authorization === null) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1];
  return /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\//i.exec(authorization)?.[1];
}

/** Compares two secrets in a time that says nothing about either (their SHA-256 digests, with timingSafeEqual). */
export function sameSecret(a: string, b: string): boolean {
  // Digests have one length, so the comparison time says nothing about the token.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Host header values (lower case, with port) that name a server listening on `host`:`port`. */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', host.replace(/^\[|\]$/g, '').toLowerCase()]);
  if (names.has('0.0.0.0') || names.has('::') || names.has('')) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.replace(/%.*$/, '').toLowerCase());
  }
  const out = new Set<string>();
  for (const name of names) {
    if (name === '') continue;
    const authority = isIP(name) === 6 ? `[${name}]` : name;
    out.add(`${authority}:${port}`);
    if (port === 80) out.add(authority);
  }
  return out;
}

function mediaType(contentType: string | null): string | undefined {
  if (contentType === null) return undefined;
  return contentType.split(';', 1)[0]!.trim().toLowerCase();
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function refuse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: message, code: 'FORBIDDEN' }, { status, headers: { ...headers, connection: 'close' } });
}
