import type { InvocationContext as AzureInvocationContext } from '@azure/functions';
import {
  applyQueueFailure,
  invokeQueueMessage,
  toDeadLetterEnvelope,
  TRACEPARENT_ATTRIBUTE,
  redactedError,
  type QueueFunctionDefinition,
  type QueueMessage,
} from 'faasport';
import { decodeServiceBusMessage } from './decode-service-bus.js';
import { decodeStorageQueueMessage, rawStorageQueueMessage } from './decode-storage-queue.js';
import { storageQueueName } from './names.js';
import { createContext, type RegistrationDeps } from './registration-deps.js';

/**
 * A queue consumer or topic subscriber, one invocation per message: `app.storageQueue` on its
 * own Storage queue (a topic has one per subscriber), or `app.serviceBusQueue` /
 * `app.serviceBusTopic` (one subscription per function) when the name runs on Service Bus.
 */
export function registerConsumer(def: QueueFunctionDefinition, deps: RegistrationDeps): void {
  const { host, producer } = deps;
  const onServiceBus = def.kind === 'queue' ? deps.serviceBusQueues.has(def.source.name) : deps.serviceBusTopics.has(def.source.name);
  const storageQueue = onServiceBus ? '' : def.kind === 'queue' ? storageQueueName(def.source.name) : storageQueueName(def.source.name, def.name);
  const handler = async (item: unknown, azure: AzureInvocationContext): Promise<void> => {
    let message: QueueMessage;
    let undecodable: unknown;
    try {
      message = onServiceBus
        ? decodeServiceBusMessage(item, azure.triggerMetadata, azure.invocationId)
        : decodeStorageQueueMessage(item, azure.triggerMetadata, azure.invocationId);
    } catch (err) {
      if (onServiceBus) throw err;
      // A body no retry can decode (base64 of text that is not JSON): its last attempt, now.
      undecodable = err;
      message = rawStorageQueueMessage(item, azure.triggerMetadata, azure.invocationId);
    }
    const ctx = createContext(
      def,
      azure,
      item,
      {
        attempt: message.attempt,
        traceparent: message.attributes[TRACEPARENT_ATTRIBUTE] ?? null,
        ...(onServiceBus ? { messagingSystem: 'servicebus' } : {}),
      },
      deps,
    );
    if (undecodable !== undefined) ctx.log.error('message body cannot be decoded; the function did not run', { messageId: message.id, error: undecodable });
    const outcome = undecodable === undefined ? await invokeQueueMessage(def, message, ctx) : { ok: false as const, error: undecodable };
    if (outcome.ok) return;
    // Throwing hands the message back: Storage makes it visible again after host.json's
    // visibilityTimeout, Service Bus abandons it; both count the delivery (Service Bus
    // dead-letters at MaxDeliveryCount itself).
    if (onServiceBus) throw redactedError(outcome.error);
    const applied = await applyQueueFailure(
      {
        policy: def.source,
        messageId: message.id,
        attempt: message.attempt,
        retryable: undecodable === undefined,
        log: ctx.log,
        fields: { queue: `${storageQueue}-poison` },
      },
      {
        deadLetter: () =>
          producer.deadLetter(storageQueue, toDeadLetterEnvelope(def, def.source.name, message, message.attempt, outcome.error, message.enqueuedAt)),
        ifDeadLetterFails: 'the host retries it and moves it to the poison queue itself',
      },
    );
    if (applied.returnsToQueue) throw redactedError(outcome.error);
  };
  if (!onServiceBus) host.storageQueue(def.name, { queueName: storageQueue, connection: deps.storageConnection, handler });
  else if (def.kind === 'queue') host.serviceBusQueue(def.name, { queueName: def.source.name, connection: deps.serviceBusConnection, handler });
  else host.serviceBusTopic(def.name, { topicName: def.source.name, subscriptionName: def.name, connection: deps.serviceBusConnection, handler });
}
