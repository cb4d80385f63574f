import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { QueueFunctionDefinition, QueueMessage, Transport } from 'faasport';
import { decodeSnsNotification, parseSnsEnvelope } from 'faasport/aws';
import { decodeSqsRecord, epochMs, sqsAttempt } from 'faasport/aws';
import { deadLetterQueueName, subscriptionQueueName } from 'faasport/aws';
import { AwsProducer } from 'faasport/aws';
import type { SqsRecordLike } from 'faasport/aws';
import type { Delivery, QueueSource, QueueSourceFactory } from './queue-source.js';

type SqsModule = typeof import('@aws-sdk/client-sqs');

export interface SqsSourcesOptions {
  readonly sqs: SQSClient;
  /** The SDK's commands (loaded by the caller: the SDK is an optional peer). */
  readonly commands: Pick<SqsModule, 'DeleteMessageCommand' | 'GetQueueAttributesCommand' | 'ReceiveMessageCommand'>;
  /** Also the dead-letter writer and the visibility changer (the Lambda adapter's own producer). */
  readonly producer: AwsProducer;
  /** Seconds a receive hides a message before the consumer extends it (default 30). */
  readonly leaseSeconds?: number;
  /** Long-poll wait per receive, seconds (default 20, SQS's longest). */
  readonly waitSeconds?: number;
}

/**
 * SQS sources for the container target: a queue consumer reads its queue, a topic
 * subscriber its SNS subscription queue `<topic>-<function>` (the same layout as the Lambda
 * template). Receives with long polling; queue URLs come from `FAASPORT_QUEUE_URL_<NAME>`
 * (the task definition sets them) or GetQueueUrl. Messages are decoded, retried and
 * dead-lettered by the same code the Lambda adapter runs.
 */
export function sqsSources(options: SqsSourcesOptions): { transport: Transport; sources: QueueSourceFactory } {
  const leaseSeconds = options.leaseSeconds ?? 30;
  const waitSeconds = options.waitSeconds ?? 20;
  const sources: QueueSourceFactory = (def) => {
    const logical = def.kind === 'queue' ? def.source.name : subscriptionQueueName(def.source.name, def.name);
    const fifo = def.kind === 'queue' && def.source.fifo;
    const url = (): Promise<string> => options.producer.queueUrl(logical, fifo);
    const source: QueueSource = {
      name: logical,
      leaseSeconds,
      async connect() {
        await options.sqs.send(new options.commands.GetQueueAttributesCommand({ QueueUrl: await url(), AttributeNames: ['QueueArn'] }));
      },
      async receive(max, signal) {
        const queueUrl = await url();
        let out;
        try {
          out = await options.sqs.send(
            new options.commands.ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: Math.min(10, max),
              WaitTimeSeconds: waitSeconds,
              VisibilityTimeout: leaseSeconds,
              MessageSystemAttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
            { abortSignal: signal },
          );
        } catch (err) {
          if (signal.aborted) return [];
          throw err;
        }
        return (out.Messages ?? []).map((m) => sqsDelivery(def, m, queueUrl, options));
      },
    };
    return source;
  };
  return { transport: options.producer, sources };
}

function sqsDelivery(def: QueueFunctionDefinition, m: Message, queueUrl: string, options: SqsSourcesOptions): Delivery {
  const record = toRecord(m);
  const attempt = sqsAttempt(record);
  const receiptHandle = m.ReceiptHandle ?? '';
  const fifo = def.kind === 'queue' && def.source.fifo;
  const attributes = record.attributes as Record<string, string>;
  const ack = async (): Promise<void> => {
    await options.sqs.send(new options.commands.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
  };
  return {
    attempt,
    firstAttemptAt: epochMs(attributes.ApproximateFirstReceiveTimestamp ?? attributes.SentTimestamp),
    decode() {
      if (def.kind === 'topic') {
        const envelope = parseSnsEnvelope(record.body as string);
        if (envelope) return decodeSnsNotification(envelope, attempt, 'body');
      }
      return decodeSqsRecord(record);
    },
    raw(): QueueMessage<unknown> {
      return { id: record.messageId, body: m.Body ?? '', attempt, enqueuedAt: epochMs(attributes.SentTimestamp), attributes: {} };
    },
    ack,
    retryAfter: (delayMs) => options.producer.changeVisibility(queueUrl, receiptHandle, delayMs / 1000),
    release: () => options.producer.changeVisibility(queueUrl, receiptHandle, 0),
    extend: (seconds) => options.producer.changeVisibility(queueUrl, receiptHandle, seconds),
    async deadLetter(envelope) {
      // Written before the delete: should the write fail, the message stays and the redrive policy backs it up.
      await options.producer.sendRaw(deadLetterQueueName(def), fifo, JSON.stringify(envelope), envelope.message.groupId);
      await ack();
    },
  };
}

/** An SDK message in the shape of a Lambda SQS record, so the Lambda adapter's decoders read it. */
function toRecord(m: Message): SqsRecordLike {
  const messageAttributes: Record<string, { dataType: string; stringValue?: string }> = {};
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[name] = { dataType: a.DataType ?? 'String', ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}) };
  }
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: { ...(m.Attributes ?? {}) },
    messageAttributes,
  } as unknown as SqsRecordLike;
}
