import { invokeQueueMessage, redactedError, type QueueFunctionDefinition } from 'faasport';
import { decodeSnsRecord, snsParentTrace } from './decode-sns.js';
import { createContext, type InvocationFacts } from './create-context.js';
import type { HandlerDeps } from './handler-deps.js';
import type { SnsEventLike } from './types.js';

/**
 * Runs a topic subscriber over a direct SNS event. SNS invokes Lambda asynchronously and
 * reports no delivery count, so a failure is thrown back: Lambda retries (up to twice) and
 * then hands the event to the function's on-failure destination with its payload.
 */
export async function handleSnsEvent(def: QueueFunctionDefinition, event: SnsEventLike, facts: InvocationFacts, deps: HandlerDeps): Promise<void> {
  for (const record of event.Records) {
    const message = decodeSnsRecord(record);
    const ctx = createContext(def, facts, deps.settings, event, message.attempt, () => snsParentTrace(record.Sns.MessageAttributes, facts.lambdaTrace));
    const outcome = await invokeQueueMessage(def, message, ctx);
    if (!outcome.ok) throw asError(outcome.error);
  }
}

/** The error thrown back to Lambda, which logs it (message and stack) to CloudWatch: secrets redacted, a non-Error summarised. */
export function asError(error: unknown): Error {
  return redactedError(error);
}
