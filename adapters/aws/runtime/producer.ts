// node:crypto is loaded on the first FIFO send, not at import: loading it costs every function's cold start.
const randomUUID = (): string => process.getBuiltinModule('node:crypto').randomUUID();
import type { SNSClient, SNSClientConfig } from '@aws-sdk/client-sns';
import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { FaasportError, payloadTooLarge, type OutgoingMessage, type QueueDefinition, type SendResult, type Transport } from 'faasport';
import {
  SNS_MAX_BATCH_BYTES,
  SNS_MAX_BATCH_ENTRIES,
  SNS_MAX_MESSAGE_BYTES,
  SQS_MAX_ATTRIBUTES,
  SQS_MAX_BATCH_BYTES,
  SQS_MAX_BATCH_ENTRIES,
  SQS_MAX_MESSAGE_BYTES,
  SQS_MAX_VISIBILITY_SECONDS,
} from './limits.js';
import { envKey, sqsQueueName } from './names.js';

export interface AwsProducerOptions {
  /** Passed to the SQS and SNS clients (region, endpoint, credentials, ...). */
  clientConfig?: SQSClientConfig & SNSClientConfig;
  /** Ready-made clients; otherwise created on first use from the optional @aws-sdk peers. */
  sqs?: SQSClient;
  sns?: SNSClient;
  /** Queue URLs by logical name (also read from FAASPORT_QUEUE_URL_<NAME>; else GetQueueUrl). */
  queueUrls?: Record<string, string>;
  /** Topic ARNs by logical name (also read from FAASPORT_TOPIC_ARN_<NAME>; else built from region and account). */
  topicArns?: Record<string, string>;
  /** Account that owns the topics, for building ARNs (toLambda learns it from the function ARN). */
  accountId?: string;
  region?: string;
}

interface Entry {
  readonly index: number;
  readonly message: OutgoingMessage;
  readonly bytes: number;
}

interface EntryFailure {
  index: number;
  code: string;
  message: string;
  senderFault: boolean;
}

/**
 * The SQS/SNS side of an app on AWS: `queue.send` → SendMessageBatch, `topic.publish` →
 * PublishBatch, batched by entry count and bytes; sizes checked before any call. Also what
 * the consumer needs: visibility changes for backoff and dead-letter writes.
 *
 * @example
 * ```ts
 * import { attachTransport } from 'faasport';
 * import { AwsProducer } from 'faasport/aws';
 * attachTransport(app, new AwsProducer({ clientConfig: { region: 'eu-west-1' } }));
 * ```
 */
export class AwsProducer implements Transport {
  readonly provider = 'aws';
  readonly maxMessageBytes = SQS_MAX_MESSAGE_BYTES;
  /** SQS takes 10 message attributes; SNS delivers at most 10 to an SQS subscription with raw delivery and discards the message otherwise. */
  readonly maxMessageAttributes = 10;
  readonly #options: AwsProducerOptions;
  #sqs: Promise<SqsApi> | undefined;
  #sns: Promise<SnsApi> | undefined;
  readonly #queueUrls = new Map<string, Promise<string>>();

  constructor(options: AwsProducerOptions = {}) {
    this.#options = { ...options };
  }

  /** Learns the account and region from a Lambda function ARN, to build topic ARNs. */
  learnFromFunctionArn(arn: string | undefined): void {
    if (!arn || (this.#options.accountId && this.#options.region)) return;
    const parts = arn.split(':');
    if (parts.length >= 5 && parts[2] === 'lambda') {
      this.#options.region ??= parts[3];
      this.#options.accountId ??= parts[4];
    }
  }

  async send(queue: QueueDefinition, messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    const operation = `queue "${queue.name}": send`;
    const entries = messages.map((message, index) => this.#checkSqs(operation, queue, message, index));
    const url = await this.queueUrl(queue.name, queue.fifo);
    const api = await this.#sqsApi();
    return this.#sendChunks(operation, entries, chunk(entries, SQS_MAX_BATCH_ENTRIES, SQS_MAX_BATCH_BYTES), queue.fifo, async (batch) => {
      const out = await api.client.send(
        new api.SendMessageBatchCommand({
          QueueUrl: url,
          Entries: batch.map((e) => ({
            Id: String(e.index),
            MessageBody: e.message.payload,
            MessageAttributes: sqsAttributes(e.message.attributes),
            ...(e.message.delaySeconds > 0 ? { DelaySeconds: e.message.delaySeconds } : {}),
            ...(queue.fifo ? { MessageGroupId: e.message.groupId, MessageDeduplicationId: e.message.deduplicationId ?? randomUUID() } : {}),
          })),
        }),
      );
      return {
        ok: (out.Successful ?? []).map((s) => ({ index: Number(s.Id), id: s.MessageId ?? '' })),
        failed: (out.Failed ?? []).map((f) => ({
          index: Number(f.Id),
          code: f.Code ?? 'Unknown',
          message: f.Message ?? '',
          senderFault: f.SenderFault === true,
        })),
      };
    });
  }

  async publish(topic: QueueDefinition, messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    const operation = `topic "${topic.name}": publish`;
    const entries = messages.map((message, index): Entry => {
      const bytes = snsBytes(message);
      if (bytes > SNS_MAX_MESSAGE_BYTES) {
        throw payloadTooLarge(operation, bytes, SNS_MAX_MESSAGE_BYTES, 'SNS', 'send a smaller message or a reference to stored data');
      }
      checkAttributeCount(operation, message);
      return { index, message, bytes };
    });
    const arn = this.topicArn(topic.name);
    const api = await this.#snsApi();
    return this.#sendChunks(operation, entries, chunk(entries, SNS_MAX_BATCH_ENTRIES, SNS_MAX_BATCH_BYTES), false, async (batch) => {
      const out = await api.client.send(
        new api.PublishBatchCommand({
          TopicArn: arn,
          PublishBatchRequestEntries: batch.map((e) => ({
            Id: String(e.index),
            Message: e.message.payload,
            MessageAttributes: snsAttributes(e.message.attributes),
          })),
        }),
      );
      return {
        ok: (out.Successful ?? []).map((s) => ({ index: Number(s.Id), id: s.MessageId ?? '' })),
        failed: (out.Failed ?? []).map((f) => ({
          index: Number(f.Id),
          code: f.Code ?? 'Unknown',
          message: f.Message ?? '',
          senderFault: f.SenderFault === true,
        })),
      };
    });
  }

  /** The URL of queue `name` when it is configured (options, then FAASPORT_QUEUE_URL_<NAME>), with no API call. */
  knownQueueUrl(name: string): string | undefined {
    return this.#options.queueUrls?.[name] ?? process.env[`FAASPORT_QUEUE_URL_${envKey(name)}`];
  }

  /** The URL of queue `name`: from options, FAASPORT_QUEUE_URL_<NAME>, or GetQueueUrl (cached). */
  queueUrl(name: string, fifo: boolean): Promise<string> {
    let url = this.#queueUrls.get(name);
    if (!url) {
      const known = this.knownQueueUrl(name);
      url = known
        ? Promise.resolve(known)
        : this.#sqsApi().then(async (api) => {
            try {
              const out = await api.client.send(new api.GetQueueUrlCommand({ QueueName: sqsQueueName(name, fifo) }));
              if (!out.QueueUrl) throw new Error('GetQueueUrl returned no QueueUrl');
              return out.QueueUrl;
            } catch (err) {
              this.#queueUrls.delete(name);
              throw new FaasportError(
                'SEND_FAILED',
                `queue "${name}": cannot find SQS queue "${sqsQueueName(name, fifo)}" (${(err as Error).message}); create it or set FAASPORT_QUEUE_URL_${envKey(name)}`,
                { cause: err, details: { queue: name } },
              );
            }
          });
      this.#queueUrls.set(name, url);
    }
    return url;
  }

  /** The ARN of topic `name`: from options, FAASPORT_TOPIC_ARN_<NAME>, or region + account. */
  topicArn(name: string): string {
    const known = this.#options.topicArns?.[name] ?? process.env[`FAASPORT_TOPIC_ARN_${envKey(name)}`];
    if (known) return known;
    const region = this.#options.region ?? process.env.AWS_REGION;
    const account = this.#options.accountId;
    if (region && account) return `arn:aws:sns:${region}:${account}:${name}`;
    throw new FaasportError('CONFIG_INVALID', `topic "${name}": no SNS topic ARN known; set FAASPORT_TOPIC_ARN_${envKey(name)} or pass topicArns to toLambda`, {
      details: { topic: name },
    });
  }

  /** Hides a received message for `seconds` (the backoff before its next delivery). */
  async changeVisibility(queueUrl: string, receiptHandle: string, seconds: number): Promise<void> {
    const api = await this.#sqsApi();
    const timeout = Math.max(0, Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.ceil(seconds)));
    await api.client.send(new api.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: timeout }));
  }

  /** Writes one JSON document (a dead-letter envelope) to queue `name`. */
  async sendRaw(name: string, fifo: boolean, body: string, groupId?: string): Promise<string> {
    const url = await this.queueUrl(name, fifo);
    const api = await this.#sqsApi();
    const out = await api.client.send(
      new api.SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        ...(fifo ? { MessageGroupId: groupId ?? 'dead-letter', MessageDeduplicationId: randomUUID() } : {}),
      }),
    );
    return out.MessageId ?? '';
  }

  #checkSqs(operation: string, queue: QueueDefinition, message: OutgoingMessage, index: number): Entry {
    const bytes = sqsBytes(message);
    if (bytes > SQS_MAX_MESSAGE_BYTES) {
      throw payloadTooLarge(operation, bytes, SQS_MAX_MESSAGE_BYTES, 'SQS', 'send a smaller message or a reference to stored data');
    }
    checkAttributeCount(operation, message);
    if (queue.fifo && message.delaySeconds > 0) {
      throw new FaasportError('MESSAGE_INVALID', `${operation}: SQS FIFO queues have no per-message delay; drop delaySeconds or use a standard queue`, {
        details: { index },
      });
    }
    return { index, message, bytes };
  }

  async #sendChunks(
    operation: string,
    entries: readonly Entry[],
    chunks: Entry[][],
    ordered: boolean,
    sendOne: (batch: Entry[]) => Promise<{ ok: { index: number; id: string }[]; failed: EntryFailure[] }>,
  ): Promise<SendResult[]> {
    const results: (SendResult | undefined)[] = new Array(entries.length);
    const failed: EntryFailure[] = [];
    for (const batch of chunks) {
      // FIFO: once a batch fails, later messages must not overtake it.
      if (ordered && failed.length > 0) {
        for (const e of batch)
          failed.push({ index: e.index, code: 'NotAttempted', message: 'an earlier message of this FIFO batch failed', senderFault: false });
        continue;
      }
      try {
        const out = await sendOne(batch);
        for (const s of out.ok) results[s.index] = { id: s.id };
        failed.push(...out.failed);
      } catch (err) {
        if (failed.length === 0 && results.every((r) => r === undefined)) {
          throw new FaasportError('SEND_FAILED', `${operation}: ${(err as Error).message}`, { cause: err, details: { sent: 0 } });
        }
        for (const e of batch)
          failed.push({ index: e.index, code: (err as { name?: string }).name ?? 'Error', message: (err as Error).message, senderFault: false });
      }
    }
    if (failed.length > 0) {
      failed.sort((a, b) => a.index - b.index);
      const first = failed[0]!;
      throw new FaasportError(
        'SEND_FAILED',
        `${operation}: ${failed.length} of ${entries.length} messages were not sent (first: [${first.index}] ${first.code}: ${first.message}); the others were sent, see details.sent`,
        { details: { failed, sent: results.flatMap((r, index) => (r ? [{ index, id: r.id }] : [])) } },
      );
    }
    return results as SendResult[];
  }

  #sqsApi(): Promise<SqsApi> {
    return (this.#sqs ??= loadSqs(this.#options));
  }

  #snsApi(): Promise<SnsApi> {
    return (this.#sns ??= loadSns(this.#options));
  }
}

type SqsModule = typeof import('@aws-sdk/client-sqs');
type SnsModule = typeof import('@aws-sdk/client-sns');
type SqsApi = Pick<SqsModule, 'SendMessageBatchCommand' | 'SendMessageCommand' | 'GetQueueUrlCommand' | 'ChangeMessageVisibilityCommand'> & {
  client: SQSClient;
};
type SnsApi = Pick<SnsModule, 'PublishBatchCommand'> & { client: SNSClient };

async function loadSqs(options: AwsProducerOptions): Promise<SqsApi> {
  const mod = await importPeer<SqsModule>('@aws-sdk/client-sqs', () => import('@aws-sdk/client-sqs'));
  return { ...mod, client: options.sqs ?? new mod.SQSClient(options.clientConfig ?? {}) };
}

async function loadSns(options: AwsProducerOptions): Promise<SnsApi> {
  const mod = await importPeer<SnsModule>('@aws-sdk/client-sns', () => import('@aws-sdk/client-sns'));
  return { ...mod, client: options.sns ?? new mod.SNSClient(options.clientConfig ?? {}) };
}

async function importPeer<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw new FaasportError('NO_RUNTIME', `${name} is not installed; it is an optional peer of faasport/aws: npm install ${name}`, { cause: err });
  }
}

function checkAttributeCount(operation: string, message: OutgoingMessage): void {
  const count = Object.keys(message.attributes).length;
  if (count > SQS_MAX_ATTRIBUTES) {
    throw new FaasportError('MESSAGE_INVALID', `${operation}: ${count} attributes, AWS messages carry at most ${SQS_MAX_ATTRIBUTES}; send fewer attributes`, {
      details: { count },
    });
  }
}

/** What SQS counts: body plus each attribute's name, data type and value. */
function sqsBytes(message: OutgoingMessage): number {
  let bytes = Buffer.byteLength(message.payload);
  for (const name in message.attributes) bytes += Buffer.byteLength(name) + 6 + Buffer.byteLength(message.attributes[name]!);
  return bytes;
}

const snsBytes = sqsBytes;

function sqsAttributes(attributes: Readonly<Record<string, string>>): Record<string, { DataType: string; StringValue: string }> | undefined {
  let out: Record<string, { DataType: string; StringValue: string }> | undefined;
  for (const name in attributes) (out ??= {})[name] = { DataType: 'String', StringValue: attributes[name]! };
  return out;
}

const snsAttributes = sqsAttributes;

/** Splits entries into batches of at most `max` entries and `maxBytes` bytes, in order. */
export function chunk<T extends { bytes: number }>(entries: readonly T[], max: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (current.length > 0 && (current.length === max || bytes + e.bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += e.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
