import { defineAdapter } from 'faasport';

/** Pub/Sub's limit for one message (data plus attributes and ordering key), 10 MB. */
export const PUBSUB_MAX_MESSAGE_BYTES = 10_000_000;
/** Pub/Sub accepts at most this many messages in one publish request. */
export const PUBSUB_MAX_BATCH = 1000;
/** Pub/Sub's dead-letter policy counts 5 to 100 delivery attempts (`maxDeliveryAttempts`). */
export const PUBSUB_MIN_DELIVERY_ATTEMPTS = 5;
export const PUBSUB_MAX_DELIVERY_ATTEMPTS = 100;
/** Largest HTTP request a Cloud Functions (2nd gen, Cloud Run) instance receives, 32 MiB. */
export const GCF_MAX_HTTP_BODY_BYTES = 32 * 1024 * 1024;
/** HTTP functions may run up to 60 minutes. */
export const GCF_MAX_HTTP_TIMEOUT_MS = 3_600_000;
/** Event-driven functions (Pub/Sub, Eventarc) may run up to 9 minutes. */
export const GCF_MAX_EVENT_TIMEOUT_MS = 540_000;

/**
 * Google Cloud Functions (2nd gen) through the Functions Framework.
 *
 * - `maxAttempts` 1-100: Pub/Sub's dead-letter policy (`maxDeliveryAttempts`) takes 5-100, so a
 *   queue or topic below 5 gets a policy of 5 and faasport dead-letters it itself on attempt
 *   `maxAttempts` (Pub/Sub tells each delivery its count). Event functions are held to 5-100:
 *   Eventarc tells them no count, so only Pub/Sub's policy can stop their retries.
 * - `maxDelaySeconds` 0: Pub/Sub has no delayed delivery.
 * - `fifo` false: ordering keys are carried (they surface as `groupId`), but the Eventarc
 *   subscription behind a Pub/Sub trigger is created without message ordering, and ordering
 *   cannot be turned on for an existing subscription, so per-group order is not guaranteed.
 *
 * @example
 * ```ts
 * import { adapter } from 'faasport/gcp';
 * console.log(adapter.capabilities.maxMessageBytes); // 10000000
 * ```
 */
export const adapter = defineAdapter({
  name: 'gcp',
  capabilities: {
    http: true,
    queues: true,
    topics: true,
    schedules: true,
    events: true,
    fifo: false,
    maxDelaySeconds: 0,
    batchSend: true,
    maxMessageBytes: PUBSUB_MAX_MESSAGE_BYTES,
    maxAttempts: { min: 1, max: PUBSUB_MAX_DELIVERY_ATTEMPTS },
    maxHttpBodyBytes: GCF_MAX_HTTP_BODY_BYTES,
    maxTimeoutMs: GCF_MAX_HTTP_TIMEOUT_MS,
  },
});
