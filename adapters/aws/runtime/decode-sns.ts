import { parseTraceparent, parseXRayHeader, TRACEPARENT_ATTRIBUTE, type ParsedTraceparent, type QueueMessage } from 'faasport';
import { parseJsonOrText } from 'faasport/adapter-kit';
import { invalidField, keyPath, objectAt, optionalObjectAt, optionalStringAt, stringAt } from './event-fields.js';
import type { SnsEnvelopeLike, SnsMessageAttributeLike, SnsRecordLike } from './types.js';

const OPERATION = 'aws SNS notification';

/**
 * Turns an SNS notification (from an SNS event record, or the JSON envelope an SQS
 * subscription queue holds) into a portable message. SNS gives no delivery count, so
 * `attempt` comes from the caller (1 for direct SNS, the SQS receive count when wrapped).
 * A field of the wrong type is EVENT_INVALID naming it (`details.path`, relative to the record).
 *
 * @example
 * ```ts
 * import { decodeSnsRecord } from 'faasport/aws';
 * const message = decodeSnsRecord(event.Records[0]);
 * message.id; // Sns.MessageId
 * ```
 */
export function decodeSnsRecord(record: SnsRecordLike, attempt = 1): QueueMessage<unknown> {
  const r = objectAt(record, OPERATION, '');
  return decodeSnsNotification(r.Sns as SnsRecordLike['Sns'], attempt, 'Sns');
}

/**
 * The message of one SNS notification; `path` is where the notification sits (`Sns` in an SNS
 * record, `body` for the envelope in an SQS body), for the EVENT_INVALID a wrong-typed field gets.
 */
export function decodeSnsNotification(sns: SnsEnvelopeLike | SnsRecordLike['Sns'], attempt: number, path = 'Sns'): QueueMessage<unknown> {
  const n = objectAt(sns, OPERATION, path);
  const timestamp = optionalStringAt(n.Timestamp, OPERATION, `${path}.Timestamp`);
  const time = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  return {
    id: stringAt(n.MessageId, OPERATION, `${path}.MessageId`),
    body: parseJsonOrText(optionalStringAt(n.Message, OPERATION, `${path}.Message`) ?? ''),
    attempt,
    enqueuedAt: Number.isNaN(time) ? new Date() : new Date(time),
    attributes: decodeSnsAttributes(n.MessageAttributes, `${path}.MessageAttributes`),
  };
}

export function decodeSnsAttributes(
  attributes: Record<string, SnsMessageAttributeLike> | null | undefined | unknown,
  path = 'Sns.MessageAttributes',
): Record<string, string> {
  const out: Record<string, string> = {};
  const map = optionalObjectAt(attributes, OPERATION, path);
  if (!map) return out;
  for (const name of Object.keys(map)) {
    const a = map[name] as { Type?: unknown; Value?: unknown } | null;
    // One typeof per field; the path is built only for the refusal.
    if (
      typeof a !== 'object' ||
      a === null ||
      Array.isArray(a) ||
      (a.Type != null && typeof a.Type !== 'string') ||
      (a.Value != null && typeof a.Value !== 'string')
    ) {
      const at = keyPath(path, name);
      const checked = objectAt(a, OPERATION, at);
      optionalStringAt(checked.Type, OPERATION, `${at}.Type`);
      throw invalidField(OPERATION, `${at}.Value`, 'a string', checked.Value);
    }
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

export function snsParentTrace(
  attributes: Record<string, SnsMessageAttributeLike> | null | undefined,
  lambdaTrace: string | undefined = process.env._X_AMZN_TRACE_ID,
): ParsedTraceparent | undefined {
  const value = (attributes as Record<string, { Value?: unknown } | null | undefined> | null | undefined)?.[TRACEPARENT_ATTRIBUTE]?.Value;
  return parseTraceparent(typeof value === 'string' ? value : undefined) ?? parseXRayHeader(lambdaTrace);
}
