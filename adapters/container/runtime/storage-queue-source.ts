import type { DequeuedMessageItem, QueueServiceClient } from '@azure/storage-queue';
import type { QueueFunctionDefinition, QueueMessage } from 'faasport';
import { parseJsonOrText } from 'faasport/adapter-kit';
import { decodeStorageQueueMessage } from 'faasport/azure';
import type { AzureProducer } from 'faasport/azure';
import { storageQueueName } from 'faasport/azure';
import type { Delivery, QueueSource, QueueSourceFactory } from './queue-source.js';

export interface StorageQueueSourcesOptions {
  readonly service: QueueServiceClient;
  /** The Azure adapter's producer: sends, topic fan-out and `<queue>-poison` dead letters. */
  readonly producer: AzureProducer;
  readonly leaseSeconds?: number;
  /** Wait after an empty receive, ms (Storage queues have no long polling; default 1000). */
  readonly idleMs?: number;
}

/**
 * Storage queue sources for the container target: a queue consumer reads the queue of the
 * same (lower-cased) name, a topic subscriber its `<topic>-<function>` queue, the layout the
 * Azure Functions adapter uses. Receive leases a message, updateMessage extends the lease,
 * delays a retry or (visibility 0) hands it back; `DequeueCount` is the attempt; dead
 * letters go to `<queue>-poison` in the Functions adapter's format.
 */
export function storageQueueSources(options: StorageQueueSourcesOptions): QueueSourceFactory {
  const leaseSeconds = options.leaseSeconds ?? 30;
  const idleMs = options.idleMs ?? 1000;
  return (def) => {
    const name = def.kind === 'queue' ? storageQueueName(def.source.name) : storageQueueName(def.source.name, def.name);
    const queue = options.service.getQueueClient(name);
    const source: QueueSource = {
      name,
      leaseSeconds,
      async connect() {
        // As the Functions host does: a trigger queue that does not exist yet is created.
        await queue.createIfNotExists();
      },
      async receive(max, signal) {
        const out = await queue
          .receiveMessages({ numberOfMessages: Math.min(32, max), visibilityTimeout: leaseSeconds, abortSignal: signal })
          .catch((err: unknown) => {
            if (signal.aborted) return undefined;
            throw err;
          });
        const items = out?.receivedMessageItems ?? [];
        if (items.length === 0 && !signal.aborted) await idle(idleMs, signal);
        return items.map((item) => storageDelivery(def, name, item, options));
      },
    };
    return source;
  };
}

function storageDelivery(def: QueueFunctionDefinition, name: string, item: DequeuedMessageItem, options: StorageQueueSourcesOptions): Delivery {
  const queue = options.service.getQueueClient(name);
  // Every updateMessage hands out a new pop receipt; the latest one settles the message.
  let popReceipt = item.popReceipt;
  const update = async (seconds: number): Promise<void> => {
    const out = await queue.updateMessage(item.messageId, popReceipt, undefined, Math.max(0, Math.ceil(seconds)));
    if (out.popReceipt) popReceipt = out.popReceipt;
  };
  const ack = async (): Promise<void> => {
    await queue.deleteMessage(item.messageId, popReceipt);
  };
  const raw = (): QueueMessage<unknown> => ({
    id: item.messageId,
    body: item.messageText,
    attempt: item.dequeueCount,
    enqueuedAt: item.insertedOn,
    attributes: {},
  });
  return {
    attempt: Math.max(1, item.dequeueCount),
    firstAttemptAt: item.insertedOn,
    decode() {
      // Text as sent, like the Functions host with messageEncoding "none" (base64 of JSON decoded; MESSAGE_INVALID when ambiguous).
      return decodeStorageQueueMessage(
        parseJsonOrText(item.messageText),
        { id: item.messageId, dequeueCount: item.dequeueCount, insertionTime: item.insertedOn },
        item.messageId,
      );
    },
    raw,
    ack,
    retryAfter: (delayMs) => update(delayMs / 1000),
    release: () => update(0),
    extend: (seconds) => update(seconds),
    async deadLetter(envelope) {
      await options.producer.deadLetter(name, envelope);
      await ack();
    },
  };
}

function idle(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
