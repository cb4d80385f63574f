import { TRACEPARENT_ATTRIBUTE, applyQueueFailure, invokeQueueMessage, summariseError, type Outcome, type QueueFunctionDefinition } from 'faasport';
import { PUBSUB_MIN_DELIVERY_ATTEMPTS } from './adapter.js';
import { decodePubsub, toQueueMessage, type PubsubDelivery } from './decode-pubsub.js';
import { encodeDeadLetter } from './encode-dead-letter.js';
import type { FrameworkCloudEvent, FunctionsFramework } from './framework.js';
import { eventContext, failLoudly, logFor, retry, skipWarmup, traceOf, type HandlerDeps } from './handler-deps.js';

/**
 * Registers a queue consumer or topic subscriber with `framework.cloudEvent`: it takes a
 * Pub/Sub message as the framework hands it over (a messagePublished CloudEvent, or one
 * converted from a legacy push body). A failure answers 500 so Pub/Sub redelivers; on the
 * last attempt the message goes to the dead-letter topic and is acknowledged.
 */
export function registerPubsub(framework: FunctionsFramework, def: QueueFunctionDefinition, deps: HandlerDeps): void {
  framework.cloudEvent(def.name, skipWarmup(pubsubHandler(def, deps)));
}

function pubsubHandler(def: QueueFunctionDefinition, deps: HandlerDeps) {
  // Without a delivery count faasport warns once per function.
  const warned = { noCount: false };
  return async (event: FrameworkCloudEvent<unknown>): Promise<void> => {
    const operation = `${def.kind} "${def.source.name}" ${def.kind === 'queue' ? 'consumer' : 'subscriber'} "${def.name}"`;
    const delivery = failLoudly(deps, operation, () => decodePubsub(event, operation));
    let outcome: Outcome;
    let attempt = delivery.deliveryAttempt ?? 1;
    try {
      const message = toQueueMessage(delivery, operation);
      attempt = message.attempt;
      const ctx = eventContext(deps, def, event, { attempt, traceparent: delivery.attributes[TRACEPARENT_ATTRIBUTE] ?? traceOf(event) });
      outcome = await invokeQueueMessage(def, message, ctx);
    } catch (error) {
      logFor(deps, def.name).error('message cannot be decoded', { messageId: delivery.messageId, attempt, error: summariseError(error) });
      outcome = { ok: false, error };
    }
    if (outcome.ok) return;
    await afterFailure(def, delivery, outcome.error, operation, deps, warned);
  };
}

async function afterFailure(
  def: QueueFunctionDefinition,
  delivery: PubsubDelivery,
  error: unknown,
  operation: string,
  deps: HandlerDeps,
  warned: { noCount: boolean },
): Promise<void> {
  const attempt = delivery.deliveryAttempt;
  // Without a delivery count only Pub/Sub knows how often it tried: its policy decides.
  if (attempt === undefined) {
    if (!warned.noCount) {
      warned.noCount = true;
      logFor(deps, def.name).warn(
        `deliveries carry no delivery count (a legacy push subscription, or no dead-letter policy): ctx.attempt stays 1, faasport cannot stop at maxAttempts ${def.source.maxAttempts}, and a failing message reaches the dead-letter topic through Pub/Sub's policy (at least ${PUBSUB_MIN_DELIVERY_ATTEMPTS} deliveries), with its payload but without the handler's error; deploy with faasport's deploy.sh (Eventarc trigger and dead-letter policy) to get both`,
      );
    }
    throw retry(operation, delivery, 'Pub/Sub redelivers it under the subscription retry policy');
  }
  const topic = deps.names.deadLetterTopic(def.source.name);
  const applied = await applyQueueFailure(
    { policy: def.source, messageId: delivery.messageId, attempt, log: logFor(deps, def.name), fields: { deadLetterTopic: topic } },
    {
      deadLetter: async () => {
        const letter = encodeDeadLetter(delivery, { queue: def.source.name, functionName: def.name, attempts: attempt, error });
        // Too many attributes to add faasport's: only Pub/Sub's policy can forward it, at max(5, maxAttempts).
        if (!letter) throw new Error("the message has too many attributes for faasport's dead-letter record");
        await deps.deadLetterPublisher().publish(topic, [letter]);
      },
      ifDeadLetterFails: "the message is nacked: faasport tries again on its next delivery, and Pub/Sub's dead-letter policy forwards it at the latest",
    },
  );
  if (applied.action === 'retry') throw retry(operation, delivery, `attempt ${attempt} of ${def.source.maxAttempts}; Pub/Sub redelivers it`);
  if (applied.returnsToQueue)
    throw retry(
      operation,
      delivery,
      "the dead-letter forward failed; Pub/Sub redelivers it and faasport forwards it on a later failing delivery (Pub/Sub's dead-letter policy at the latest)",
    );
}
