import type { InvocationContext as AzureInvocationContext } from '@azure/functions';
import { eventMatches, invokeEvent, redactedError, type EventFunctionDefinition } from 'faasport';
import { decodeEventGridEvent } from './decode-event-grid.js';
import { createContext, type RegistrationDeps } from './registration-deps.js';

/** `app.eventGrid` for an event function (Event Grid and CloudEvents schemas); the type/source filter runs here. */
export function registerEventGrid(def: EventFunctionDefinition, deps: RegistrationDeps): void {
  deps.host.eventGrid(def.name, {
    handler: async (input: unknown, azure: AzureInvocationContext): Promise<void> => {
      const event = decodeEventGridEvent(input, `event "${def.name}"`);
      // Event Grid does not tell a subscriber how often it tried; retryContext counts the
      // Functions retry policy's attempts (when one is configured). Without it, attempt is 1.
      const retry = azure.retryContext;
      const ctx = createContext(
        def,
        azure,
        input,
        {
          attempt: retry ? retry.retryCount + 1 : 1,
          traceparent: typeof event.traceparent === 'string' ? event.traceparent : null,
        },
        deps,
      );
      if (!eventMatches(def, event)) {
        ctx.log.debug('event skipped: it does not match the function filter', { type: event.type, source: event.source });
        return;
      }
      const outcome = await invokeEvent(def, event, ctx);
      // A failed invocation makes Event Grid retry the delivery (and dead-letter it if configured).
      if (!outcome.ok) throw redactedError(outcome.error);
    },
  });
}
