/**
 * A Fetch `Request` built lazily from a Lambda HTTP event.
 *
 * Constructing a real `Request` (URL parsing, a `Headers` object, a body stream) costs
 * 10-20 µs on Node, more than many handlers spend. A `LambdaRequest` holds the event and
 * computes `url`, `headers` and the body on first use; anything else (`signal`, `clone()`,
 * `body` as a stream, ...) materialises one real `Request` and delegates to it. Its
 * prototype chain includes `Request.prototype`, so `request instanceof Request` holds.
 */

import { invalidField, stringAt } from './event-fields.js';
import { FaasportError, setClientAddress } from 'faasport';
import { delegateMembers } from './delegate.js';
import { delegateToHeaders, LazyHeaders, type HeaderLookup } from './lazy-headers.js';

const CLIENT_IP = Symbol.for('faasport.clientIp');
/** An HTTP method token, as `new Request` accepts it. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const EMPTY: Uint8Array<ArrayBuffer> = new Uint8Array(0);

/**
 * Decodes a Lambda body to bytes. A body flagged base64 that is not base64 (console test
 * events do this) is taken as UTF-8 text rather than decoded into garbage bytes.
 */
export function bodyBytes(body: string | null | undefined, isBase64Encoded: boolean): Uint8Array<ArrayBuffer> {
  if (!body) return EMPTY;
  if (isBase64Encoded && body.length % 4 === 0 && BASE64.test(body)) return Buffer.from(body, 'base64');
  return Buffer.from(body, 'utf8');
}

export abstract class LambdaRequest {
  readonly method: string;
  /** What the decoder names in EVENT_INVALID messages, e.g. "aws API Gateway v1 event". */
  protected readonly operation: string;
  readonly #body: unknown;
  readonly #isBase64Encoded: boolean;
  #url: string | undefined;
  #headers: Headers | undefined;
  #real: Request | undefined;
  #used = false;

  /**
   * `method` and `isBase64Encoded` are checked now (one typeof each); the body's type when it
   * is read. A wrong type is EVENT_INVALID naming `methodPath` or `body`.
   */
  constructor(method: unknown, methodPath: string, body: unknown, isBase64Encoded: unknown, operation: string) {
    // A LambdaRequest is a Request from its first moment (instanceof, every member), though undici loads only now.
    delegateToRequest();
    this.operation = operation;
    const text = stringAt(method, operation, methodPath);
    if (!METHOD.test(text)) throw invalidField(operation, methodPath, 'an HTTP method name', 'string');
    this.method = text.toUpperCase();
    // A Fetch Request carries no body on GET or HEAD, and no other adapter hands one over: read
    // as empty before and after materialise() alike.
    this.#body = this.method === 'GET' || this.method === 'HEAD' ? undefined : body;
    if (isBase64Encoded !== undefined && isBase64Encoded !== null && typeof isBase64Encoded !== 'boolean') {
      throw invalidField(operation, 'isBase64Encoded', 'a boolean', isBase64Encoded);
    }
    this.#isBase64Encoded = isBase64Encoded === true;
  }

  /** The body text as the event carries it (base64 or not); undefined when there is none. */
  #bodyText(): string | undefined {
    const body = this.#body;
    if (body === undefined || body === null) return undefined;
    if (typeof body !== 'string') throw invalidField(this.operation, 'body', 'a string', body);
    return body;
  }

  /** The absolute URL the client asked for (path and query percent-encoded as received). */
  protected abstract requestUrl(): string;
  /** A new `Headers` with every value the event carries, repeated names kept. */
  protected abstract requestHeaders(): Headers;
  /**
   * Answers `headers.get(name)` from the event without building a `Headers`, when the event's
   * header map allows it (see `mapLookup`); undefined: the real `Headers` is built at once.
   */
  protected headerLookup(): HeaderLookup | undefined {
    return undefined;
  }
  /** The address the platform saw the connection from (never a client-supplied header). */
  abstract readonly clientIp: string | undefined;

  get url(): string {
    return (this.#url ??= this.requestUrl());
  }

  get headers(): Headers {
    if (this.#headers) return this.#headers;
    const lookup = lazyRequestSupported() ? this.headerLookup() : undefined;
    return (this.#headers = lookup ? (new LazyHeaders(lookup, () => this.requestHeaders()) as unknown as Headers) : this.requestHeaders());
  }

  get [CLIENT_IP](): string | undefined {
    return this.clientIp;
  }

  get bodyUsed(): boolean {
    return this.#real ? this.#real.bodyUsed : this.#used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.materialise().body;
  }

  async text(): Promise<string> {
    if (this.#real) return this.#real.text();
    const body = this.#bodyText();
    this.#consume();
    if (!body) return '';
    return this.#isBase64Encoded ? Buffer.from(bodyBytes(body, true)).toString('utf8') : body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#real) return new Uint8Array(await this.#real.arrayBuffer());
    const body = this.#bodyText();
    this.#consume();
    return new Uint8Array(bodyBytes(body, this.#isBase64Encoded));
  }

  async blob(): Promise<Blob> {
    if (this.#real) return this.#real.blob();
    const bytes = await this.bytes();
    return new Blob([bytes], { type: this.headers.get('content-type') ?? '' });
  }

  /** The real `Request`, created once, for everything the fast paths above do not cover. */
  materialise(): Request {
    if (!this.#real) {
      const body = this.#used ? undefined : this.#bodyText();
      this.#real = new Request(this.url, {
        method: this.method,
        headers: realHeaders(this.headers),
        body: body ? bodyBytes(body, this.#isBase64Encoded) : null,
      });
    }
    return this.#real;
  }

  #consume(): void {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
  }
}

let delegated = false;

/**
 * Everything not implemented above delegates to the materialised Request: own members of
 * Request.prototype (signal, clone, formData, ...) and undici's internal symbol slots, so
 * that `fetch(request)` and `new Request(request)` accept a LambdaRequest on Node 20/22.
 * Node 24's undici keeps that state in private fields, which no delegate can reach: there
 * `toFetchRequest` hands the function a real Request instead (see lazyRequestSupported).
 * Done on the first request, not at import: touching `Request` loads undici (tens of ms of cold start).
 */
function delegateToRequest(): void {
  if (delegated) return;
  delegated = true;
  delegateMembers(LambdaRequest, Request, [
    ...Object.getOwnPropertyNames(Request.prototype),
    ...Object.getOwnPropertySymbols(new Request('http://localhost/')),
  ]);
}

/** A LambdaRequest made only to find out whether this Node's Request accepts one. */
class ProbeRequest extends LambdaRequest {
  readonly clientIp = undefined;
  constructor() {
    super('POST', 'method', 'probe', false, 'faasport lazy Request probe');
  }
  protected requestUrl(): string {
    return 'http://localhost/probe?x=1';
  }
  protected requestHeaders(): Headers {
    return new Headers({ 'content-type': 'text/plain' });
  }
}

let lazySupported: boolean | undefined;

/** The real Headers behind lazy ones (a real Request is made from it). */
function realHeaders(headers: Headers): Headers {
  return headers instanceof LazyHeaders ? headers.materialise() : headers;
}

/**
 * Whether this Node's Fetch implementation takes a LambdaRequest where it takes a Request
 * (`new Request(req)`, `fetch(req)`): true on Node 20 and 22, false on Node 24, whose undici
 * reads private fields. Found out once, on the first HTTP invocation, by trying it;
 * `FAASPORT_LAZY_REQUEST=0` turns the lazy request off (to run the suites on the standard path).
 */
export function lazyRequestSupported(): boolean {
  if (lazySupported === undefined) {
    // False while the probe runs: the probe's own request reads its headers (real ones) through this.
    lazySupported = false;
    delegateToRequest();
    delegateToHeaders();
    lazySupported = process.env.FAASPORT_LAZY_REQUEST !== '0' && probeLazyRequest();
  }
  return lazySupported;
}

function probeLazyRequest(): boolean {
  try {
    const copy = new Request(new ProbeRequest() as unknown as Request);
    if (copy.url !== 'http://localhost/probe?x=1' || copy.method !== 'POST' || copy.headers.get('content-type') !== 'text/plain') return false;
    // The lazy headers too: answered from the event, read whole through the real ones, taken by the Fetch API.
    const lazy = new LazyHeaders(
      (name) => (name === 'x-probe' ? 'yes' : null),
      () => new Headers({ 'x-probe': 'yes' }),
    ) as unknown as Headers;
    return (
      lazy instanceof Headers &&
      lazy.get('X-Probe') === 'yes' &&
      !lazy.has('other') &&
      [...lazy].length === 1 &&
      new Headers(lazy).get('x-probe') === 'yes' &&
      new Request('http://localhost/', { headers: lazy }).headers.get('x-probe') === 'yes'
    );
  } catch {
    return false;
  }
}

/**
 * The Request a function receives: the lazy one where this Node accepts it as a Request,
 * else one real Request built from it (same URL, headers, body and client address), so a
 * Node upgrade costs speed, never correctness.
 */
export function toFetchRequest(request: LambdaRequest, lazy = lazyRequestSupported()): Request {
  if (lazy) {
    delegateToRequest();
    return request as unknown as Request;
  }
  let real: Request;
  try {
    real = request.materialise();
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    // What the Fetch API refuses (a method or URL it cannot carry) is a bad event, as on the lazy path.
    throw new FaasportError('EVENT_INVALID', `aws HTTP event: the Fetch API cannot carry this request (${err.message})`, { cause: err, details: { path: '' } });
  }
  return setClientAddress(real, () => request.clientIp);
}

/**
 * The client address AWS saw for this request: `sourceIp` from API Gateway or the Function
 * URL, or for ALB the entry the load balancer appended to X-Forwarded-For. The same function
 * as `clientAddress` from `faasport`, which works on every adapter.
 */
export { clientAddress } from 'faasport/adapter-kit';
