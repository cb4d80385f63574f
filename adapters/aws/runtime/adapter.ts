import { defineAdapter } from 'faasport';
import { LAMBDA_MAX_PAYLOAD_BYTES, LAMBDA_MAX_TIMEOUT_MS, SQS_MAX_DELAY_SECONDS, SQS_MAX_MESSAGE_BYTES, SQS_MAX_RECEIVE_COUNT } from './limits.js';

/**
 * AWS Lambda: HTTP through API Gateway, ALB or Function URLs; queues on SQS (FIFO too);
 * topics on SNS; schedules on EventBridge; events from EventBridge, S3, DynamoDB Streams
 * and Kinesis. Topic messages are further limited to SNS's 256 KiB when published.
 *
 * @example
 * ```ts
 * import { assertSupported } from 'faasport';
 * import { adapter } from 'faasport/aws';
 * assertSupported(app, adapter); // throws CAPABILITY_UNSUPPORTED listing what AWS cannot run
 * ```
 */
export const adapter = defineAdapter({
  name: 'aws',
  capabilities: {
    http: true,
    queues: true,
    topics: true,
    schedules: true,
    events: true,
    fifo: true,
    maxDelaySeconds: SQS_MAX_DELAY_SECONDS,
    batchSend: true,
    maxMessageBytes: SQS_MAX_MESSAGE_BYTES,
    maxAttempts: { min: 1, max: SQS_MAX_RECEIVE_COUNT },
    maxHttpBodyBytes: LAMBDA_MAX_PAYLOAD_BYTES,
    maxTimeoutMs: LAMBDA_MAX_TIMEOUT_MS,
  },
});
