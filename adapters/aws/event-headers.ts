type StringMap = Record<string, string | undefined> | null | undefined;
type MultiStringMap = Record<string, string[] | undefined> | null | undefined;

/**
 * Fills a `Headers` from an event's header maps, preferring the multi-value form: API
 * Gateway v1 keeps only the last value of a repeated header in `headers`.
 */
export function toHeaders(multi: MultiStringMap, single: StringMap): Headers {
  const headers = new Headers();
  if (multi) {
    for (const name in multi) {
      const values = multi[name];
      if (values) for (const value of values) headers.append(name, value);
    }
  } else if (single) {
    for (const name in single) {
      const value = single[name];
      if (value !== undefined && value !== null) headers.append(name, value);
    }
  }
  return headers;
}

/** Case-insensitive lookup in an event's header map without building a `Headers`. */
export function findHeader(multi: MultiStringMap, single: StringMap, name: string): string | undefined {
  if (single) {
    const exact = single[name];
    if (exact) return exact;
    for (const key in single) if (key.length === name.length && key.toLowerCase() === name) return single[key] ?? undefined;
  }
  if (multi) {
    for (const key in multi) {
      if (key.length === name.length && key.toLowerCase() === name) {
        const values = multi[key];
        return values && values.length > 0 ? values[values.length - 1] : undefined;
      }
    }
  }
  return undefined;
}

/**
 * Rebuilds a query string from the event's parameter maps, preferring the multi-value
 * form. API Gateway v1 hands over decoded values (encode them once); ALB hands over the
 * values exactly as the client sent them (keep them, so they are decoded once, by the app).
 */
export function toQueryString(multi: MultiStringMap, single: StringMap, valuesAreEncoded: boolean): string {
  const encode = valuesAreEncoded ? (s: string) => s : encodeURIComponent;
  let query = '';
  if (multi) {
    for (const name in multi) {
      const values = multi[name];
      if (!values) continue;
      for (const value of values) query += (query ? '&' : '') + encode(name) + '=' + encode(value);
    }
  } else if (single) {
    for (const name in single) {
      const value = single[name];
      if (value === undefined || value === null) continue;
      query += (query ? '&' : '') + encode(name) + '=' + encode(value);
    }
  }
  return query;
}

/** `https://host` from the Host and X-Forwarded-Proto headers, with a fallback host. */
export function toOrigin(host: string | undefined, proto: string | undefined): string {
  return `${proto === 'http' ? 'http' : 'https'}://${host || 'localhost'}`;
}
