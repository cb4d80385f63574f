import { eventMatches, FaasportError, type App, type FunctionDefinition } from 'faasport';
import type { DeliveryPolicy, Subscription } from './broker.js';
import { pingSourceName, pingSourceUri } from './ping-source-ref.js';
import { DELIVER_PATH, INTERNAL_TYPE_PREFIX, PING_TYPE, QUEUE_EXTENSION, QUEUE_MESSAGE_TYPE, TOPIC_MESSAGE_TYPE } from './vocabulary.js';

/** Knative's broker default delivery: exponential backoff from 0.2 s. */
const EVENT_BACKOFF = Object.freeze({ initialDelayMs: 200, maxDelayMs: 60_000, multiplier: 2 });
/** A PingSource retries 5 times, exponentially from 50 ms. */
const PING_DELIVERY: DeliveryPolicy = Object.freeze({
  maxAttempts: 6,
  backoff: Object.freeze({ initialDelayMs: 50, maxDelayMs: 1_600, multiplier: 2 }),
  deadLetter: true,
});
/** Headroom over the function's own timeout before the sender gives up on an answer. */
const DELIVERY_TIMEOUT_MARGIN_MS = 5_000;

/**
 * The Knative resources an app needs, as the in-process broker runs them:
 *
 * - a queue → a Channel with one Subscription to its consumer (`delivery` from the queue options);
 * - a topic subscriber → a Trigger on the Broker filtering `type=dev.faasport.topic.message,
 *   faasportqueue=<topic>`;
 * - an event function → a Trigger filtering its `type` / `source` (exact or prefix), never the
 *   app's own `dev.faasport.*` traffic or pings;
 * - a schedule → a PingSource `<namespace>/<pingSourceName(function)>` whose events a Trigger
 *   filtering on that `source` delivers.
 *
 * Every subscriber is `<service URL>/_faasport/deliver/<function>`.
 */
export function planSubscriptions(app: App, serviceUrl: string, namespace: string): Subscription[] {
  checkPingSourceNames(app);
  return app.functions.flatMap((def): Subscription[] => {
    const subscriber = serviceUrl + DELIVER_PATH + encodeURIComponent(def.name);
    const timeoutMs = def.timeoutMs + DELIVERY_TIMEOUT_MARGIN_MS;
    const base = { functionName: def.name, subscriber, timeoutMs };
    switch (def.kind) {
      case 'queue':
      case 'topic': {
        const type = def.kind === 'queue' ? QUEUE_MESSAGE_TYPE : TOPIC_MESSAGE_TYPE;
        const name = def.source.name;
        return [{ ...base, queue: name, delivery: def.source, matches: (e) => e.type === type && e[QUEUE_EXTENSION] === name }];
      }
      case 'event':
        return [
          {
            ...base,
            queue: `event/${def.name}`,
            delivery: { maxAttempts: def.maxAttempts, backoff: EVENT_BACKOFF, deadLetter: true },
            matches: (e) => !e.type.startsWith(INTERNAL_TYPE_PREFIX) && e.type !== PING_TYPE && eventMatches(def, e),
          },
        ];
      case 'schedule': {
        const source = pingSourceUri({ namespace, name: pingSourceName(def.name) });
        return [{ ...base, queue: `schedule/${def.name}`, delivery: PING_DELIVERY, matches: (e) => e.type === PING_TYPE && e.source === source }];
      }
      case 'http':
        return [];
    }
  });
}

/** Two schedules whose names fold to one PingSource name would share ticks: refuse at start. */
function checkPingSourceNames(app: App): void {
  const seen = new Map<string, FunctionDefinition>();
  for (const def of app.functions) {
    if (def.kind !== 'schedule') continue;
    const name = pingSourceName(def.name);
    const other = seen.get(name);
    if (other) {
      throw new FaasportError(
        'DUPLICATE_NAME',
        `schedules "${other.name}" and "${def.name}" both become PingSource "${name}" on knative (names are lower-case there); rename one`,
        {
          details: { pingSource: name },
        },
      );
    }
    seen.set(name, def);
  }
}
