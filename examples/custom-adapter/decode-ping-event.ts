import { FaasportError, type CloudEvent, type ScheduleTick } from 'faasport';
import { parsePingSource, type PingSourceRef } from './ping-source-ref.js';
import { PING_TYPE } from './vocabulary.js';

/**
 * A ping later than this after its slot is past due. A PingSource sends within 500 ms of the
 * slot and retries for about 1.5 s; schedules are per minute, so a ping older than one
 * minute has missed its slot.
 */
export const PING_PAST_DUE_AFTER_MS = 60_000;

/**
 * The tick a ping stands for. `scheduledTime` is the event `time` (the slot; now when the
 * sender gave none); a redelivery (attempt > 1) or a ping older than
 * {@link PING_PAST_DUE_AFTER_MS} is past due.
 *
 * @example
 * ```ts
 * const { source, tick } = decodePingEvent(ping, 1, new Date());
 * source.name; // 'hourly'
 * tick.isPastDue; // false
 * ```
 */
export function decodePingEvent(
  event: CloudEvent,
  attempt = 1,
  now: Date = new Date(),
  operation = 'knative: decode ping',
): { source: PingSourceRef; tick: ScheduleTick } {
  if (event.type !== PING_TYPE) {
    throw new FaasportError('EVENT_INVALID', `${operation}: a schedule receives only "${PING_TYPE}" events, got "${event.type}"`, {
      status: 400,
      details: { path: 'type' },
    });
  }
  const source = parsePingSource(event.source, operation);
  const scheduledTime = event.time ? new Date(event.time) : now;
  const isPastDue = attempt > 1 || now.getTime() - scheduledTime.getTime() > PING_PAST_DUE_AFTER_MS;
  return { source, tick: { scheduledTime, actualTime: now, isPastDue } };
}
