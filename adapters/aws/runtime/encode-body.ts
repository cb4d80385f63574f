import { lightResponseParts, standardResponse } from 'faasport/adapter-kit';

/** A response body as Lambda proxy integrations carry it. */
export interface EncodedBody {
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

const EMPTY: EncodedBody = Object.freeze({ body: '', isBase64Encoded: false });
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Text types whose bytes are safe to send as a UTF-8 string. XML is left out unless it says
// charset=utf-8: its encoding may be declared inside the document instead.
const TEXT_TYPE = /^(?:text\/(?!xml)[\w.+-]+|application\/(?:json|javascript|ecmascript|x-www-form-urlencoded|graphql|x-ndjson|[\w.-]+\+json))$/;
const XML_TYPE = /^(?:text\/xml|application\/xml|[\w.-]+\/[\w.-]+\+xml)$/;
const CHARSET = /;\s*charset\s*=\s*"?([\w-]+)"?/i;

/**
 * True when a body of this content type can travel as text without changing a byte: a
 * known text type whose charset is absent or UTF-8. Everything else travels as base64.
 */
export function isTextContentType(contentType: string | null): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  const charset = semi === -1 ? undefined : CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return false;
  if (TEXT_TYPE.test(type)) return true;
  return XML_TYPE.test(type) && charset !== undefined;
}

/** A response's status line and headers as Lambda results carry them: Set-Cookie apart, one entry each. */
export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names, each once (repeated values joined with ", " as `Headers` does), without set-cookie. */
  readonly headers: Record<string, string>;
  readonly cookies: string[];
}

/** The status and headers, straight from a light Response's init when it has one (no `Headers` built). */
export function responseHead(response: Response): ResponseHead {
  const parts = lightResponseParts(response);
  const headers: Record<string, string> = {};
  if (parts) return { status: parts.status, statusText: '', headers: { ...parts.headers }, cookies: [...parts.cookies] };
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') headers[name] = value;
  }
  return { status: response.status, statusText: response.statusText, headers, cookies: response.headers.getSetCookie() };
}

/**
 * Reads a Response body for a Lambda proxy result: text when the type is text and the bytes
 * are valid UTF-8, otherwise base64 with every byte intact.
 */
export async function encodeBody(response: Response, omitBody: boolean): Promise<EncodedBody> {
  const parts = lightResponseParts(response);
  if (parts) return omitBody ? EMPTY : encodeSource(parts.body ?? '', parts.headers['content-type'] ?? null);
  const source = bodySource(response);
  if (source !== undefined && !omitBody) return encodeSource(source, response.headers.get('content-type'));
  if (response.body === null) return EMPTY;
  if (omitBody) {
    await response.body.cancel();
    return EMPTY;
  }
  return encodeBytes(response.headers.get('content-type'), new Uint8Array(await response.arrayBuffer()));
}

function encodeSource(source: string | Uint8Array, contentType: string | null): EncodedBody {
  if (typeof source !== 'string') return encodeBytes(contentType, source);
  if (source.length === 0) return EMPTY;
  // A well-formed string of a text type is already the answer: no UTF-8 round trip.
  if (isTextContentType(contentType) && (source as string & { isWellFormed(): boolean }).isWellFormed()) return { body: source, isBase64Encoded: false };
  return encodeBytes(contentType, Buffer.from(source, 'utf8'));
}

function encodeBytes(contentType: string | null, bytes: Uint8Array): EncodedBody {
  if (bytes.length === 0) return EMPTY;
  if (isTextContentType(contentType)) {
    try {
      return { body: utf8.decode(bytes), isBase64Encoded: false };
    } catch {
      // not valid UTF-8 after all: fall through to base64
    }
  }
  return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), isBase64Encoded: true };
}

// Node's fetch (undici 6, Node 20/22) keeps the value a Response was built from (string or
// bytes) in an internal slot. Reading it skips a body stream round trip of ~9 µs per
// response; any other body (a stream, an unknown runtime) takes the stream path. Found on the
// first real Response encoded, not at import: making a Response loads undici.
let STATE: symbol | undefined | null = null;

function bodySource(response: Response): string | Uint8Array | undefined {
  if (STATE === null) STATE = Object.getOwnPropertySymbols(new (standardResponse())('')).find((s) => s.description === 'state');
  if (STATE === undefined || response.bodyUsed) return undefined;
  const state = (response as unknown as Record<symbol, { body?: { source?: unknown } | null } | undefined>)[STATE];
  const source = state?.body?.source;
  if (source instanceof Uint8Array) return source;
  // A string with lone surrogates would not survive as UTF-8: let the stream path encode it (in encodeSource).
  if (typeof source === 'string') return source;
  return undefined;
}
