import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveClientAddress, setClientAddress, type ProxyTrust } from 'faasport/adapter-kit';
import { unsupportedMethod } from 'faasport/adapter-kit';
import { installLightResponse, lightResponseParts } from 'faasport/adapter-kit';
import { originForm, plainHost } from 'faasport/adapter-kit';

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
  /** Connections held at once; one more is dropped as it is accepted (default {@link SERVE_DEFAULTS}). */
  maxConnections?: number;
  /**
   * Request body bytes held across all connections at once, from the first byte read until the
   * answer is sent; a request that would pass it gets 503 SERVER_BUSY and its bytes are dropped.
   * Raised to `maxBodyBytes` when smaller, so one request of the largest size always fits.
   */
  maxInFlightBodyBytes?: number;
  /** Time to receive a request's headers, ms; then 408 and the connection closes. */
  headersTimeoutMs?: number;
  /** Time to receive a whole request (headers and body), ms; then 408 and the connection closes. */
  requestTimeoutMs?: number;
}

/** The resource caps `serve` (and so `faasport dev`) applies when none are given. */
export const SERVE_DEFAULTS = Object.freeze({
  maxConnections: 512,
  maxInFlightBodyBytes: 64 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
});

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
  const headersTimeout = options.headersTimeoutMs ?? SERVE_DEFAULTS.headersTimeoutMs;
  const requestTimeout = options.requestTimeoutMs ?? SERVE_DEFAULTS.requestTimeoutMs;
  const budget = new BodyBudget(Math.max(options.maxInFlightBodyBytes ?? SERVE_DEFAULTS.maxInFlightBodyBytes, options.maxBodyBytes));
  const serverOptions = {
    headersTimeout: Math.min(headersTimeout, requestTimeout),
    requestTimeout,
    // Node checks both timeouts on this interval (default 30 s, which would let a stalled upload live twice as long).
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
  const server = createServer(serverOptions, (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      options.onError?.(err);
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal Server Error', code: 'INTERNAL' });
      else res.destroy();
    });
  });
  server.maxConnections = options.maxConnections ?? SERVE_DEFAULTS.maxConnections;
  const address = (): AddressInfo => server.address() as AddressInfo;

  let lightResponseChecked = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // On the first request, not when the module loads: making the light Response loads undici.
    if (!lightResponseChecked) {
      lightResponseChecked = true;
      installLightResponse();
    }
    // TRACE and TRACK cannot be put in a Fetch Request; Node hands CONNECT to 'connect' listeners, not here.
    const unsupported = unsupportedMethod(req.method ?? 'GET');
    if (unsupported) return sendJson(res, unsupported.status, await unsupported.json(), true);
    // A target that is neither a path nor an absolute URL is refused before any body is read.
    const target = originForm(req.url ?? '/');
    if (target === undefined) {
      return sendJson(res, 400, { error: `http ${req.method}: the request target must be a path or an absolute http(s) URL`, code: 'EVENT_INVALID' }, true);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) return refuseBody(req, res, 413, tooLarge(declared, options.maxBodyBytes));
    let body: Buffer | undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const hold = budget.holdFor(res);
      const read = await readBody(req, options.maxBodyBytes, hold);
      if (read.ok) body = read.body;
      else {
        hold.release();
        if (read.reason === 'aborted') return;
        if (read.reason === 'too-large') return refuseBody(req, res, 413, tooLarge(undefined, options.maxBodyBytes));
        return refuseBody(req, res, 503, busy(budget.limit), { 'retry-after': '1' });
      }
    }
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
    if (sendLight(res, response)) return;
    res.statusCode = response.status;
    if (response.statusText) res.statusMessage = response.statusText;
    response.headers.forEach((value, key) => {
      if (key !== 'set-cookie') res.setHeader(key, value);
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) res.setHeader('set-cookie', cookies);
    if (response.body) {
      // A client that goes away cancels the body: a stream (server-sent events) learns it and stops.
      const reader = response.body.getReader();
      const cancel = (): void => void reader.cancel().catch(() => {});
      res.once('close', cancel);
      try {
        for (let read = await reader.read(); !read.done; read = await reader.read()) {
          // A reader slower than the stream is not buffered without bound here: the body waits.
          if (!res.write(read.value)) await drained(res);
        }
      } finally {
        res.off('close', cancel);
      }
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

/** Resolves when `res` can take more, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Answers a light Response (a string, bytes or no body, as almost every handler returns) in
 * one write with a Content-Length: no body stream, no chunked encoding. False when the
 * response is not one (a stream, a read or materialised one): the caller streams it.
 */
function sendLight(res: ServerResponse, response: Response): boolean {
  const parts = lightResponseParts(response);
  if (!parts) return false;
  res.statusCode = parts.status;
  for (const name in parts.headers) res.setHeader(name, parts.headers[name]!);
  if (parts.cookies.length > 0) res.setHeader('set-cookie', parts.cookies as string[]);
  if (parts.body === null) {
    res.end();
    return true;
  }
  const bytes = typeof parts.body === 'string' ? Buffer.from(parts.body, 'utf8') : parts.body;
  if (!res.hasHeader('content-length')) res.setHeader('content-length', bytes.byteLength);
  res.end(bytes);
  return true;
}

/** What reading a request body came to. */
export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'busy' | 'aborted' };

/** Bytes a request holds against the server's in-flight body budget. */
export interface BodyHold {
  /** Counts `bytes` more; false when the budget has no room for them. */
  take(bytes: number): boolean;
  /** Gives back all this request holds (also done when its answer is sent). */
  release(): void;
}

/** The server-wide budget of request body bytes in memory at once. */
class BodyBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  /** A hold for one request, given back when its response closes (answered or connection gone). */
  holdFor(res: ServerResponse): BodyHold {
    let held = 0;
    let released = false;
    const hold: BodyHold = {
      take: (bytes) => {
        if (released) return true;
        if (this.used + bytes > this.limit) return false;
        this.used += bytes;
        held += bytes;
        return true;
      },
      release: () => {
        this.used -= held;
        held = 0;
        released = true;
      },
    };
    res.once('close', hold.release);
    return hold;
  }
}

/**
 * Reads the body, stopping as soon as it passes `limit` (a lying Content-Length cannot make us
 * buffer more) or the server-wide `hold` has no room; a connection that goes away mid-body is
 * `aborted`, not an error. Bodies are never decompressed here: a Content-Encoding: gzip body
 * reaches the handler as the bytes that were sent, so a compression bomb cannot inflate in the runtime.
 */
export function readBody(req: IncomingMessage, limit: number, hold?: BodyHold): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyRead): void => {
      if (done) return;
      done = true;
      if (!result.ok) {
        chunks.length = 0;
        req.pause();
      }
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) return finish({ ok: false, reason: 'too-large' });
      if (hold && !hold.take(chunk.length)) return finish({ ok: false, reason: 'busy' });
      chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, body: Buffer.concat(chunks, size) }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
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

function busy(limit: number): Record<string, unknown> {
  return {
    error: `request bodies in flight on this server passed ${limit} bytes; retry shortly, or raise --max-inflight-body-bytes`,
    code: 'SERVER_BUSY',
  };
}

/** Answers 413 or 503 and closes the connection without reading an unbounded body. */
function refuseBody(req: IncomingMessage, res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  sendJson(res, status, body, true, headers);
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

function sendJson(res: ServerResponse, status: number, body: unknown, close = false, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** The value the nearest proxy wrote: the last of a comma-separated (or repeated) header. */
function lastEntry(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  const last = joined.slice(joined.lastIndexOf(',') + 1).trim();
  return last === '' ? undefined : last;
}
