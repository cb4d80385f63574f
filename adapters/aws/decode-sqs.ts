import { parseTraceparent, parseXRayHeader, TRACEPARENT_ATTRIBUTE, type ParsedTraceparent, type QueueMessage } from 'faasport';
import { parseJsonOrText } from '../../src/json-or-text.js';
import type { SqsMessageAttributeLike, SqsRecordLike } from './types.js';

/**
 * Turns one SQS record into a portable queue message: `ApproximateReceiveCount` becomes
 * `attempt`, `SentTimestamp` `enqueuedAt`, `MessageGroupId` `groupId`, and String/Number
 * message attributes become string attributes (Binary ones stay in `ctx.native`).
 *
 * @example
 * ```ts
 * import { decodeSqsRecord } from 'faasport/aws';
 * const message = decodeSqsRecord(event.Records[0]);
 * message.attempt; // 1 on first delivery
 * ```
 */
export function decodeSqsRecord(record: SqsRecordLike): QueueMessage<unknown> {
  const attrs = record.attributes ?? {};
  const message: { -readonly [K in keyof QueueMessage]: QueueMessage[K] } = {
    id: record.messageId,
    body: parseJsonOrText(record.body ?? ''),
    attempt: sqsAttempt(record),
    enqueuedAt: epochMs(attrs.SentTimestamp),
    attributes: decodeSqsAttributes(record.messageAttributes),
  };
  if (attrs.MessageGroupId !== undefined) message.groupId = attrs.MessageGroupId;
  return message;
}

/** Delivery count of an SQS record, at least 1. */
export function sqsAttempt(record: SqsRecordLike): number {
  const n = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

export function decodeSqsAttributes(attributes: Record<string, SqsMessageAttributeLike> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!attributes) return out;
  for (const name in attributes) {
    const a = attributes[name]!;
    if (typeof a.stringValue === 'string' && !a.dataType.startsWith('Binary')) out[name] = a.stringValue;
  }
  return out;
}

/** The sender's trace: the `traceparent` attribute faasport producers add, else the X-Ray header. */
export function sqsParentTrace(record: SqsRecordLike): ParsedTraceparent | undefined {
  return (
    parseTraceparent(record.messageAttributes?.[TRACEPARENT_ATTRIBUTE]?.stringValue) ??
    parseXRayHeader(record.attributes?.AWSTraceHeader) ??
    parseXRayHeader(process.env._X_AMZN_TRACE_ID)
  );
}

export function epochMs(value: string | number | undefined): Date {
  const n = Number(value);
  return Number.isFinite(n) && value !== undefined && value !== '' ? new Date(n) : new Date();
}
