import type { CloudEvent } from 'faasport';
import { objectAt, optionalObjectAt, optionalStringAt, stringAt } from './event-fields.js';
import type { S3RecordLike } from './types.js';

const OPERATION = 'aws S3 notification record';

/**
 * Turns one S3 notification record into a CloudEvent: `type` `aws.s3.<eventName>`
 * (e.g. `aws.s3.ObjectCreated:Put`), `source` the bucket ARN, `subject` the object key
 * decoded (S3 URL-encodes keys, with `+` for a space), `data` the record.
 *
 * @example
 * ```ts
 * import { decodeS3Record } from 'faasport/aws';
 * decodeS3Record(event.Records[0]).subject; // "Happy Face.jpg"
 * ```
 */
export function decodeS3Record(record: S3RecordLike): CloudEvent {
  const r = objectAt(record, OPERATION, '');
  const s3 = objectAt(r.s3, OPERATION, 's3');
  const bucketName = stringAt(objectAt(s3.bucket, OPERATION, 's3.bucket').name, OPERATION, 's3.bucket.name');
  const object = objectAt(s3.object, OPERATION, 's3.object');
  const key = stringAt(object.key, OPERATION, 's3.object.key');
  const sequencer = optionalStringAt(object.sequencer, OPERATION, 's3.object.sequencer');
  const requestId = optionalStringAt(
    optionalObjectAt(r.responseElements, OPERATION, 'responseElements')?.['x-amz-request-id'],
    OPERATION,
    'responseElements.x-amz-request-id',
  );
  const eventName = stringAt(r.eventName, OPERATION, 'eventName');
  const eventTime = optionalStringAt(r.eventTime, OPERATION, 'eventTime');
  // S3 has no event id: request id + sequencer identify one change of one key.
  const id = [requestId, sequencer].filter(Boolean).join(':') || `${bucketName}/${key}@${eventTime ?? ''}`;
  const event: CloudEvent = {
    specversion: '1.0',
    id,
    source: `arn:aws:s3:::${bucketName}`,
    type: `aws.s3.${eventName}`,
    subject: decodeS3Key(key),
    datacontenttype: 'application/json',
    data: record,
  };
  return eventTime === undefined ? event : { ...event, time: eventTime };
}

/** S3 notification keys are form-encoded: `+` is a space, `%2B` a plus. */
export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}
