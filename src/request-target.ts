/**
 * The path and query of an HTTP request target, whatever form the client sent it in.
 * Origin-form (`/a?b`) is kept as is. Absolute-form (`http://host/a?b`, which servers must
 * accept) gives its path and query only: its authority is not believed, the URL's host comes
 * from the Host header as the platform checked it. Anything else (`*`, authority-form, junk)
 * is undefined, and the caller answers 400.
 *
 * @example
 * ```ts
 * originForm('/hello?x=1');                   // '/hello?x=1'
 * originForm('http://evil.example/hello?x');  // '/hello?x'
 * originForm('*');                            // undefined
 * ```
 */
export function originForm(target: string): string | undefined {
  if (target.startsWith('/')) return target;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target)) return undefined;
  try {
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? `${url.pathname}${url.search}` : undefined;
  } catch {
    return undefined;
  }
}

const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * `value` when it is a plain `host[:port]` a URL accepts (no userinfo, path or junk a URL
 * would misread; no all-digit host past IPv4's range, no port past 65535), else undefined.
 */
export function plainHost(value: string | undefined): string | undefined {
  return value !== undefined && HOST.test(value) && URL.canParse(`http://${value}/`) ? value : undefined;
}
