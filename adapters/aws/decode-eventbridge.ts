import type { CloudEvent, ScheduleTick } from 'faasport';
import type { EventBridgeEventLike } from './types.js';

/** A scheduled tick that starts this much after its slot counts as past due. */
export const PAST_DUE_AFTER_MS = 60_000;

/**
 * Turns an EventBridge scheduled event into a schedule tick: `time` is when the rule was due
 * (seconds precision), and a tick that runs more than a minute late is past due.
 *
 * @example
 * ```ts
 * import { decodeScheduledEvent } from 'faasport/aws';
 * const tick = decodeScheduledEvent(event);
 * tick.isPastDue; // false when it ran on time
 * ```
 */
export function decodeScheduledEvent(event: EventBridgeEventLike, now: Date = new Date()): ScheduleTick {
  const due = Date.parse(event.time);
  const scheduledTime = Number.isNaN(due) ? now : new Date(due);
  return { scheduledTime, actualTime: now, isPastDue: now.getTime() - scheduledTime.getTime() > PAST_DUE_AFTER_MS };
}

/**
 * Turns an EventBridge event into a CloudEvent: `id`, `source`, `detail-type` → `type`,
 * `time`, `detail` → `data`. The account, region and resources stay in `ctx.native`.
 *
 * @example
 * ```ts
 * import { decodeEventBridge } from 'faasport/aws';
 * decodeEventBridge(event).type; // e.g. "Order Purchased"
 * ```
 */
export function decodeEventBridge(event: EventBridgeEventLike): CloudEvent {
  const ce: Record<string, unknown> = {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event['detail-type'],
    datacontenttype: 'application/json',
    data: event.detail,
  };
  if (event.time) ce.time = event.time;
  if (event.resources && event.resources.length === 1) ce.subject = event.resources[0];
  return ce as unknown as CloudEvent;
}
