import { randomUUID } from 'node:crypto';
import { FaasportError, type OutgoingMessage, type QueueDefinition, type SendResult, type Transport } from 'faasport';
import { KNATIVE_MAX_MESSAGE_BYTES } from './adapter.js';
import type { Broker } from './broker.js';
import { encodeQueueEvent } from './encode-queue-event.js';

/**
 * How `queue.send` and `topic.publish` reach the broker: each message becomes one CloudEvent
 * (see `encodeQueueEvent`). Options Knative cannot honour are refused before anything is sent.
 */
export function createTransport(appName: string, broker: Broker): Transport {
  const accept = (definition: QueueDefinition, messages: readonly OutgoingMessage[]): SendResult[] => {
    messages.forEach((m) => check(definition, m));
    return messages.map((m) => {
      const id = randomUUID();
      broker.accept(encodeQueueEvent(appName, definition, m, id));
      return { id };
    });
  };
  return {
    provider: 'knative',
    maxMessageBytes: KNATIVE_MAX_MESSAGE_BYTES,
    send: async (queue, messages) => accept(queue, messages),
    publish: async (topic, messages) => accept(topic, messages),
  };
}

function check(definition: QueueDefinition, message: OutgoingMessage): void {
  const what = `${definition.kind} "${definition.name}": send`;
  if (message.delaySeconds > 0) {
    throw new FaasportError(
      'CAPABILITY_UNSUPPORTED',
      `${what}: delaySeconds ${message.delaySeconds} is not supported on knative (no delayed delivery); send without a delay or schedule the work`,
      {
        details: { adapter: 'knative', need: 'delaySeconds' },
      },
    );
  }
  if (message.deduplicationId !== undefined) {
    throw new FaasportError(
      'CAPABILITY_UNSUPPORTED',
      `${what}: deduplicationId is not supported on knative (no FIFO channels); drop it and make the consumer idempotent`,
      {
        details: { adapter: 'knative', need: 'deduplicationId' },
      },
    );
  }
}
