import type { CloudEvent } from 'faasport';
import { encodeBinaryMode } from './encode-http-binding.js';
import { TRACEPARENT_EXTENSION } from './vocabulary.js';

/** What one delivery attempt came to. */
export type SendOutcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly retryable: boolean; readonly status: number | undefined; readonly error: Error; readonly body: Uint8Array | undefined };

/**
 * Whether a failed delivery is worth repeating, per the Knative Eventing data-plane
 * contract: 404, 409, 429 and 5xx are retried; 400 ("unparsable") and other 4xx, and the
 * reserved 1xx/3xx, are not.
 *
 * @example
 * ```ts
 * isRetryableStatus(503); // true
 * isRetryableStatus(400); // false
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return status === 404 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * POSTs `event` to `url` in binary content mode, as a Knative channel or broker does, and
 * reads the answer. Any 2xx accepts the event. The distributed-tracing extension is also sent
 * as the W3C `traceparent` header (a single hop carries the same trace in both).
 */
export async function sendEvent(url: string, event: CloudEvent, signal: AbortSignal): Promise<SendOutcome> {
  let encoded: ReturnType<typeof encodeBinaryMode>;
  try {
    encoded = encodeBinaryMode(event);
  } catch (err) {
    // An event that cannot be put on the wire never will be: not worth a retry.
    return { ok: false, retryable: false, status: undefined, error: err as Error, body: undefined };
  }
  const { headers, body } = encoded;
  const traceparent = event[TRACEPARENT_EXTENSION];
  if (typeof traceparent === 'string') headers.traceparent = traceparent;
  let response: Response;
  let answer: Uint8Array;
  try {
    response = await fetch(url, { method: 'POST', headers, body: body as BodyInit | undefined, signal });
    answer = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return { ok: false, retryable: true, status: undefined, error, body: undefined };
  }
  if (response.status >= 200 && response.status <= 299) return { ok: true, status: response.status };
  return { ok: false, retryable: isRetryableStatus(response.status), status: response.status, error: errorFromAnswer(response.status, answer), body: answer };
}

/** The subscriber's error, from its JSON answer `{ error: { name, message, code } }` when it sent one. */
function errorFromAnswer(status: number, body: Uint8Array): Error {
  const text = new TextDecoder().decode(body);
  try {
    const parsed = JSON.parse(text) as { error?: { name?: unknown; message?: unknown; code?: unknown } | string; code?: unknown };
    const e = typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : { message: parsed.error, code: parsed.code };
    if (typeof e.message === 'string') {
      const error = new Error(e.message);
      if (typeof (e as { name?: unknown }).name === 'string') error.name = (e as { name: string }).name;
      if (typeof e.code === 'string') (error as Error & { code?: string }).code = e.code;
      return error;
    }
  } catch {
    /* not JSON: fall through */
  }
  const error = new Error(`subscriber answered HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  error.name = 'DeliveryError';
  return error;
}
