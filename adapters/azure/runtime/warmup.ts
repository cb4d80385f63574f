/** The header a warm-up ping carries (value `1`), on any HTTP route of the app. */
export const WARMUP_HEADER = 'x-faasport-warmup';

/**
 * True for a warm-up ping: an HTTP request with `x-faasport-warmup: 1`. The HTTP entry
 * point answers it with 204 before decoding the request, so no handler runs. On Flex
 * Consumption, `warm` already keeps always-ready instances; pings are for plans without.
 * Platform auth still applies first (authLevel `function` unless public), so a ping
 * cannot reach a private function without its key.
 *
 * @example
 * ```ts
 * import { isWarmupPing } from 'faasport/azure';
 * isWarmupPing({ headers: new Headers({ 'x-faasport-warmup': '1' }) }); // true
 * ```
 */
export function isWarmupPing(request: { readonly headers: { get(name: string): string | null } }): boolean {
  return request.headers.get(WARMUP_HEADER) === '1';
}

/** The answer to a warm-up ping (an `HttpResponseInit`). */
export function warmupResponse(): { status: 204; headers: Record<string, string> } {
  return { status: 204, headers: { [WARMUP_HEADER]: 'ok' } };
}
