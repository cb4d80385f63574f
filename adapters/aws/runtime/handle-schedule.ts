import { invokeSchedule, parseXRayHeader, type ScheduleFunctionDefinition } from 'faasport';
import { decodeScheduledEvent } from './decode-eventbridge.js';
import { createContext, type InvocationFacts } from './create-context.js';
import { asError } from './handle-sns.js';
import type { HandlerDeps } from './handler-deps.js';
import type { EventBridgeEventLike } from './types.js';

/** Runs a schedule function for an EventBridge rule firing; a failure is thrown for Lambda's async retry. */
export async function handleScheduledEvent(
  def: ScheduleFunctionDefinition,
  event: EventBridgeEventLike,
  facts: InvocationFacts,
  deps: HandlerDeps,
): Promise<void> {
  const ctx = createContext(def, facts, deps.settings, event, 1, () => parseXRayHeader(facts.lambdaTrace));
  const outcome = await invokeSchedule(def, decodeScheduledEvent(event), ctx);
  if (!outcome.ok) throw asError(outcome.error);
}
