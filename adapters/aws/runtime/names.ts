import { SQS_MAX_RECEIVE_COUNT } from './limits.js';
import type { QueueDefinition, QueueFunctionDefinition } from 'faasport';

/** The SQS name of a queue: FIFO queues must end in `.fifo`. */
export function sqsQueueName(name: string, fifo: boolean): string {
  return fifo ? `${name}.fifo` : name;
}

/**
 * The logical name of the dead-letter queue a consumer writes to: `<queue>-dlq` for a
 * queue, `<topic>-<function>-dlq` for a topic subscription (each subscriber keeps its own).
 */
export function deadLetterQueueName(fn: Pick<QueueFunctionDefinition, 'name'> & { source: Pick<QueueDefinition, 'kind' | 'name'> }): string {
  return fn.source.kind === 'topic' ? `${fn.source.name}-${fn.name}-dlq` : `${fn.source.name}-dlq`;
}

/** `orders-dlq` → `ORDERS_DLQ`: the suffix of the environment variables that name resources. */
export function envKey(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The SQS queue that carries topic `topic` to subscriber `fn`. */
export function subscriptionQueueName(topic: string, fn: string): string {
  return `${topic}-${fn}`;
}

/**
 * `maxReceiveCount` of a queue's redrive policy: `maxAttempts`. The consumer dead-letters a
 * message itself on its last attempt (with the envelope); should that write fail, SQS moves
 * the message to the DLQ on the next receive, so nothing runs more than maxAttempts times.
 */
export function redriveMaxReceiveCount(q: { readonly maxAttempts: number }): number {
  return Math.min(SQS_MAX_RECEIVE_COUNT, q.maxAttempts);
}

/** Lambda retries an asynchronous invocation (EventBridge, S3) at most twice: three attempts in all. */
export const LAMBDA_ASYNC_MAX_ATTEMPTS = 3;
