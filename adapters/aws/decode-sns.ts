import { parseTraceparent, parseXRayHeader, TRACEPARENT_ATTRIBUTE, type ParsedTraceparent, type QueueMessage } from 'faasport';
import { parseJsonOrText } from '../../src/json-or-text.js';
import type { SnsEnvelopeLike, SnsMessageAttributeLike, SnsRecordLike } from './types.js';

/**
 * Turns an SNS notification (from an SNS event record, or the JSON envelope an SQS
 * subscription queue holds) into a portable message. SNS gives no delivery count, so
 * `attempt` comes from the caller (1 for direct SNS, the SQS receive count when wrapped).
 *
 * @example
 * ```ts
 * import { decodeSnsRecord } from 'faasport/aws';
 * const message = decodeSnsRecord(event.Records[0]);
 * message.id; // Sns.MessageId
 * ```
 */
export function decodeSnsRecord(record: SnsRecordLike, attempt = 1): QueueMessage<unknown> {
  return decodeSnsNotification(record.Sns, attempt);
}

export function decodeSnsNotification(sns: SnsEnvelopeLike | SnsRecordLike['Sns'], attempt: number): QueueMessage<unknown> {
  const time = Date.parse(sns.Timestamp);
  return {
    id: sns.MessageId,
    body: parseJsonOrText(sns.Message ?? ''),
    attempt,
    enqueuedAt: Number.isNaN(time) ? new Date() : new Date(time),
    attributes: decodeSnsAttributes(sns.MessageAttributes),
  };
}

export function decodeSnsAttributes(attributes: Record<string, SnsMessageAttributeLike> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!attributes) return out;
  for (const name in attributes) {
    const a = attributes[name]!;
    if (typeof a.Value === 'string' && a.Type !== 'Binary') out[name] = a.Value;
  }
  return out;
}

/** The SNS JSON envelope inside an SQS body (subscription without raw message delivery), if it is one. */
export function parseSnsEnvelope(body: string): SnsEnvelopeLike | undefined {
  if (body.length === 0 || body.charCodeAt(0) !== 123 || !body.includes('"TopicArn"')) return undefined;
  try {
    const value = JSON.parse(body) as Partial<SnsEnvelopeLike>;
    return value && typeof value.TopicArn === 'string' && typeof value.Message === 'string' && typeof value.MessageId === 'string'
      ? (value as SnsEnvelopeLike)
      : undefined;
  } catch {
    return undefined;
  }
}

export function snsParentTrace(attributes: Record<string, SnsMessageAttributeLike> | null | undefined): ParsedTraceparent | undefined {
  return parseTraceparent(attributes?.[TRACEPARENT_ATTRIBUTE]?.Value) ?? parseXRayHeader(process.env._X_AMZN_TRACE_ID);
}
