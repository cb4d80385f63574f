/**
 * AWS limits faasport checks before any network call.
 *
 * SQS: "The maximum allowed individual message size and the maximum total payload size
 * (the sum of the individual lengths of all of the batched messages) are both 1 MiB
 * 1,048,576 bytes" (SQS API reference, SendMessage / SendMessageBatch, raised from 256 KiB
 * in 2025; a queue's MaximumMessageSize attribute defaults to 256 KiB and goes up to 1 MiB).
 */
export const SQS_MAX_MESSAGE_BYTES = 1024 * 1024;
export const SQS_MAX_BATCH_BYTES = 1024 * 1024;
export const SQS_MAX_BATCH_ENTRIES = 10;
export const SQS_MAX_ATTRIBUTES = 10;
export const SQS_MAX_DELAY_SECONDS = 900;
/** Visibility timeout ceiling (12 hours). */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;
/** SNS Publish / PublishBatch: 256 KiB per message and per batch. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
export const SNS_MAX_BATCH_BYTES = 256 * 1024;
export const SNS_MAX_BATCH_ENTRIES = 10;
/** Lambda synchronous invocation payload (request and response): 6 MB. */
export const LAMBDA_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Lambda's longest timeout: 15 minutes. */
export const LAMBDA_MAX_TIMEOUT_MS = 900_000;
/** SQS maxReceiveCount in a redrive policy: 1-1000. */
export const SQS_MAX_RECEIVE_COUNT = 1000;
