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

/**
 * Reads a Response body for a Lambda proxy result: text when the type is text and the bytes
 * are valid UTF-8, otherwise base64 with every byte intact.
 */
export async function encodeBody(response: Response, omitBody: boolean): Promise<EncodedBody> {
  const source = bodySource(response);
  if (source !== undefined && !omitBody) {
    if (typeof source !== 'string') return encodeBytes(response, source);
    if (source.length === 0) return EMPTY;
    // A well-formed string of a text type is already the answer: no UTF-8 round trip.
    if (isTextContentType(response.headers.get('content-type'))) return { body: source, isBase64Encoded: false };
    return encodeBytes(response, Buffer.from(source, 'utf8'));
  }
  if (response.body === null) return EMPTY;
  if (omitBody) {
    await response.body.cancel();
    return EMPTY;
  }
  return encodeBytes(response, new Uint8Array(await response.arrayBuffer()));
}

function encodeBytes(response: Response, bytes: Uint8Array): EncodedBody {
  if (bytes.length === 0) return EMPTY;
  if (isTextContentType(response.headers.get('content-type'))) {
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
// response; any other body (a stream, an unknown runtime) takes the stream path.
const STATE = Object.getOwnPropertySymbols(new Response('')).find((s) => s.description === 'state');

function bodySource(response: Response): string | Uint8Array | undefined {
  if (STATE === undefined || response.bodyUsed) return undefined;
  const state = (response as unknown as Record<symbol, { body?: { source?: unknown } | null } | undefined>)[STATE];
  const source = state?.body?.source;
  if (source instanceof Uint8Array) return source;
  // A string with lone surrogates would not survive as UTF-8: let the stream path encode it.
  if (typeof source === 'string' && (source as string & { isWellFormed(): boolean }).isWellFormed()) return source;
  return undefined;
}
