import type { CloudEvent } from 'faasport';
import type { S3RecordLike } from './types.js';

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
  const { bucket, object } = record.s3;
  const requestId = record.responseElements?.['x-amz-request-id'];
  // S3 has no event id: request id + sequencer identify one change of one key.
  const id = [requestId, object.sequencer].filter(Boolean).join(':') || `${bucket.name}/${object.key}@${record.eventTime}`;
  return {
    specversion: '1.0',
    id,
    source: `arn:aws:s3:::${bucket.name}`,
    type: `aws.s3.${record.eventName}`,
    subject: decodeS3Key(object.key),
    time: record.eventTime,
    datacontenttype: 'application/json',
    data: record,
  };
}

/** S3 notification keys are form-encoded: `+` is a space, `%2B` a plus. */
export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}
