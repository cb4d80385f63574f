import { invalidField, optionalArrayIn, optionalObjectAt, optionalStringIn, stringAt, stringInList } from './event-fields.js';

/**
 * Fills a `Headers` from both of an event's header maps: every value of `multiValueHeaders`
 * (API Gateway v1 keeps only the last value of a repeated header in `headers`), then each name
 * that only `headers` has (hand-written and test events often fill one map per header, and an
 * empty `multiValueHeaders: {}` must not hide `headers`). A map, list or value of the wrong
 * type is refused (EVENT_INVALID naming it); a name or value the Fetch API refuses (outside
 * Latin-1, CR/LF, NUL) is dropped, as the local server drops it.
 */
export function toHeaders(multi: unknown, single: unknown, operation: string): Headers {
  const headers = new Headers();
  const m = optionalObjectAt(multi, operation, 'multiValueHeaders');
  // Lower-cased names the multi-value map filled: a name in both maps keeps its multi-value form.
  let taken: Set<string> | undefined;
  if (m) {
    for (const name of Object.keys(m)) {
      const values = optionalArrayIn(m[name], operation, 'multiValueHeaders', name);
      if (!values) continue;
      for (let i = 0; i < values.length; i++) appendHeader(headers, name, stringInList(values[i], operation, 'multiValueHeaders', name, i));
      (taken ??= new Set()).add(name.toLowerCase());
    }
  }
  const s = optionalObjectAt(single, operation, 'headers');
  if (s) {
    for (const name of Object.keys(s)) {
      const value = optionalStringIn(s[name], operation, 'headers', name);
      if (value !== undefined && !taken?.has(name.toLowerCase())) appendHeader(headers, name, value);
    }
  }
  return headers;
}

/** Appends unless the Fetch API refuses the name or value; the request goes on without that header. */
export function appendHeader(headers: Headers, name: string, value: string): void {
  try {
    headers.append(name, value);
  } catch {
    /* dropped: not a valid header name, or a value outside Latin-1 / with CR, LF or NUL */
  }
}

/** Case-insensitive lookup in an event's header maps without building a `Headers`. */
export function findHeader(multi: unknown, single: unknown, name: string, operation: string): string | undefined {
  const s = optionalObjectAt(single, operation, 'headers');
  if (s) {
    const exact = optionalStringIn(s[name], operation, 'headers', name);
    if (exact) return exact;
    for (const key of Object.keys(s)) {
      if (key.length === name.length && key.toLowerCase() === name) return optionalStringIn(s[key], operation, 'headers', key);
    }
  }
  const m = optionalObjectAt(multi, operation, 'multiValueHeaders');
  if (m) {
    for (const key of Object.keys(m)) {
      if (key.length === name.length && key.toLowerCase() === name) {
        const values = optionalArrayIn(m[key], operation, 'multiValueHeaders', key);
        return values && values.length > 0 ? stringInList(values[values.length - 1], operation, 'multiValueHeaders', key, values.length - 1) : undefined;
      }
    }
  }
  return undefined;
}

/**
 * Rebuilds a query string from both of the event's parameter maps: every value of the
 * multi-value map, then each key only the single-value map has. API Gateway v1 hands over decoded values (encode them once); ALB hands over the
 * values exactly as the client sent them (keep them, so they are decoded once, by the app).
 */
export function toQueryString(multi: unknown, single: unknown, valuesAreEncoded: boolean, operation: string): string {
  const encode = valuesAreEncoded ? (s: string) => s : encodeQueryPart;
  let query = '';
  const m = optionalObjectAt(multi, operation, 'multiValueQueryStringParameters');
  if (m) {
    for (const name of Object.keys(m)) {
      const values = optionalArrayIn(m[name], operation, 'multiValueQueryStringParameters', name);
      if (!values) continue;
      for (let i = 0; i < values.length; i++)
        query += (query ? '&' : '') + encode(name) + '=' + encode(stringInList(values[i], operation, 'multiValueQueryStringParameters', name, i));
    }
  }
  const s = optionalObjectAt(single, operation, 'queryStringParameters');
  if (s) {
    for (const name of Object.keys(s)) {
      const value = optionalStringIn(s[name], operation, 'queryStringParameters', name);
      // Query keys are case-sensitive: a key the multi-value map has keeps all its values from there.
      if (value === undefined || (m !== undefined && Object.hasOwn(m, name))) continue;
      query += (query ? '&' : '') + encode(name) + '=' + encode(value);
    }
  }
  return query;
}

/** encodeURIComponent, with a lone surrogate (which it refuses) encoded as U+FFFD, as a URL parser would. */
function encodeQueryPart(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
  }
}

/**
 * A Host header or domain name if it is a plain `host[:port]` a URL accepts, else undefined:
 * the client sends the header, and AWS's own sample events carry placeholders such as
 * `<url-id>.lambda-url.us-east-1.on.aws`; anything else could turn the URL into one of
 * another origin, or one that does not parse (`new URL(req.url)` throwing in the function).
 */
export { plainHost as usableHost } from 'faasport/adapter-kit';

/** `https://host` from the host (Host header or the platform's domain name) and X-Forwarded-Proto. */
export function toOrigin(host: string | undefined, proto: string | undefined): string {
  // Lower-cased as the URL standard does, so req.url is the same string whether the function
  // got the lazy request or a real one (new Request(url) lower-cases the host).
  return `${proto === 'http' ? 'http' : 'https'}://${host ? host.toLowerCase() : 'localhost'}`;
}

/** An HTTP path as the URL keeps it: a string that starts with `/` (anything else would change the origin). */
export function pathAt(value: unknown, operation: string, path: string): string {
  const text = stringAt(value, operation, path);
  if (!text.startsWith('/')) throw invalidField(operation, path, 'a path starting with "/"', 'string');
  return text;
}
