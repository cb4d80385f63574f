import { delegateMembers } from './delegate.js';

/**
 * The `Headers` of a lazy Lambda request: `get` and `has` answer from the event for almost
 * nothing; anything else (iteration, `set`, `getSetCookie`, ...) builds the real `Headers` once
 * and goes to it, so what the function sees is always what a real one would say.
 *
 * Building a real `Headers` costs 10-20 µs at 17 headers (every name and value validated),
 * most of what a handler that reads one header pays. Its prototype chain includes
 * `Headers.prototype`, so `headers instanceof Headers` holds.
 */

/** One lower-case name's value as a real `Headers` would give it: a string, null when absent, undefined when only the real one can say. */
export type HeaderLookup = (lowerName: string) => string | null | undefined;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A value a real `Headers` keeps as is: Latin-1 without NUL, CR, LF, no leading or trailing whitespace. */
export const PLAIN_HEADER_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;

export class LazyHeaders {
  readonly #lookup: HeaderLookup;
  readonly #build: () => Headers;
  #real: Headers | undefined;

  constructor(lookup: HeaderLookup, build: () => Headers) {
    this.#lookup = lookup;
    this.#build = build;
  }

  get(name: string): string | null {
    if (!this.#real && typeof name === 'string' && TOKEN.test(name)) {
      const value = this.#lookup(name.toLowerCase());
      if (value !== undefined) return value;
    }
    return this.materialise().get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  /** The real `Headers`, built once; every later read and change goes to it. */
  materialise(): Headers {
    return (this.#real ??= this.#build());
  }
}

let delegated = false;

/** Everything `LazyHeaders` does not answer itself goes to the real Headers. Run once, where undici is loaded anyway. */
export function delegateToHeaders(): void {
  if (delegated) return;
  delegated = true;
  delegateMembers(LazyHeaders, Headers, [...Reflect.ownKeys(Headers.prototype), ...Object.getOwnPropertySymbols(new Headers())], { settable: true });
}

/**
 * A lookup over one plain header map (and, for HTTP APIs, the cookies array that replaces the
 * cookie header), or undefined when the map is not plain enough to answer from: a value of
 * the wrong type (the real build throws EVENT_INVALID for it), one name in two cases, a value
 * the Fetch API would trim or refuse (those answers come from the real Headers).
 */
export function mapLookup(source: unknown, cookies?: unknown): HeaderLookup | undefined {
  if (source !== undefined && source !== null && (typeof source !== 'object' || Array.isArray(source))) return undefined;
  const map = new Map<string, string | undefined>();
  if (source) {
    for (const name of Object.keys(source)) {
      const value = (source as Record<string, unknown>)[name];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') return undefined;
      if (!TOKEN.test(name)) continue;
      const lower = name.toLowerCase();
      // Two spellings of one name (the real Headers joins them), or a value it would change: only it can say.
      map.set(lower, map.has(lower) || !PLAIN_HEADER_VALUE.test(value) ? undefined : value);
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies)) return undefined;
    if (cookies.length > 0) {
      for (const c of cookies) if (typeof c !== 'string') return undefined;
      const joined = cookies.join('; ');
      map.set('cookie', PLAIN_HEADER_VALUE.test(joined) ? joined : undefined);
    }
  }
  return (name) => (map.has(name) ? map.get(name) : null);
}
