import { defineAdapter } from 'faasport';

/** Azure Storage queue messages are at most 64 KiB of (base64) text. */
export const STORAGE_QUEUE_MAX_BYTES = 64 * 1024;

/**
 * Azure Functions (v4 Node programming model). Capabilities describe the default wiring:
 * queues and topics on Storage queues (topics fan out to one queue per subscriber), schedules
 * on timer triggers, events on Event Grid.
 *
 * - `fifo: false`: Storage queues do not order messages (Service Bus sessions are not wired).
 * - `maxDelaySeconds: 900`: Storage allows 7 days of initial invisibility; 900 s is the portable ceiling.
 * - `batchSend: false`: Storage queues take one message per request.
 * - `maxMessageBytes: 64 KiB`: the Storage queue limit (the base64 text the host expects must fit).
 * - `maxTimeoutMs: 600 000`: the Consumption plan's `functionTimeout` ceiling (HTTP answers
 *   are further cut at 230 s by the front end).
 *
 * @example
 * ```ts
 * import { assertSupported, createApp } from 'faasport';
 * import { adapter } from 'faasport/azure';
 * const app = createApp('shop');
 * assertSupported(app, adapter);
 * ```
 */
export const adapter = defineAdapter({
  name: 'azure',
  capabilities: {
    http: true,
    queues: true,
    topics: true,
    schedules: true,
    events: true,
    fifo: false,
    maxDelaySeconds: 900,
    batchSend: false,
    maxMessageBytes: STORAGE_QUEUE_MAX_BYTES,
    maxAttempts: { min: 1, max: 1000 },
    maxHttpBodyBytes: 100 * 1024 * 1024,
    maxTimeoutMs: 600_000,
  },
});

/** Event Grid retries a delivery at most 30 times (`maxDeliveryAttempts` 1-30). */
export const EVENT_GRID_MAX_ATTEMPTS = 30;
