import { eventMatches, invokeEvent, type EventFunctionDefinition } from 'faasport';
import { decodeCloudEvent } from './decode-cloud-event.js';
import type { FrameworkCloudEvent, FunctionsFramework } from './framework.js';
import { eventContext, failLoudly, logFor, retry, skipWarmup, traceOf, type HandlerDeps } from './handler-deps.js';

/**
 * Registers an event function with `framework.cloudEvent`: it takes any CloudEvent Eventarc
 * routes to it (Cloud Storage and others). An event outside the function's filter is logged
 * and acknowledged; a failure answers 500 so Eventarc redelivers.
 */
export function registerEvent(framework: FunctionsFramework, def: EventFunctionDefinition, deps: HandlerDeps): void {
  framework.cloudEvent(def.name, skipWarmup(eventHandler(def, deps)));
}

function eventHandler(def: EventFunctionDefinition, deps: HandlerDeps) {
  return async (raw: FrameworkCloudEvent<unknown>): Promise<void> => {
    const operation = `event "${def.name}"`;
    const event = failLoudly(deps, operation, () => decodeCloudEvent(raw, operation));
    if (!eventMatches(def, event)) {
      // The trigger's own filter should have kept it away; retrying cannot change the answer.
      logFor(deps, def.name).warn("event ignored: it does not match the function's type/source filter", {
        type: event.type,
        source: event.source,
        id: event.id,
      });
      return;
    }
    const outcome = await invokeEvent(def, event, eventContext(deps, def, raw, { traceparent: traceOf(raw) }));
    if (!outcome.ok) throw retry(operation, undefined, "Eventarc redelivers it under the trigger's retry policy");
  };
}
