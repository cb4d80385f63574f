import type { CloudEvent } from 'faasport';
import { invalidField, objectAt, optionalEpochSecondsAt, optionalStringAt, stringAt } from './event-fields.js';
import type { KinesisRecordLike } from './types.js';

const OPERATION = 'aws Kinesis record';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

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
  const r = objectAt(record, OPERATION, '');
  const k = objectAt(r.kinesis, OPERATION, 'kinesis');
  const data = stringAt(k.data, OPERATION, 'kinesis.data');
  // Buffer.from would skip what is not base64 and hand the function other bytes than were put.
  if (data.length % 4 !== 0 || !BASE64.test(data)) throw invalidField(OPERATION, 'kinesis.data', 'base64', 'string');
  const ce: Record<string, unknown> = {
    specversion: '1.0',
    id: stringAt(r.eventID, OPERATION, 'eventID'),
    source: optionalStringAt(r.eventSourceARN, OPERATION, 'eventSourceARN') ?? 'aws.kinesis',
    type: 'aws.kinesis.record',
    subject: stringAt(k.partitionKey, OPERATION, 'kinesis.partitionKey'),
    datacontenttype: 'application/octet-stream',
    data: new Uint8Array(Buffer.from(data, 'base64')),
  };
  const time = optionalEpochSecondsAt(k.approximateArrivalTimestamp, OPERATION, 'kinesis.approximateArrivalTimestamp');
  if (time !== undefined) ce.time = time;
  return ce as unknown as CloudEvent;
}
