import {
  applyQueueFailure,
  FaasportError,
  invokeQueueMessage,
  isFaasportError,
  settledOk,
  summariseError,
  toDeadLetterEnvelope,
  type InvocationContext,
  type Outcome,
  type ParsedTraceparent,
  type QueueFunctionDefinition,
  type QueueMessage,
} from 'faasport';
import { decodeSnsNotification, parseSnsEnvelope, snsParentTrace } from './decode-sns.js';
import { decodeSqsRecord, epochMs, sqsAttempt, sqsParentTrace } from './decode-sqs.js';
import { keyPath, typeName } from './event-fields.js';
import { createContext, type InvocationFacts } from './create-context.js';
import type { HandlerDeps } from './handler-deps.js';
import { deadLetterQueueName, subscriptionQueueName } from './names.js';
import type { BatchResponse, SqsEventLike, SqsRecordLike } from './types.js';

/**
 * Runs a queue consumer (or a topic subscriber fed through an SQS subscription queue) over
 * an SQS batch: one handler call per message, outcomes folded into `batchItemFailures`.
 * Standard queues run the batch concurrently; FIFO queues run in order and, once a message
 * of a group fails, report every later message of that group without running it.
 *
 * A record that cannot be decoded (a field of the wrong type) fails alone: it is reported in
 * `batchItemFailures`, so SQS keeps it, redelivers it and finally moves it, payload intact, to
 * the dead-letter queue by the redrive policy; the rest of the batch runs. Only a record
 * without a usable `messageId` (which no batch item failure can name) refuses the whole batch
 * before any message runs, so Lambda retries the batch as a whole.
 */
export async function handleSqsBatch(def: QueueFunctionDefinition, event: SqsEventLike, facts: InvocationFacts, deps: HandlerDeps): Promise<BatchResponse> {
  const records = event.Records;
  for (let i = 0; i < records.length; i++) {
    const id = (records[i] as { messageId?: unknown } | null | undefined)?.messageId;
    if (typeof id !== 'string' || id === '') {
      throw new FaasportError(
        'EVENT_INVALID',
        `aws function "${def.name}": ${keyPath('Records', i)}.messageId must be a non-empty string, got ${typeName(id)}; without it no record of the batch can be reported as failed, so the whole batch is retried`,
        { status: 400, details: { path: `${keyPath('Records', i)}.messageId` } },
      );
    }
  }
  const batchItemFailures: { itemIdentifier: string }[] = [];
  if (def.source.fifo) {
    // Group → the retry delay of its failed message; later messages of the group wait as long.
    const failedGroups = new Map<string, number>();
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const attributes = record.attributes as Record<string, unknown> | null | undefined;
      const group = typeof attributes === 'object' && attributes !== null && typeof attributes.MessageGroupId === 'string' ? attributes.MessageGroupId : '';
      const delay = failedGroups.get(group);
      if (delay !== undefined) {
        await backoff(def, record, delay, undefined, deps);
        batchItemFailures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const kept = await processRecord(def, event, record, facts, deps, i);
      if (kept) {
        failedGroups.set(group, kept.retryDelayMs);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
  } else {
    // All at once; only the records still running are awaited (a synchronous handler's success is known at once).
    const outcomes: (Kept | undefined | Promise<Kept | undefined>)[] = new Array(records.length);
    let running = false;
    for (let i = 0; i < records.length; i++) {
      const outcome = processRecord(def, event, records[i]!, facts, deps, i);
      outcomes[i] = outcome;
      if (outcome !== undefined) running = true;
    }
    const settled = running ? await Promise.all(outcomes) : outcomes;
    for (let i = 0; i < records.length; i++) if (settled[i] !== undefined) batchItemFailures.push({ itemIdentifier: records[i]!.messageId });
  }
  return { batchItemFailures };
}

/** A record left on the queue, and the delay before its retry (already applied to its visibility; 0: the visibility timeout applies). */
interface Kept {
  readonly retryDelayMs: number;
}

/**
 * Runs one record: undefined when it may be deleted from the queue (handled, dead-lettered or
 * discarded), without a promise when the handler answered synchronously and succeeded.
 */
function processRecord(
  def: QueueFunctionDefinition,
  event: SqsEventLike,
  record: SqsRecordLike,
  facts: InvocationFacts,
  deps: HandlerDeps,
  index = 0,
): Kept | undefined | Promise<Kept | undefined> {
  let decoded: ReturnType<typeof decodeRecord>;
  try {
    decoded = decodeRecord(def, record);
  } catch (err) {
    // Not dropped, not run: SQS redelivers it and its redrive policy dead-letters it with its payload.
    const ctx = createContext(def, facts, deps.settings, event, sqsAttempt(record), () => sqsParentTrace(record, facts.lambdaTrace));
    const path = isFaasportError(err) && typeof err.details?.path === 'string' ? err.details.path : undefined;
    ctx.log.error('message cannot be decoded; it stays on the queue and reaches the dead-letter queue after its last receive', {
      messageId: record.messageId,
      path: path === undefined ? undefined : path === '' ? keyPath('Records', index) : `${keyPath('Records', index)}.${path}`,
      error: summariseError(err),
    });
    return { retryDelayMs: 0 };
  }
  const { message, parentTrace } = decoded;
  const ctx = createContext(def, facts, deps.settings, event, message.attempt, () => parentTrace(facts.lambdaTrace));
  const settled = invokeQueueMessage(def, message, ctx);
  return settledOk(settled) ? undefined : afterHandler(def, record, message, ctx, deps, settled);
}

/** The rest of `processRecord` once the handler settled: undefined, or the record kept for a retry. */
async function afterHandler(
  def: QueueFunctionDefinition,
  record: SqsRecordLike,
  message: QueueMessage<unknown>,
  ctx: InvocationContext,
  deps: HandlerDeps,
  settled: Promise<Outcome>,
): Promise<Kept | undefined> {
  const outcome = await settled;
  if (outcome.ok) return undefined;
  const queue = deadLetterQueueName(def);
  const applied = await applyQueueFailure(
    { policy: def.source, messageId: message.id, attempt: message.attempt, log: ctx.log, fields: { deadLetterQueue: queue } },
    {
      retry: (delayMs) => backoff(def, record, delayMs, ctx, deps),
      deadLetter: () => deadLetter(def, queue, record, message, outcome.error, deps),
      // Never dropped: SQS redelivers it, and its redrive policy dead-letters it at the latest.
      ifDeadLetterFails: 'the message stays on the queue for the next attempt or the redrive policy',
    },
  );
  return applied.returnsToQueue ? { retryDelayMs: applied.action === 'retry' ? applied.delayMs : 0 } : undefined;
}

function decodeRecord(
  def: QueueFunctionDefinition,
  record: SqsRecordLike,
): { message: QueueMessage<unknown>; parentTrace: (lambdaTrace: string | undefined) => ParsedTraceparent | undefined } {
  if (def.kind === 'topic') {
    const envelope = typeof record.body === 'string' ? parseSnsEnvelope(record.body) : undefined;
    if (envelope) {
      // SNS's traceparent first, then SQS's AWSTraceHeader, then the invocation's X-Ray header
      // ('' stops snsParentTrace from falling back to it before SQS's header is tried).
      return {
        message: decodeSnsNotification(envelope, sqsAttempt(record), 'body'),
        parentTrace: (lambdaTrace) => snsParentTrace(envelope.MessageAttributes, '') ?? sqsParentTrace(record, lambdaTrace),
      };
    }
  }
  return { message: decodeSqsRecord(record), parentTrace: (lambdaTrace) => sqsParentTrace(record, lambdaTrace) };
}

/**
 * Keeps the message hidden for the backoff delay; on failure it reappears after the queue's
 * visibility timeout. The queue's URL comes from FAASPORT_QUEUE_URL_<logical name> (the
 * template sets it; the physical name carries the stack prefix, so it cannot be derived from
 * the logical one), else from the record's ARN: the consumer role has no sqs:GetQueueUrl.
 */
async function backoff(
  def: QueueFunctionDefinition,
  record: SqsRecordLike,
  delayMs: number,
  ctx: InvocationContext | undefined,
  deps: HandlerDeps,
): Promise<void> {
  try {
    const { eventSourceARN, receiptHandle } = record as { eventSourceARN?: unknown; receiptHandle?: unknown };
    if (typeof eventSourceARN !== 'string' || typeof receiptHandle !== 'string')
      throw new TypeError('the record has no eventSourceARN or receiptHandle string');
    const logical = def.kind === 'queue' ? def.source.name : subscriptionQueueName(def.source.name, def.name);
    const url = deps.producer.knownQueueUrl(logical) ?? queueUrlFromArn(eventSourceARN);
    await deps.producer.changeVisibility(url, receiptHandle, delayMs / 1000);
  } catch (err) {
    ctx?.log.warn('could not delay the retry (ChangeMessageVisibility failed); the queue visibility timeout applies', { error: summariseError(err) });
  }
}

async function deadLetter(
  def: QueueFunctionDefinition,
  queue: string,
  record: SqsRecordLike,
  message: QueueMessage<unknown>,
  error: unknown,
  deps: HandlerDeps,
): Promise<void> {
  const attributes = record.attributes as Record<string, unknown> | null | undefined;
  const firstAttemptAt = epochMs(attributes?.ApproximateFirstReceiveTimestamp ?? attributes?.SentTimestamp);
  const envelope = toDeadLetterEnvelope(def, def.source.name, message, message.attempt, error, firstAttemptAt);
  await deps.producer.sendRaw(queue, def.source.fifo, JSON.stringify(envelope), message.groupId);
}

/**
 * `arn:aws:sqs:<region>:<account>:<name>` → `https://sqs.<region>.amazonaws.com/<account>/<name>`
 * (the `amazonaws.com.cn` domain in the China partition). Throws a TypeError for anything else
 * (the caller logs it and lets the visibility timeout apply).
 */
export function queueUrlFromArn(arn: string): string {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs' || !parts[3] || !parts[4] || !parts[5]) {
    throw new TypeError(`eventSourceARN "${arn.slice(0, 200)}" is not an SQS queue ARN`);
  }
  const domain = parts[1] === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${parts[3]}.${domain}/${parts[4]}/${parts[5]}`;
}
