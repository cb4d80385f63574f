import type { CloudEvent } from 'faasport';
import { objectAt, optionalEpochSecondsAt, optionalStringAt, stringAt } from './event-fields.js';
import type { DynamoDbRecordLike } from './types.js';

const OPERATION = 'aws DynamoDB Streams record';

/**
 * Turns one DynamoDB Streams record into a CloudEvent: `id` the eventID, `type`
 * `aws.dynamodb.<INSERT|MODIFY|REMOVE>`, `source` the stream ARN, `time` from
 * ApproximateCreationDateTime (epoch seconds), `data` the `dynamodb` block with its images
 * left in AttributeValue JSON (numbers stay exact strings).
 *
 * @example
 * ```ts
 * import { decodeDynamoDbRecord } from 'faasport/aws';
 * decodeDynamoDbRecord(event.Records[0]).type; // "aws.dynamodb.INSERT"
 * ```
 */
export function decodeDynamoDbRecord(record: DynamoDbRecordLike): CloudEvent {
  const r = objectAt(record, OPERATION, '');
  const dynamodb = objectAt(r.dynamodb, OPERATION, 'dynamodb');
  const ce: Record<string, unknown> = {
    specversion: '1.0',
    id: stringAt(r.eventID, OPERATION, 'eventID'),
    source: optionalStringAt(r.eventSourceARN, OPERATION, 'eventSourceARN') ?? 'aws.dynamodb',
    type: `aws.dynamodb.${stringAt(r.eventName, OPERATION, 'eventName')}`,
    datacontenttype: 'application/json',
    data: dynamodb,
  };
  const time = optionalEpochSecondsAt(dynamodb.ApproximateCreationDateTime, OPERATION, 'dynamodb.ApproximateCreationDateTime');
  if (time !== undefined) ce.time = time;
  return ce as unknown as CloudEvent;
}
