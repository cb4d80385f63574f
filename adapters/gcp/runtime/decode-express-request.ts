import { Readable } from 'node:stream';
import { FaasportError, payloadTooLarge } from 'faasport';
import { originForm, plainHost } from 'faasport/adapter-kit';
import { resolveClientAddress, setClientAddress, type ProxyTrust } from 'faasport/adapter-kit';
import type { FrameworkRequest } from './framework.js';

/** What the adapter reads from the framework's Express request. */
export type ExpressRequestLike = Pick<FrameworkRequest, 'method' | 'originalUrl' | 'rawHeaders' | 'protocol' | 'rawBody' | 'readable' | 'headers'> & {
  get(name: string): string | undefined;
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
};

/**
 * Turns the Functions Framework's Express request into a Fetch `Request`. The framework has
 * already read the body into `req.rawBody`; the Request streams that same buffer, so the
 * bytes are neither copied nor parsed until the handler reads them. A body the framework's
 * parsers skipped (no content type) is streamed from the socket instead.
 *
 * `clientAddress(request)` is the socket peer (Google's front end, on Cloud Functions) unless
 * `trust` says which proxies to believe: `1` (FAASPORT_TRUST_PROXY=1) takes the address that
 * front end appended to X-Forwarded-For. The framework's own `req.ip` is not used: it trusts
 * every proxy, so it is the left-most X-Forwarded-For entry, which the client wrote.
 *
 * Throws PAYLOAD_TOO_LARGE (413) when the body exceeds `maxBodyBytes`.
 */
export function decodeExpressRequest(req: ExpressRequestLike, maxBodyBytes: number, trust?: ProxyTrust): Request {
  const request = decodeBody(req, maxBodyBytes);
  const forwardedFor = trust ? req.headers['x-forwarded-for'] : undefined;
  const peer = req.socket?.remoteAddress;
  return setClientAddress(request, () => resolveClientAddress(peer, Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor, trust));
}

function decodeBody(req: ExpressRequestLike, maxBodyBytes: number): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method.toUpperCase();
  // The framework trusts proxies, so req.protocol echoes a client's X-Forwarded-Proto: keep only the two real schemes.
  const target = originForm(req.originalUrl);
  if (target === undefined) {
    throw new FaasportError('EVENT_INVALID', `http ${method}: the request target must be a path or an absolute http(s) URL`, {
      status: 400,
      details: { path: 'url' },
    });
  }
  const url = `${req.protocol === 'https' ? 'https' : 'http'}://${plainHost(req.get('host')) ?? 'localhost'}${target}`;
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });

  const bytes = req.rawBody;
  if (bytes !== undefined) {
    if (bytes.length > maxBodyBytes) throw tooLarge(req, bytes.length, maxBodyBytes);
    if (bytes.length === 0) return new Request(url, { method, headers });
    return new Request(url, { method, headers, body: streamOf(bytes), duplex: 'half' } as RequestInit);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) throw tooLarge(req, declared, maxBodyBytes);
  const unread = req.readable && (declared > 0 || req.headers['transfer-encoding'] !== undefined);
  if (!unread) return new Request(url, { method, headers });
  return new Request(url, { method, headers, body: limited(req as unknown as Readable, maxBodyBytes, req), duplex: 'half' } as RequestInit);
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function limited(source: Readable, maxBodyBytes: number, req: ExpressRequestLike): ReadableStream<Uint8Array> {
  let seen = 0;
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) return controller.close();
      seen += (value as Buffer).length;
      if (seen > maxBodyBytes) {
        source.destroy();
        return controller.error(tooLarge(req, seen, maxBodyBytes));
      }
      controller.enqueue(value as Buffer);
    },
    cancel: () => void source.destroy(),
  });
}

function tooLarge(req: ExpressRequestLike, bytes: number, limit: number) {
  return payloadTooLarge(
    `http ${req.method} ${req.originalUrl.split('?')[0]}`,
    bytes,
    limit,
    'Cloud Functions requests',
    'send a smaller body or upload to Cloud Storage and send a reference',
  );
}
