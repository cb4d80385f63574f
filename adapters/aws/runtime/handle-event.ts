import { eventMatches, invokeEvent, parseXRayHeader, summariseError, type CloudEvent, type EventFunctionDefinition } from 'faasport';
import { decodeDynamoDbRecord } from './decode-dynamodb.js';
import { decodeEventBridge } from './decode-eventbridge.js';
import { decodeKinesisRecord } from './decode-kinesis.js';
import { decodeS3Record } from './decode-s3.js';
import { createContext, type InvocationFacts } from './create-context.js';
import { inRecord, keyPath, objectAt, stringAt } from './event-fields.js';
import { asError } from './handle-sns.js';
import type { HandlerDeps } from './handler-deps.js';
import type { BatchResponse, DynamoDbRecordLike, EventBridgeEventLike, KinesisRecordLike, S3RecordLike } from './types.js';

/**
 * Runs an event function for asynchronously delivered events (EventBridge, S3): every
 * CloudEvent the filter admits is handled; a failure is thrown so Lambda retries the event.
 * Every record is decoded before any runs: an undecodable one (EVENT_INVALID naming
 * `Records.<i>.<field>`) fails the event as a whole, which Lambda retries and then hands to
 * the on-failure destination with its payload.
 */
export async function handleAsyncEvents(
  def: EventFunctionDefinition,
  native: EventBridgeEventLike | { Records: S3RecordLike[] },
  facts: InvocationFacts,
  deps: HandlerDeps,
): Promise<void> {
  const events: CloudEvent[] =
    'Records' in native
      ? native.Records.map((record, i) => {
          try {
            return decodeS3Record(record);
          } catch (err) {
            throw inRecord(err, i);
          }
        })
      : [decodeEventBridge(native)];
  for (const event of events) {
    if (!eventMatches(def, event)) continue;
    const ctx = createContext(def, facts, deps.settings, native, 1, () => parseXRayHeader(facts.lambdaTrace));
    const outcome = await invokeEvent(def, event, ctx);
    if (!outcome.ok) throw asError(outcome.error);
  }
}

/**
 * Runs an event function over a DynamoDB Streams or Kinesis batch, in order. At the first
 * failure it stops and reports that record's sequence number: Lambda checkpoints before it
 * and retries from there, so later records are not run out of order. A record that cannot be
 * decoded is such a failure (retried, then sent to the mapping's on-failure destination once
 * its retries are spent); a record without a sequence number, which no report can name,
 * refuses the whole batch with EVENT_INVALID before any record runs.
 */
export async function handleStreamBatch(
  def: EventFunctionDefinition,
  native: { Records: (DynamoDbRecordLike | KinesisRecordLike)[] },
  facts: InvocationFacts,
  deps: HandlerDeps,
): Promise<BatchResponse> {
  // One event source mapping feeds the batch: its first record says which (detectEvent read it).
  const isKinesis = (native.Records[0] as { eventSource?: unknown }).eventSource === 'aws:kinesis';
  const sequences = native.Records.map((record, i) => sequenceNumber(record, isKinesis, i));
  for (let i = 0; i < native.Records.length; i++) {
    const record = native.Records[i]!;
    let event: CloudEvent;
    try {
      event = isKinesis ? decodeKinesisRecord(record as KinesisRecordLike) : decodeDynamoDbRecord(record as DynamoDbRecordLike);
    } catch (err) {
      const error = inRecord(err, i);
      const ctx = createContext(def, facts, deps.settings, native, 1, () => parseXRayHeader(facts.lambdaTrace));
      ctx.log.error('record cannot be decoded; reported as failed so the batch resumes from it', {
        sequenceNumber: sequences[i],
        path: (error as { details?: { path?: unknown } }).details?.path,
        error: summariseError(error),
      });
      return { batchItemFailures: [{ itemIdentifier: sequences[i]! }] };
    }
    if (!eventMatches(def, event)) continue;
    const ctx = createContext(def, facts, deps.settings, native, 1, () => parseXRayHeader(facts.lambdaTrace));
    const outcome = await invokeEvent(def, event, ctx);
    if (!outcome.ok) return { batchItemFailures: [{ itemIdentifier: sequences[i]! }] };
  }
  return { batchItemFailures: [] };
}

/** The record's sequence number, the only identifier a stream batch item failure takes. */
function sequenceNumber(record: unknown, isKinesis: boolean, index: number): string {
  const operation = isKinesis ? 'aws Kinesis batch' : 'aws DynamoDB Streams batch';
  const at = keyPath('Records', index);
  const r = objectAt(record, operation, at);
  return isKinesis
    ? stringAt(objectAt(r.kinesis, operation, `${at}.kinesis`).sequenceNumber, operation, `${at}.kinesis.sequenceNumber`)
    : stringAt(objectAt(r.dynamodb, operation, `${at}.dynamodb`).SequenceNumber, operation, `${at}.dynamodb.SequenceNumber`);
}
