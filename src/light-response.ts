/**
 * A `Response` that keeps its body and init and builds the real (undici) one only when
 * something asks for what only the real one has, as @hono/node-server does.
 *
 * `new Response(...)` on Node costs 10-20 µs (a `Headers`, a body stream, webidl checks),
 * more than many handlers spend; an adapter that only needs the status, the headers and a
 * string body can read them from here for almost nothing (`lightResponseParts`). Anything
 * else (`body`, `text()`, `clone()`, `type`, ...) goes to one real `Response` made from the
 * same arguments, so the slow path stays standard. Arguments the fast path does not cover
 * (a stream or Blob body, a `Headers` or array init, an odd status, a header the Fetch API
 * would normalise or refuse) build the real one at once, so errors are thrown where the
 * standard throws them.
 *
 * Installed as `globalThis.Response` by {@link installLightResponse} (the runtimes that encode
 * responses themselves call it): `Response.json(...)` and `new Response(...)` in user code then
 * make light ones, `instanceof Response` holds for light and real ones alike.
 */

type RealResponseClass = typeof Response;

const PARTS = Symbol('faasport.lightResponse');
/** A header name: an HTTP token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value the Fetch API keeps as is: Latin-1 without NUL, CR, LF, no leading/trailing whitespace. */
const PLAIN_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** What an encoder needs from a light Response that nothing has turned into a real one yet. */
export interface LightResponseParts {
  readonly status: number;
  /** Lower-case name → value, each name once, without set-cookie; content-type filled in as the standard would. */
  readonly headers: Readonly<Record<string, string>>;
  /** Each Set-Cookie value. */
  readonly cookies: readonly string[];
  readonly body: string | Uint8Array | null;
}

interface State {
  parts: LightResponseParts | undefined;
  args: [BodyInit | null | undefined, ResponseInit | undefined];
  real: Response | undefined;
  headers: Headers | undefined;
}

let Real: RealResponseClass | undefined;
let installed: RealResponseClass | undefined;

/** The parts of `response` when it is a light one still unread and unmaterialised; else undefined. */
export function lightResponseParts(response: unknown): LightResponseParts | undefined {
  const state = (response as { [PARTS]?: State } | null)?.[PARTS];
  if (!state || state.real || !state.parts) return undefined;
  if (!state.headers) return state.parts;
  // Headers handed out may have been changed: then the Headers object is the truth.
  const headers: Record<string, string> = {};
  for (const [name, value] of state.headers) if (name !== 'set-cookie') headers[name] = value;
  return { status: state.parts.status, headers, cookies: state.headers.getSetCookie(), body: state.parts.body };
}

/** The standard Response class of this process, also after the light one took its global name. */
export function standardResponse(): RealResponseClass {
  return Real ?? globalThis.Response;
}

/** Fast-path parts for these arguments, or undefined when only the real constructor may judge them. */
function partsOf(body: unknown, init: ResponseInit | undefined, contentType: string | undefined): LightResponseParts | undefined {
  if (body !== null && body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) return undefined;
  let status = 200;
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  if (init !== undefined && init !== null) {
    if (typeof init !== 'object') return undefined;
    const proto = Object.getPrototypeOf(init) as unknown;
    if (proto !== Object.prototype && proto !== null) return undefined;
    for (const key of Object.keys(init)) if (key !== 'status' && key !== 'headers') return undefined;
    if (init.status !== undefined) {
      if (typeof init.status !== 'number' || !Number.isInteger(init.status) || init.status < 200 || init.status > 599) return undefined;
      status = init.status;
    }
    const h = init.headers;
    if (h !== undefined) {
      if (typeof h !== 'object' || h === null) return undefined;
      const hp = Object.getPrototypeOf(h) as unknown;
      if (hp !== Object.prototype && hp !== null) return undefined;
      for (const name of Object.keys(h)) {
        const value = (h as Record<string, unknown>)[name];
        if (typeof value !== 'string' || !TOKEN.test(name) || !PLAIN_VALUE.test(value)) return undefined;
        const lower = name.toLowerCase();
        // The same name twice in different case: the standard joins them; leave that to it.
        if (Object.hasOwn(headers, lower) || (lower === 'set-cookie' && cookies.length > 0)) return undefined;
        if (lower === 'set-cookie') cookies = [value];
        else headers[lower] = value;
      }
    }
  }
  if (body !== null && body !== undefined && NULL_BODY_STATUS.has(status)) return undefined;
  if (contentType !== undefined && !Object.hasOwn(headers, 'content-type')) headers['content-type'] = contentType;
  return { status, headers, cookies, body: (body as string | Uint8Array | null | undefined) ?? null };
}

/** The real Response behind a light one, made once from the constructor's arguments. */
function real(self: object): Response {
  const s = (self as { [PARTS]?: State })[PARTS]!;
  if (!s.real) {
    s.real = new Real!(s.args[0], s.args[1]);
    // Headers already handed out stay the response's headers: copy what was changed on them.
    if (s.headers) {
      for (const name of [...s.real.headers.keys()]) s.real.headers.delete(name);
      for (const [name, value] of s.headers) if (name !== 'set-cookie') s.real.headers.append(name, value);
      for (const cookie of s.headers.getSetCookie()) s.real.headers.append('set-cookie', cookie);
    }
  }
  return s.real;
}

function createLightClass(R: RealResponseClass): RealResponseClass {
  class LightResponse {
    declare [PARTS]: State;
    constructor(body?: BodyInit | null, init?: ResponseInit) {
      const parts = partsOf(body, init, typeof body === 'string' ? 'text/plain;charset=UTF-8' : undefined);
      const s: State = { parts, args: [body, init], real: undefined, headers: undefined };
      Object.defineProperty(this, PARTS, { value: s });
      // Arguments the fast path does not judge: the standard constructor runs now, throwing where it throws.
      if (!parts) s.real = new R(body, init);
    }

    static json(data: unknown, init?: ResponseInit): Response {
      const text = JSON.stringify(data);
      const parts = typeof text === 'string' ? partsOf(text, init, 'application/json') : undefined;
      if (!parts) return R.json(data, init);
      const self = Object.create(LightResponse.prototype) as LightResponse;
      const args: [string, ResponseInit] = [
        text,
        { ...init, headers: [...Object.entries(parts.headers), ...parts.cookies.map((c) => ['set-cookie', c] as [string, string])] },
      ];
      Object.defineProperty(self, PARTS, { value: { parts, args, real: undefined, headers: undefined } satisfies State });
      return self as unknown as Response;
    }

    static [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof R;
    }

    get status(): number {
      const s = (this as { [PARTS]?: State })[PARTS];
      if (!s) return standardGetter(R, 'status', this) as number;
      return s.real ? s.real.status : s.parts!.status;
    }

    get ok(): boolean {
      const status = this.status;
      return status >= 200 && status < 300;
    }

    get statusText(): string {
      const s = (this as { [PARTS]?: State })[PARTS];
      if (!s) return standardGetter(R, 'statusText', this) as string;
      return s.real ? s.real.statusText : '';
    }

    get headers(): Headers {
      const s = (this as { [PARTS]?: State })[PARTS];
      if (!s) return standardGetter(R, 'headers', this) as Headers;
      if (s.real) return s.real.headers;
      if (!s.headers) {
        const h = new Headers(s.parts!.headers);
        for (const cookie of s.parts!.cookies) h.append('set-cookie', cookie);
        s.headers = h;
      }
      return s.headers;
    }
  }
  Object.setPrototypeOf(LightResponse, R);
  Object.setPrototypeOf(LightResponse.prototype, R.prototype);
  const proto = LightResponse.prototype as unknown as Record<PropertyKey, unknown>;
  const own = new Set<PropertyKey>(Reflect.ownKeys(LightResponse.prototype));
  for (const key of Reflect.ownKeys(R.prototype)) {
    if (own.has(key) || key === 'constructor' || key === Symbol.toStringTag) continue;
    const descriptor = Object.getOwnPropertyDescriptor(R.prototype, key)!;
    if (typeof descriptor.value === 'function') {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(proto, key, {
        value(this: object, ...args: unknown[]) {
          return method.apply(withHeaders(this), args);
        },
        configurable: true,
        writable: true,
      });
    } else if (descriptor.get) {
      const get = descriptor.get;
      Object.defineProperty(proto, key, {
        get(this: object) {
          return get.call(withHeaders(this));
        },
        configurable: true,
      });
    }
  }
  return LightResponse as unknown as RealResponseClass;
}

/** A standard Response's own getter, for a real Response read through the light prototype's members. */
function standardGetter(R: RealResponseClass, key: 'status' | 'statusText' | 'headers', self: object): unknown {
  return Object.getOwnPropertyDescriptor(R.prototype, key)!.get!.call(self);
}

/** The real response, after headers handed out earlier are synced into it; parts are no longer valid. */
function withHeaders(self: object): Response {
  const s = (self as { [PARTS]?: State })[PARTS];
  // A real Response reached through the light prototype (a member borrowed from it): itself.
  if (!s) return self as Response;
  const r = real(self);
  s.parts = undefined;
  return r;
}

/**
 * Whether a light Response passes for the standard one on this Node: `instanceof`, its parts,
 * its headers. Cheap on purpose (it runs in the first request): reads of the body go to a real
 * Response, which the tests check on every Node of the CI.
 */
function probe(Light: RealResponseClass, R: RealResponseClass): boolean {
  try {
    const a = Light.json({ probe: 1 }, { status: 201, headers: { 'x-probe': 'yes', 'set-cookie': 'a=1' } });
    const parts = lightResponseParts(a);
    if (
      !(a instanceof R) ||
      !(a instanceof Light) ||
      !(new R(null) instanceof Light) ||
      parts?.status !== 201 ||
      parts.headers['content-type'] !== 'application/json' ||
      parts.cookies[0] !== 'a=1'
    )
      return false;
    return a.headers.get('x-probe') === 'yes' && a.headers.getSetCookie()[0] === 'a=1' && Object.prototype.toString.call(a) === '[object Response]';
  } catch {
    return false;
  }
}

/**
 * The light Response class over this process's standard one, made once (installed or not):
 * for tests of the class itself.
 */
export function lightResponseClass(): RealResponseClass {
  const current = standardResponse();
  Real = current;
  return (lightClass ??= createLightClass(current));
}

let lightClass: RealResponseClass | undefined;

/**
 * Makes `globalThis.Response` the light Response, once per process, where this Node's Fetch
 * API passes the probe; `FAASPORT_LIGHT_RESPONSE=0` keeps the standard one (to run the suites
 * on the standard path). Returns whether light responses are in use.
 */
export function installLightResponse(): boolean {
  if (installed) return globalThis.Response === installed;
  const current = globalThis.Response;
  if ((current as unknown as { [PARTS]?: unknown })[PARTS] !== undefined) return true;
  const Light = lightResponseClass();
  installed = Light;
  if (process.env.FAASPORT_LIGHT_RESPONSE === '0' || !probe(Light, current)) return false;
  (Light as unknown as Record<symbol, boolean>)[PARTS] = true;
  globalThis.Response = Light;
  return true;
}
