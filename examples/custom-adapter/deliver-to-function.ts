import {
  FaasportError,
  invokeEvent,
  invokeQueueMessage,
  invokeSchedule,
  isFaasportError,
  summariseError,
  TRACEPARENT_ATTRIBUTE,
  type CloudEvent,
  type FunctionDefinition,
  type Outcome,
} from 'faasport';
import { createContext, type ContextDeps } from './create-context.js';
import { decodeHttpEvent, type HttpEventMessage } from './decode-http-binding.js';
import { decodePingEvent } from './decode-ping-event.js';
import { decodeQueueEvent } from './decode-queue-event.js';
import { pingSourceName } from './ping-source-ref.js';
import { ATTEMPT_EXTENSION, TRACEPARENT_EXTENSION } from './vocabulary.js';

/**
 * Handles one delivery to a subscriber function (`POST /_faasport/deliver/<function>`), as a
 * Knative event recipient: the event is handled before the answer, 202 accepts it, 400 says
 * it can never be handled (not retried), 500 asks for redelivery. A failure answer carries
 * the error summary (name, message, code; never a stack) for the dead-letter envelope.
 */
export async function deliverToFunction(def: FunctionDefinition, message: HttpEventMessage, deps: ContextDeps): Promise<Response> {
  const operation = `knative: deliver to "${def.name}"`;
  let run: () => Promise<Outcome>;
  try {
    run = prepare(def, decodeHttpEvent(message, operation), message.headers, deps, operation);
  } catch (err) {
    const status = isFaasportError(err) && err.status ? err.status : 400;
    return Response.json({ error: summariseError(err) }, { status });
  }
  const outcome = await run();
  if (outcome.ok) return new Response(null, { status: 202 });
  return Response.json({ error: summariseError(outcome.error) }, { status: 500 });
}

/** Decodes what `def` needs from the event (throwing EVENT_INVALID) and returns the invocation to run. */
function prepare(def: FunctionDefinition, event: CloudEvent, headers: Headers, deps: ContextDeps, operation: string): () => Promise<Outcome> {
  const hopTrace = headers.get('traceparent');
  switch (def.kind) {
    case 'queue':
    case 'topic': {
      const { kind, name, message } = decodeQueueEvent(event, operation);
      if (kind !== def.kind || name !== def.source.name) {
        throw mismatch(operation, `a message for ${kind} "${name}"`, `${def.kind} "${def.source.name}"`);
      }
      const ctx = createContext(
        def,
        deps,
        { trigger: def.kind, headers, event },
        { attempt: message.attempt, traceparent: message.attributes[TRACEPARENT_ATTRIBUTE] ?? hopTrace },
      );
      return () => invokeQueueMessage(def, message, ctx);
    }
    case 'schedule': {
      const attempt = attemptOf(event);
      const { source, tick } = decodePingEvent(event, attempt, new Date(), operation);
      if (source.name !== pingSourceName(def.name))
        throw mismatch(operation, `a ping from PingSource "${source.name}"`, `PingSource "${pingSourceName(def.name)}"`);
      const ctx = createContext(def, deps, { trigger: 'schedule', headers, event }, { attempt, traceparent: traceOf(event) ?? hopTrace });
      return () => invokeSchedule(def, tick, ctx);
    }
    case 'event': {
      const attempt = attemptOf(event);
      const { [ATTEMPT_EXTENSION]: _attempt, ...userEvent } = event;
      const ctx = createContext(def, deps, { trigger: 'event', headers, event }, { attempt, traceparent: traceOf(event) ?? hopTrace });
      return () => invokeEvent(def, userEvent as CloudEvent, ctx);
    }
    case 'http':
      throw new FaasportError('EVENT_INVALID', `${operation}: "${def.name}" is an http function; it answers requests on its route, not event deliveries`, {
        status: 400,
      });
  }
}

function attemptOf(event: CloudEvent): number {
  const n = Number(event[ATTEMPT_EXTENSION] ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function traceOf(event: CloudEvent): string | undefined {
  const t = event[TRACEPARENT_EXTENSION];
  return typeof t === 'string' ? t : undefined;
}

function mismatch(operation: string, got: string, want: string): FaasportError {
  return new FaasportError('EVENT_INVALID', `${operation}: got ${got}, but this subscriber consumes ${want}; check the trigger or subscription`, {
    status: 400,
  });
}
