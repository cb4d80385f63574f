import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveClientAddress, setClientAddress, type ProxyTrust } from '../../src/client-address.js';
import { unsupportedMethod } from '../../src/http-methods.js';
import { originForm, plainHost } from '../../src/request-target.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Requests with a larger body get 413 before the handler runs; the body is never buffered past it. */
  maxBodyBytes: number;
  /**
   * Proxies whose forwarding headers are believed (see `TrustProxy` in faasport). Without it
   * the client address is the socket peer and the URL's host is the Host header; with it,
   * X-Forwarded-For is walked through the trusted proxies, and X-Forwarded-Host / -Proto are
   * taken when the peer itself is a trusted proxy.
   */
  trustProxy?: ProxyTrust;
  /** Called for errors outside any handler (a broken socket, a handler that threw past its own guard). */
  onError?: (err: unknown) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Serves a Fetch-style handler over node:http. The request URL's host is the Host header
 * when it is a plain host[:port]; X-Forwarded-Host, -Proto and -For count only when the
 * peer is a trusted proxy (`options.trustProxy`). `clientAddress(request)` gives the client.
 */
export function serve(handler: (request: Request) => Promise<Response>, options: ServeOptions): Promise<RunningServer> {
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      options.onError?.(err);
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal Server Error', code: 'INTERNAL' });
      else res.destroy();
    });
  });
  const address = (): AddressInfo => server.address() as AddressInfo;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // TRACE and TRACK cannot be put in a Fetch Request; Node hands CONNECT to 'connect' listeners, not here.
    const unsupported = unsupportedMethod(req.method ?? 'GET');
    if (unsupported) return sendJson(res, unsupported.status, await unsupported.json(), true);
    // A target that is neither a path nor an absolute URL is refused before any body is read.
    const target = originForm(req.url ?? '/');
    if (target === undefined) {
      return sendJson(res, 400, { error: `http ${req.method}: the request target must be a path or an absolute http(s) URL`, code: 'EVENT_INVALID' }, true);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) return refuseBody(req, res, tooLarge(declared, options.maxBodyBytes));
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, options.maxBodyBytes);
    if (body === null) return refuseBody(req, res, tooLarge(undefined, options.maxBodyBytes));
    const peer = req.socket.remoteAddress;
    const trust = options.trustProxy;
    const viaProxy = trust !== undefined && trust(peer, 0);
    const forwardedHost = viaProxy ? lastEntry(req.headers['x-forwarded-host']) : undefined;
    const host = plainHost(forwardedHost) ?? plainHost(req.headers.host) ?? `127.0.0.1:${address().port}`;
    const scheme = viaProxy && lastEntry(req.headers['x-forwarded-proto'])?.toLowerCase() === 'https' ? 'https' : 'http';
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      try {
        headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      } catch {
        /* a header value the Fetch API refuses is dropped, as fetch would */
      }
    }
    const request = new Request(`${scheme}://${host}${target}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body && body.length > 0 ? { body: body as unknown as BodyInit } : {}),
    });
    const forwardedFor = viaProxy ? req.headers['x-forwarded-for'] : undefined;
    setClientAddress(request, () => resolveClientAddress(peer, Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor, trust));
    const response = await handler(request);
    res.statusCode = response.status;
    if (response.statusText) res.statusMessage = response.statusText;
    response.headers.forEach((value, key) => {
      if (key !== 'set-cookie') res.setHeader(key, value);
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) res.setHeader('set-cookie', cookies);
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    }
    res.end();
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = address();
      const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * Reads the body, or null as soon as it passes `limit` (a lying Content-Length cannot make us
 * buffer more). Bodies are never decompressed here: a Content-Encoding: gzip body reaches the
 * handler as the bytes that were sent, so a compression bomb cannot inflate in the runtime.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

function tooLarge(declared: number | undefined, limit: number): Record<string, unknown> {
  return {
    error: `request body${declared !== undefined ? ` of ${declared} bytes` : ''} exceeds the limit of ${limit} bytes; send less or raise maxBodyBytes`,
    code: 'PAYLOAD_TOO_LARGE',
  };
}

/**
 * After a 413, read and drop (never keep) at most this much more, so an honest client that is
 * still sending its body reads the answer instead of a reset; then hang up on the rest.
 */
export const DRAIN_AFTER_REFUSAL_BYTES = 64 * 1024 * 1024;
const DRAIN_AFTER_REFUSAL_MS = 10_000;

/** Answers 413 and closes the connection without reading an unbounded body. */
function refuseBody(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): void {
  sendJson(res, 413, body, true);
  if (req.complete) return;
  let drained = 0;
  const hangUp = (): void => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(hangUp, DRAIN_AFTER_REFUSAL_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_AFTER_REFUSAL_BYTES) hangUp();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('error', () => clearTimeout(timer));
  req.resume();
}

function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) });
  res.end(text);
}

/** The value the nearest proxy wrote: the last of a comma-separated (or repeated) header. */
function lastEntry(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  const last = joined.slice(joined.lastIndexOf(',') + 1).trim();
  return last === '' ? undefined : last;
}
