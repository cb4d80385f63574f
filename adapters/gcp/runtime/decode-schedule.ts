import type { CloudEvent, ScheduleTick } from 'faasport';
import type { PubsubDelivery } from './decode-pubsub.js';

/** Cloud Scheduler's own event type (Eventarc), when the job reaches the function directly. */
export const SCHEDULER_EXECUTED_TYPE = 'google.cloud.scheduler.job.v1.executed';

/**
 * A tick later than this after its slot is past due. Cloud Scheduler publishes within
 * seconds of the slot; a minute covers delivery through Pub/Sub and a cold start.
 */
export const GCP_PAST_DUE_AFTER_MS = 60_000;

/**
 * The tick for a Cloud Scheduler job. Through Pub/Sub (how `faasport build` wires schedules)
 * the slot is the message's publish time; through Scheduler's own event it is the event time.
 * A redelivery (attempt > 1) is always past due: its slot has been missed once.
 */
export function decodeSchedule(source: { delivery: PubsubDelivery } | { event: CloudEvent }, now: Date = new Date()): ScheduleTick {
  let scheduledTime: Date;
  let attempt = 1;
  if ('delivery' in source) {
    scheduledTime = source.delivery.publishTime;
    attempt = source.delivery.deliveryAttempt ?? 1;
  } else {
    const time = source.event.time ? new Date(source.event.time) : now;
    scheduledTime = Number.isNaN(time.getTime()) ? now : time;
  }
  return { scheduledTime, actualTime: now, isPastDue: attempt > 1 || now.getTime() - scheduledTime.getTime() > GCP_PAST_DUE_AFTER_MS };
}
