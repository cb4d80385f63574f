import type { CloudEvent, ScheduleTick } from 'faasport';
import { objectAt, optionalArrayAt, optionalStringAt, stringAt } from './event-fields.js';
import type { EventBridgeEventLike } from './types.js';

const OPERATION = 'aws EventBridge event';

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
  const time = optionalStringAt(objectAt(event, OPERATION, '').time, OPERATION, 'time');
  const due = time === undefined ? Number.NaN : Date.parse(time);
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
  const e = objectAt(event, OPERATION, '');
  const ce: Record<string, unknown> = {
    specversion: '1.0',
    id: stringAt(e.id, OPERATION, 'id'),
    source: stringAt(e.source, OPERATION, 'source'),
    type: stringAt(e['detail-type'], OPERATION, 'detail-type'),
    datacontenttype: 'application/json',
    data: e.detail,
  };
  const time = optionalStringAt(e.time, OPERATION, 'time');
  if (time) ce.time = time;
  const resources = optionalArrayAt(e.resources, OPERATION, 'resources');
  if (resources && resources.length === 1) ce.subject = stringAt(resources[0], OPERATION, 'resources.0');
  return ce as unknown as CloudEvent;
}
