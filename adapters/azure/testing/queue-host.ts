/**
 * Test support: the Functions host's Storage queue listener for a worker, against Azurite.
 * Like the host with the host.json `messageEncoding: "none"` faasport's build writes: it polls
 * each trigger queue, invokes the function with the text as sent and the message
 * metadata, deletes the message on success, and on failure makes it
 * visible again after `visibilityTimeout`, or moves it to `<queue>-poison` once
 * `DequeueCount` reaches `maxDequeueCount`.
 */
import { QueueServiceClient, type DequeuedMessageItem, type QueueClient } from '@azure/storage-queue';
import type { FunctionsWorker, RegisteredFunction } from './functions-core-host.js';
import { storageQueueInvocation } from './host-invocations.js';

export interface QueueHostOptions {
  readonly worker: FunctionsWorker;
  readonly connectionString: string;
  readonly maxDequeueCount: number;
  readonly visibilityTimeoutMs: number;
  readonly batchSize: number;
  /** host.json `extensions.queues.messageEncoding`: the stand-in reads text as sent only. */
  readonly messageEncoding: 'none';
  readonly pollMs?: number;
  /** Called with the error of a failed invocation, which the host writes to its log. */
  readonly onFailure?: (functionName: string, error: unknown) => void;
}

export interface QueueHost {
  /** Resolves when every trigger queue is empty (delayed messages included) and nothing runs. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startQueueHost(options: QueueHostOptions): QueueHost {
  const service = QueueServiceClient.fromConnectionString(options.connectionString);
  const pollMs = options.pollMs ?? 100;
  const triggers = [...options.worker.functions.values()].filter((f) => f.trigger.type === 'queueTrigger');
  let running = true;
  let inFlight = 0;
  const loops: Promise<void>[] = [];

  const poison = async (queue: QueueClient, name: string, message: DequeuedMessageItem): Promise<void> => {
    const target = service.getQueueClient(`${name}-poison`);
    await target.createIfNotExists();
    await target.sendMessage(message.messageText);
    await queue.deleteMessage(message.messageId, message.popReceipt);
  };

  const handle = async (fn: RegisteredFunction, queue: QueueClient, name: string, message: DequeuedMessageItem): Promise<void> => {
    if (message.dequeueCount > options.maxDequeueCount) return poison(queue, name, message);
    const text = message.messageText;
    const result = await options.worker.invoke(
      fn.metadata.name,
      storageQueueInvocation(fn, {
        text,
        id: message.messageId,
        dequeueCount: message.dequeueCount,
        insertionTime: message.insertedOn,
        expirationTime: message.expiresOn,
        nextVisibleTime: message.nextVisibleOn,
        popReceipt: message.popReceipt,
      }),
    );
    if (!result.ok) options.onFailure?.(fn.metadata.name, result.error);
    if (result.ok) await queue.deleteMessage(message.messageId, message.popReceipt);
    else if (message.dequeueCount >= options.maxDequeueCount) await poison(queue, name, message);
    else await queue.updateMessage(message.messageId, message.popReceipt, undefined, Math.floor(options.visibilityTimeoutMs / 1000));
  };

  const listen = async (fn: RegisteredFunction): Promise<void> => {
    const name = String(fn.trigger.queueName);
    const queue = service.getQueueClient(name);
    await queue.createIfNotExists();
    while (running) {
      let messages: DequeuedMessageItem[] = [];
      try {
        messages = (await queue.receiveMessages({ numberOfMessages: Math.min(32, options.batchSize), visibilityTimeout: 30 })).receivedMessageItems;
      } catch {
        if (!running) return;
      }
      if (messages.length === 0) {
        await new Promise((r) => setTimeout(r, pollMs));
        continue;
      }
      inFlight += messages.length;
      await Promise.all(
        messages.map((m) =>
          handle(fn, queue, name, m)
            .catch(() => undefined)
            .finally(() => inFlight--),
        ),
      );
    }
  };
  for (const fn of triggers) loops.push(listen(fn));

  return {
    async settle(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let quiet = 0;
      while (quiet < 2) {
        if (Date.now() > until) throw new Error(`queues did not settle within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, pollMs));
        let pending = inFlight;
        for (const fn of triggers) {
          const props = await service
            .getQueueClient(String(fn.trigger.queueName))
            .getProperties()
            .catch(() => undefined);
          pending += props?.approximateMessagesCount ?? 0;
        }
        quiet = pending === 0 ? quiet + 1 : 0;
      }
    },
    async stop() {
      running = false;
      await Promise.allSettled(loops);
    },
  };
}
