import { defineAdapter } from 'faasport';

/**
 * Largest HTTP request body the service accepts (413 beyond, enforced while reading).
 * Knative Serving itself sets no body limit; this is the adapter's own guard.
 */
export const KNATIVE_MAX_HTTP_BODY_BYTES = 10 * 1024 * 1024;
/**
 * Largest queue/topic message. Knative's in-memory channel has no limit of its own, but the
 * production brokers and channels are Kafka-backed, whose default `message.max.bytes` is 1 MiB.
 */
export const KNATIVE_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Knative Serving's default `max-revision-timeout-seconds` (600 s) caps a request. */
export const KNATIVE_MAX_TIMEOUT_MS = 600_000;

/**
 * Knative: one Knative Service per app (a plain HTTP server), Eventing for the rest.
 *
 * - `fifo` false: channels and brokers deliver concurrently and give no order per key; this
 *   adapter does not add ordering, so `fifo: true` is refused.
 * - `maxDelaySeconds` 0: Knative Eventing has no delayed delivery; a send with
 *   `delaySeconds > 0` is refused.
 * - `batchSend` false: the broker ingress takes one event per request (no batched content mode);
 *   `sendBatch` sends one event per message.
 * - `maxAttempts` 1-1000: `delivery.retry` is maxAttempts - 1 and has no upper bound in Knative;
 *   1000 keeps a runaway poison message finite.
 *
 * @example
 * ```ts
 * import { adapter } from './adapter.js';
 * console.log(adapter.name, adapter.capabilities.fifo); // knative false
 * ```
 */
export const adapter = defineAdapter({
  name: 'knative',
  capabilities: {
    http: true,
    queues: true,
    topics: true,
    schedules: true,
    events: true,
    fifo: false,
    maxDelaySeconds: 0,
    batchSend: false,
    maxMessageBytes: KNATIVE_MAX_MESSAGE_BYTES,
    maxAttempts: { min: 1, max: 1000 },
    maxHttpBodyBytes: KNATIVE_MAX_HTTP_BODY_BYTES,
    maxTimeoutMs: KNATIVE_MAX_TIMEOUT_MS,
  },
});
