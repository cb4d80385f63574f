import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { BatchResponse, LambdaContextLike, LambdaHandler, SqsRecordLike } from '../runtime/types.js';

export interface EventSourceMappingOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  handler: LambdaHandler;
  context: () => LambdaContextLike;
  onError: (error: unknown) => void;
}

/**
 * What Lambda's SQS event source mapping does, for tests: polls the queue, hands batches to
 * the function as SQS events (vendor record shape) and deletes every message the function
 * did not report in `batchItemFailures`. A thrown error leaves the whole batch on the queue.
 */
export class EventSourceMapping {
  #running = true;
  #busy = false;
  readonly #done: Promise<void>;

  constructor(private readonly options: EventSourceMappingOptions) {
    this.#done = this.#loop();
  }

  /** True while a batch is being handled. */
  get busy(): boolean {
    return this.#busy;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }

  async #loop(): Promise<void> {
    const { sqs, queueUrl, batchSize } = this.options;
    while (this.#running) {
      let messages: Message[] = [];
      try {
        this.#busy = true;
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, batchSize),
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = out.Messages ?? [];
        if (messages.length > 0) await this.#invoke(messages);
      } catch (err) {
        if (this.#running) this.options.onError(err);
      } finally {
        this.#busy = false;
      }
      if (messages.length === 0 && this.#running) await new Promise((r) => setTimeout(r, 25));
    }
  }

  async #invoke(messages: Message[]): Promise<void> {
    const records: SqsRecordLike[] = messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: { ...(m.Attributes as Record<string, string>) },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, a]) => [
          name,
          { dataType: a.DataType!, stringValue: a.StringValue, stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: m.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: 'us-east-1',
    })) as SqsRecordLike[];
    // Through JSON, as the event travels to Lambda.
    const event = JSON.parse(JSON.stringify({ Records: records })) as unknown;
    const result = (await this.options.handler(event, this.options.context())) as BatchResponse | undefined;
    const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length > 0) {
      await this.options.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
  }
}
