import { DEFAULT_BACKOFF, eventMatches, type App, type CloudEvent, type EventFunctionDefinition, type QueueFunctionDefinition } from 'faasport';

/** The queue an event function's events wait on when the platform routes events to a queue: `<function>-events`. */
export function eventQueueName(fn: Pick<EventFunctionDefinition, 'name'>): string {
  return `${fn.name}-events`;
}

/** Turns one queued message body (the platform's event envelope) into the CloudEvent it carries. */
export type QueuedEventDecoder = (body: unknown) => CloudEvent;

/**
 * An event function as the consumer of its events queue: each message is decoded into its
 * CloudEvent and handed to the function when its filter admits it (another event on the queue
 * is acknowledged and dropped), with the function's `maxAttempts`, the core's backoff, and a
 * dead-letter queue `<function>-events-dlq`: the same retries and envelope as any queue.
 */
export function eventQueueFunction(fn: EventFunctionDefinition, decode: QueuedEventDecoder): QueueFunctionDefinition {
  return {
    kind: 'queue',
    name: fn.name,
    timeoutMs: fn.timeoutMs,
    memoryMb: fn.memoryMb,
    warm: 0,
    sends: fn.sends,
    ...(fn.logRedact ? { logRedact: fn.logRedact } : {}),
    source: {
      kind: 'queue',
      name: eventQueueName(fn),
      maxAttempts: fn.maxAttempts,
      backoff: DEFAULT_BACKOFF,
      deadLetter: true,
      visibilityTimeoutMs: undefined,
      batchSize: 10,
      fifo: false,
      delaySeconds: 0,
      maxMessageBytes: undefined,
    },
    async handler(msg, ctx) {
      const event = decode(msg.body);
      if (eventMatches(fn, event)) await fn.handler(event, ctx);
    },
  };
}

/** Every event function of `app` as its events queue's consumer. */
export function eventQueueFunctions(app: App, decode: QueuedEventDecoder): QueueFunctionDefinition[] {
  return app.functions.filter((f): f is EventFunctionDefinition => f.kind === 'event').map((fn) => eventQueueFunction(fn, decode));
}
