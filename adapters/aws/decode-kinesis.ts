import type { CloudEvent } from 'faasport';
import type { KinesisRecordLike } from './types.js';

/**
 * Turns one Kinesis record into a CloudEvent: `id` the eventID, `type` `aws.kinesis.record`,
 * `source` the stream ARN, `subject` the partition key, `time` the approximate arrival
 * time, `data` the record's bytes (base64-decoded, as for any binary CloudEvent).
 *
 * @example
 * ```ts
 * import { decodeKinesisRecord } from 'faasport/aws';
 * const event = decodeKinesisRecord(record);
 * new TextDecoder().decode(event.data as Uint8Array);
 * ```
 */
export function decodeKinesisRecord(record: KinesisRecordLike): CloudEvent {
  const k = record.kinesis;
  const ce: Record<string, unknown> = {
    specversion: '1.0',
    id: record.eventID,
    source: record.eventSourceARN ?? 'aws.kinesis',
    type: 'aws.kinesis.record',
    subject: k.partitionKey,
    datacontenttype: 'application/octet-stream',
    data: new Uint8Array(Buffer.from(k.data, 'base64')),
  };
  if (typeof k.approximateArrivalTimestamp === 'number') ce.time = new Date(k.approximateArrivalTimestamp * 1000).toISOString();
  return ce as unknown as CloudEvent;
}
