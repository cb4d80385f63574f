import type { App, QueueDefinition, QueueFunctionDefinition } from 'faasport';
import { SQS_MAX_MESSAGE_BYTES, SQS_MAX_VISIBILITY_SECONDS } from '../runtime/limits.js';
import { deadLetterQueueName, envKey, redriveMaxReceiveCount, sqsQueueName, subscriptionQueueName } from '../runtime/names.js';
import {
  DEAD_LETTER_RETENTION_SECONDS,
  arn,
  pascal,
  ref,
  sub,
  type CfnResource,
  type Json,
  type QueueIds,
  type SamResources,
  type Trigger,
} from './sam-resources.js';

/** The app's queues, each with its dead-letter queue (unless `deadLetter: false`) and a redrive policy. */
export function addQueues(t: SamResources, app: App): Map<QueueDefinition, QueueIds> {
  const queueIds = new Map<QueueDefinition, QueueIds>();
  for (const q of app.queues) {
    const consumer = app.functions.find((f): f is QueueFunctionDefinition => f.kind === 'queue' && f.source === q);
    const id = t.id(`${pascal(q.name)}Queue`, `queue "${q.name}"`);
    const dlqId = q.deadLetter ? t.id(`${pascal(q.name)}DeadLetterQueue`, `queue "${q.name}" dead-letter queue`) : undefined;
    queueIds.set(q, { queue: id, deadLetter: dlqId });
    t.add(id, sqsQueue(q.name, q, consumer?.timeoutMs, dlqId));
    if (dlqId) t.add(dlqId, deadLetterQueue(deadLetterQueueName({ name: consumer?.name ?? '', source: q }), q.fifo, id));
  }
  return queueIds;
}

/**
 * What consuming a queue (or a topic's subscription queue) adds to a function: receive and
 * delete on its queue, change visibility only when the queue has backoff (the SDK delays the
 * retry), send on its dead-letter queue (the SDK writes the dead-letter envelope there on the
 * last attempt), their URLs, and an event source mapping that reports partial batch failures.
 */
export function queueTrigger(fn: QueueFunctionDefinition, own: QueueIds): Trigger {
  const actions = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
  if (fn.source.backoff !== false) actions.push('sqs:ChangeMessageVisibility');
  const statements: Json[] = [{ Sid: 'ConsumeQueue', Effect: 'Allow', Action: actions, Resource: arn(own.queue) }];
  const env: Record<string, unknown> = {
    [`FAASPORT_QUEUE_URL_${envKey(fn.kind === 'queue' ? fn.source.name : subscriptionQueueName(fn.source.name, fn.name))}`]: ref(own.queue),
  };
  if (own.deadLetter) {
    statements.push({ Sid: 'WriteDeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arn(own.deadLetter) });
    env[`FAASPORT_QUEUE_URL_${envKey(deadLetterQueueName(fn))}`] = ref(own.deadLetter);
  }
  const batchSize = fn.source.fifo ? Math.min(10, fn.source.batchSize) : Math.min(10_000, fn.source.batchSize);
  const messages = {
    Type: 'SQS',
    Properties: {
      Queue: arn(own.queue),
      BatchSize: batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // Standard queues need a batching window for batches above 10.
      ...(batchSize > 10 ? { MaximumBatchingWindowInSeconds: 1 } : {}),
    },
  };
  return { statements, env, events: { Messages: messages }, properties: {} };
}

export function sqsQueue(name: string, q: QueueDefinition, consumerTimeoutMs: number | undefined, deadLetterId: string | undefined): CfnResource {
  const props: Json = {
    QueueName: sub(`\${AWS::StackName}-${sqsQueueName(name, q.fifo)}`),
    VisibilityTimeout: visibilitySeconds(q, consumerTimeoutMs),
    MaximumMessageSize: q.maxMessageBytes === undefined ? SQS_MAX_MESSAGE_BYTES : Math.max(1024, Math.min(SQS_MAX_MESSAGE_BYTES, q.maxMessageBytes)),
    SqsManagedSseEnabled: true,
  };
  if (q.delaySeconds > 0) props.DelaySeconds = q.delaySeconds;
  if (q.fifo) props.FifoQueue = true;
  if (deadLetterId) {
    props.RedrivePolicy = { deadLetterTargetArn: arn(deadLetterId), maxReceiveCount: redriveMaxReceiveCount(q) };
  }
  return { Type: 'AWS::SQS::Queue', Properties: props };
}

export function deadLetterQueue(name: string, fifo: boolean, sourceId: string): CfnResource {
  return {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: sub(`\${AWS::StackName}-${sqsQueueName(name, fifo)}`),
      MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
      SqsManagedSseEnabled: true,
      ...(fifo ? { FifoQueue: true } : {}),
      // Only its own source queue may redrive into it.
      RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [arn(sourceId)] },
    },
  };
}

/**
 * Visibility timeout: the queue's own setting, but at least six times the consumer's
 * timeout (what Lambda recommends, so a slow batch is not delivered twice), within SQS's 12 h.
 */
export function visibilitySeconds(q: Pick<QueueDefinition, 'visibilityTimeoutMs'>, consumerTimeoutMs: number | undefined): number {
  const fromQueue = q.visibilityTimeoutMs === undefined ? 0 : Math.ceil(q.visibilityTimeoutMs / 1000);
  const fromConsumer = consumerTimeoutMs === undefined ? 30 : 6 * Math.ceil(consumerTimeoutMs / 1000);
  return Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.max(fromQueue, fromConsumer));
}
