import { parseTraceparent, parseXRayHeader, TRACEPARENT_ATTRIBUTE, type ParsedTraceparent, type QueueMessage } from 'faasport';
import { parseJsonOrText } from 'faasport/adapter-kit';
import { epochMs, invalidField, keyPath, objectAt, optionalObjectAt, optionalStringAt, stringAt } from './event-fields.js';
import type { SqsMessageAttributeLike, SqsRecordLike } from './types.js';

export { epochMs } from './event-fields.js';

const OPERATION = 'aws SQS record';

/**
 * Turns one SQS record into a portable queue message: `ApproximateReceiveCount` becomes
 * `attempt`, `SentTimestamp` `enqueuedAt`, `MessageGroupId` `groupId`, and String/Number
 * message attributes become string attributes (Binary ones stay in `ctx.native`).
 * A field of the wrong type is EVENT_INVALID naming it (`details.path`, relative to the record).
 *
 * @example
 * ```ts
 * import { decodeSqsRecord } from 'faasport/aws';
 * const message = decodeSqsRecord(event.Records[0]);
 * message.attempt; // 1 on first delivery
 * ```
 */
export function decodeSqsRecord(record: SqsRecordLike): QueueMessage<unknown> {
  const r = objectAt(record, OPERATION, '');
  const attrs = optionalObjectAt(r.attributes, OPERATION, 'attributes');
  const message: { -readonly [K in keyof QueueMessage]: QueueMessage[K] } = {
    id: stringAt(r.messageId, OPERATION, 'messageId'),
    body: parseJsonOrText(optionalStringAt(r.body, OPERATION, 'body') ?? ''),
    attempt: sqsAttempt(record),
    enqueuedAt: epochMs(numericAt(attrs?.SentTimestamp, 'attributes.SentTimestamp')),
    attributes: decodeSqsAttributes(r.messageAttributes),
  };
  const group = optionalStringAt(attrs?.MessageGroupId, OPERATION, 'attributes.MessageGroupId');
  if (group !== undefined) message.groupId = group;
  return message;
}

/** Delivery count of an SQS record, at least 1 (a missing or unreadable count is the first delivery). */
export function sqsAttempt(record: SqsRecordLike): number {
  const attrs = (record as { attributes?: unknown } | null | undefined)?.attributes;
  const count = typeof attrs === 'object' && attrs !== null ? (attrs as Record<string, unknown>).ApproximateReceiveCount : undefined;
  const n = typeof count === 'string' || typeof count === 'number' ? Number(count) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

export function decodeSqsAttributes(attributes: Record<string, SqsMessageAttributeLike> | null | undefined | unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const map = optionalObjectAt(attributes, OPERATION, 'messageAttributes');
  if (!map) return out;
  for (const name of Object.keys(map)) {
    const a = map[name] as { dataType?: unknown; stringValue?: unknown } | null;
    // One typeof per field; the path is built only for the refusal.
    if (
      typeof a !== 'object' ||
      a === null ||
      Array.isArray(a) ||
      typeof a.dataType !== 'string' ||
      (a.stringValue != null && typeof a.stringValue !== 'string')
    ) {
      const path = keyPath('messageAttributes', name);
      const checked = objectAt(a, OPERATION, path);
      stringAt(checked.dataType, OPERATION, `${path}.dataType`);
      throw invalidField(OPERATION, `${path}.stringValue`, 'a string', checked.stringValue);
    }
    if (typeof a.stringValue === 'string' && !a.dataType.startsWith('Binary')) out[name] = a.stringValue;
  }
  return out;
}

/** The sender's trace: the `traceparent` attribute faasport producers add, else the X-Ray header. */
export function sqsParentTrace(record: SqsRecordLike, lambdaTrace: string | undefined = process.env._X_AMZN_TRACE_ID): ParsedTraceparent | undefined {
  const attribute = (record.messageAttributes as Record<string, { stringValue?: unknown } | null | undefined> | null | undefined)?.[TRACEPARENT_ATTRIBUTE]
    ?.stringValue;
  const xray = (record.attributes as Record<string, unknown> | null | undefined)?.AWSTraceHeader;
  return (
    parseTraceparent(typeof attribute === 'string' ? attribute : undefined) ??
    parseXRayHeader(typeof xray === 'string' ? xray : undefined) ??
    parseXRayHeader(lambdaTrace)
  );
}

/** SQS timestamps are epoch milliseconds as a numeric string. */
function numericAt(value: unknown, path: string): string | number | undefined {
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'number') return value ?? undefined;
  return stringAt(value, OPERATION, path);
}
