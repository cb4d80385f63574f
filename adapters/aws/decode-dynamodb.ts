import type { CloudEvent } from 'faasport';
import type { DynamoDbRecordLike } from './types.js';

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
  const seconds = record.dynamodb.ApproximateCreationDateTime;
  const ce: Record<string, unknown> = {
    specversion: '1.0',
    id: record.eventID,
    source: record.eventSourceARN ?? 'aws.dynamodb',
    type: `aws.dynamodb.${record.eventName}`,
    datacontenttype: 'application/json',
    data: record.dynamodb,
  };
  if (typeof seconds === 'number') ce.time = new Date(seconds * 1000).toISOString();
  return ce as unknown as CloudEvent;
}
