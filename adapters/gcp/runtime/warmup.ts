/** The header a warm-up ping carries (value `1`) on an HTTP function. */
export const WARMUP_HEADER = 'x-faasport-warmup';
/** The CloudEvents type of a warm-up ping to an event-driven function. */
export const WARMUP_EVENT_TYPE = 'dev.faasport.warmup';

/**
 * True for a warm-up ping: an HTTP request with `x-faasport-warmup: 1` (as Express hands
 * it to an HTTP function), or a CloudEvent of type `dev.faasport.warmup`. The entry point
 * answers 204 / acknowledges before decoding anything, so no handler runs. `warm`
 * (`--min-instances`) needs no pings; they are for functions without minimum instances.
 *
 * @example
 * ```ts
 * import { isWarmupPing } from 'faasport/gcp';
 * isWarmupPing({ headers: { 'x-faasport-warmup': '1' } }); // true
 * isWarmupPing({ type: 'dev.faasport.warmup' }); // true
 * ```
 */
export function isWarmupPing(input: { readonly headers?: Readonly<Record<string, string | string[] | undefined>>; readonly type?: unknown }): boolean {
  if (input.type !== undefined) return input.type === WARMUP_EVENT_TYPE;
  const value = input.headers?.[WARMUP_HEADER];
  return (Array.isArray(value) ? value[0] : value) === '1';
}
