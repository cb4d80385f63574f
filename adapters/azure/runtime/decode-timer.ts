import type { ScheduleTick } from 'faasport';

/** The timer binding value as the library hands it over (camelCase; `scheduleStatus` may be null). */
export interface AzureTimerInput {
  readonly isPastDue?: unknown;
  readonly scheduleStatus?: { readonly last?: unknown; readonly next?: unknown; readonly lastUpdated?: unknown } | null;
}

/**
 * Turns a timer binding value into a tick. While an occurrence runs, the host's schedule
 * monitor still holds it as `scheduleStatus.next` (the record is updated after the run), so
 * that is the scheduled time; without a monitor record (`useMonitor: false`, first run) it is
 * the current minute. `isPastDue` is the host's own flag for a late or missed occurrence.
 *
 * @example
 * ```ts
 * import { decodeTimer } from 'faasport/azure';
 * const tick = decodeTimer({ isPastDue: true, scheduleStatus: { next: '2022-03-28T15:45:00-05:00' } });
 * // tick.scheduledTime.toISOString() === '2022-03-28T20:45:00.000Z', tick.isPastDue === true
 * ```
 */
export function decodeTimer(timer: AzureTimerInput | null | undefined, now: Date = new Date()): ScheduleTick {
  const next = timer?.scheduleStatus?.next;
  const due = typeof next === 'string' ? Date.parse(next) : Number.NaN;
  const scheduledTime = !Number.isNaN(due) && due <= now.getTime() + 1000 ? new Date(due) : new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  return { scheduledTime, actualTime: now, isPastDue: timer?.isPastDue === true };
}
