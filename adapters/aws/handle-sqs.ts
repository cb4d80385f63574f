import {
  decideFailure,
  invokeQueueMessage,
  summariseError,
  toDeadLetterEnvelope,
  type InvocationContext,
  type ParsedTraceparent,
  type QueueFunctionDefinition,
  type QueueMessage,
} from 'faasport';
import { decodeSnsNotification, parseSnsEnvelope, snsParentTrace } from './decode-sns.js';
import { decodeSqsRecord, epochMs, sqsAttempt, sqsParentTrace } from './decode-sqs.js';
import { createContext, type InvocationFacts } from './create-context.js';
import type { HandlerDeps } from './handler-deps.js';
import { deadLetterQueueName } from './naming.js';
import type { BatchResponse, SqsEventLike, SqsRecordLike } from './types.js';

/**
 * Runs a queue consumer (or a topic subscriber fed through an SQS subscription queue) over
 * an SQS batch: one handler call per message, outcomes folded into `batchItemFailures`.
 * Standard queues run the batch concurrently; FIFO queues run in order and, once a message
 * of a group fails, report every later message of that group without running it.
 */
export async function handleSqsBatch(def: QueueFunctionDefinition, event: SqsEventLike, facts: InvocationFacts, deps: HandlerDeps): Promise<BatchResponse> {
  const records = event.Records;
  const batchItemFailures: { itemIdentifier: string }[] = [];
  if (def.source.fifo) {
    // Group → the retry delay of its failed message; later messages of the group wait as long.
    const failedGroups = new Map<string, number>();
    for (const record of records) {
      const group = record.attributes?.MessageGroupId ?? '';
      const delay = failedGroups.get(group);
      if (delay !== undefined) {
        await backoff(record, delay, undefined, deps);
        batchItemFailures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const outcome = await processRecord(def, event, record, facts, deps);
      if (outcome !== ACK) {
        failedGroups.set(group, outcome);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
  } else if (records.length === 1) {
    if ((await processRecord(def, event, records[0]!, facts, deps)) !== ACK) batchItemFailures.push({ itemIdentifier: records[0]!.messageId });
  } else {
    const outcomes = await Promise.all(records.map((record) => processRecord(def, event, record, facts, deps)));
    for (let i = 0; i < records.length; i++) if (outcomes[i] !== ACK) batchItemFailures.push({ itemIdentifier: records[i]!.messageId });
  }
  return { batchItemFailures };
}

const ACK = -1;

/**
 * Runs one record: ACK when it may be deleted from the queue (handled, dead-lettered or
 * discarded), otherwise the delay in ms before its retry (already applied to its visibility).
 */
async function processRecord(def: QueueFunctionDefinition, event: SqsEventLike, record: SqsRecordLike, facts: InvocationFacts, deps: HandlerDeps): Promise<number> {
  const { message, parentTrace } = decodeRecord(def, record);
  const ctx = createContext(def, facts, deps.settings, event, message.attempt, parentTrace);
  const outcome = await invokeQueueMessage(def, message, ctx);
  if (outcome.ok) return ACK;
  const decision = decideFailure(def.source, message.attempt);
  if (decision.action === 'retry') {
    await backoff(record, decision.delayMs, ctx, deps);
    return decision.delayMs;
  }
  if (decision.action === 'discard') {
    ctx.log.error('message failed its last attempt and the queue keeps no dead letters; it is dropped', { messageId: message.id, attempts: message.attempt });
    return ACK;
  }
  return (await deadLetter(def, record, message, outcome.error, ctx, deps)) ? ACK : 0;
}

function decodeRecord(def: QueueFunctionDefinition, record: SqsRecordLike): { message: QueueMessage<unknown>; parentTrace: () => ParsedTraceparent | undefined } {
  if (def.kind === 'topic') {
    const envelope = parseSnsEnvelope(record.body ?? '');
    if (envelope) {
      return { message: decodeSnsNotification(envelope, sqsAttempt(record)), parentTrace: () => snsParentTrace(envelope.MessageAttributes) ?? sqsParentTrace(record) };
    }
  }
  return { message: decodeSqsRecord(record), parentTrace: () => sqsParentTrace(record) };
}

/** Keeps the message hidden for the backoff delay; on failure it reappears after the queue's visibility timeout. */
async function backoff(record: SqsRecordLike, delayMs: number, ctx: InvocationContext | undefined, deps: HandlerDeps): Promise<void> {
  try {
    const url = await deps.producer.queueUrl(queueNameFromArn(record.eventSourceARN), false);
    await deps.producer.changeVisibility(url, record.receiptHandle, delayMs / 1000);
  } catch (err) {
    ctx?.log.warn('could not delay the retry (ChangeMessageVisibility failed); the queue visibility timeout applies', { error: summariseError(err) });
  }
}

async function deadLetter(
  def: QueueFunctionDefinition,
  record: SqsRecordLike,
  message: QueueMessage<unknown>,
  error: unknown,
  ctx: InvocationContext,
  deps: HandlerDeps,
): Promise<boolean> {
  const queue = deadLetterQueueName(def);
  const firstAttemptAt = epochMs(record.attributes?.ApproximateFirstReceiveTimestamp ?? record.attributes?.SentTimestamp);
  const envelope = toDeadLetterEnvelope(def, def.source.name, message, message.attempt, error, firstAttemptAt);
  try {
    await deps.producer.sendRaw(queue, def.source.fifo, JSON.stringify(envelope), message.groupId);
    ctx.log.warn('message dead-lettered', { messageId: message.id, attempts: message.attempt, deadLetterQueue: queue });
    return true;
  } catch (err) {
    // Never drop it: leave the message on the queue for the redrive policy or the next attempt.
    ctx.log.error('could not write the dead letter; the message stays on the queue', { messageId: message.id, deadLetterQueue: queue, error: summariseError(err) });
    return false;
  }
}

/** `arn:aws:sqs:<region>:<account>:<name>` → `<name>`. */
export function queueNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}
