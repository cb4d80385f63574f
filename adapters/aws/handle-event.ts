import { eventMatches, invokeEvent, parseXRayHeader, type CloudEvent, type EventFunctionDefinition } from 'faasport';
import { decodeDynamoDbRecord } from './decode-dynamodb.js';
import { decodeEventBridge } from './decode-eventbridge.js';
import { decodeKinesisRecord } from './decode-kinesis.js';
import { decodeS3Record } from './decode-s3.js';
import { createContext, type InvocationFacts } from './create-context.js';
import { asError } from './handle-sns.js';
import type { HandlerDeps } from './handler-deps.js';
import type { BatchResponse, DynamoDbRecordLike, EventBridgeEventLike, KinesisRecordLike, S3RecordLike } from './types.js';

const xray = () => parseXRayHeader(process.env._X_AMZN_TRACE_ID);

/**
 * Runs an event function for asynchronously delivered events (EventBridge, S3): every
 * CloudEvent the filter admits is handled; a failure is thrown so Lambda retries the event.
 */
export async function handleAsyncEvents(
  def: EventFunctionDefinition,
  native: EventBridgeEventLike | { Records: S3RecordLike[] },
  facts: InvocationFacts,
  deps: HandlerDeps,
): Promise<void> {
  const events: CloudEvent[] = 'Records' in native ? native.Records.map(decodeS3Record) : [decodeEventBridge(native)];
  for (const event of events) {
    if (!eventMatches(def, event)) continue;
    const ctx = createContext(def, facts, deps.settings, native, 1, xray);
    const outcome = await invokeEvent(def, event, ctx);
    if (!outcome.ok) throw asError(outcome.error);
  }
}

/**
 * Runs an event function over a DynamoDB Streams or Kinesis batch, in order. At the first
 * failure it stops and reports that record's sequence number: Lambda checkpoints before it
 * and retries from there, so later records are not run out of order.
 */
export async function handleStreamBatch(
  def: EventFunctionDefinition,
  native: { Records: (DynamoDbRecordLike | KinesisRecordLike)[] },
  facts: InvocationFacts,
  deps: HandlerDeps,
): Promise<BatchResponse> {
  for (const record of native.Records) {
    const isKinesis = record.eventSource === 'aws:kinesis';
    const event = isKinesis ? decodeKinesisRecord(record as KinesisRecordLike) : decodeDynamoDbRecord(record as DynamoDbRecordLike);
    if (!eventMatches(def, event)) continue;
    const ctx = createContext(def, facts, deps.settings, native, 1, xray);
    const outcome = await invokeEvent(def, event, ctx);
    if (!outcome.ok) {
      const sequence = isKinesis ? (record as KinesisRecordLike).kinesis.sequenceNumber : (record as DynamoDbRecordLike).dynamodb.SequenceNumber;
      return { batchItemFailures: [{ itemIdentifier: sequence }] };
    }
  }
  return { batchItemFailures: [] };
}
