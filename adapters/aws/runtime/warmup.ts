/** The payload that keeps a Lambda function warm: invoke it with exactly this JSON. */
export const WARMUP_PING = Object.freeze({ faasport: 'warmup' as const });

/** What a warm-up ping answers instead of running the handler. */
export interface WarmupResponse {
  readonly faasport: 'warmup';
  readonly functionName: string;
  /** True when the ping started this instance: the warm-up did its job. */
  readonly coldStart: boolean;
}

/**
 * True for a warm-up ping: an invoke payload `{ "faasport": "warmup" }` (from an EventBridge
 * rule with that constant input, or `aws lambda invoke --payload`). The entry point answers
 * it with {@link warmupResponse} before decoding anything, so no handler runs, nothing is
 * logged as an invocation and no event is mistaken for one. Provisioned concurrency (`warm`)
 * needs no pings; this is for functions kept warm on a schedule. Cheap: one property read.
 *
 * @example
 * ```ts
 * import { isWarmupPing } from 'faasport/aws';
 * isWarmupPing({ faasport: 'warmup' }); // true
 * isWarmupPing({ Records: [] }); // false
 * ```
 */
export function isWarmupPing(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { faasport?: unknown }).faasport === 'warmup';
}

/**
 * The answer to a warm-up ping.
 *
 * @example
 * ```ts
 * import { warmupResponse } from 'faasport/aws';
 * warmupResponse('hello', true); // { faasport: 'warmup', functionName: 'hello', coldStart: true }
 * ```
 */
export function warmupResponse(functionName: string, coldStart: boolean): WarmupResponse {
  return { faasport: 'warmup', functionName, coldStart };
}
