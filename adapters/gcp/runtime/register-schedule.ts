import { invokeSchedule, type ScheduleFunctionDefinition } from 'faasport';
import { decodeCloudEvent } from './decode-cloud-event.js';
import { decodePubsub } from './decode-pubsub.js';
import { decodeSchedule } from './decode-schedule.js';
import type { FrameworkCloudEvent, FunctionsFramework } from './framework.js';
import { eventContext, failLoudly, retry, skipWarmup, traceOf, type HandlerDeps } from './handler-deps.js';

/** The CloudEvent type of a Pub/Sub message; a schedule's tick arrives as one when its Cloud Scheduler job publishes to the schedule's topic. */
export const PUBSUB_PUBLISHED_TYPE = 'google.cloud.pubsub.topic.v1.messagePublished';

/**
 * Registers a schedule with `framework.cloudEvent`: it takes the Cloud Scheduler job's tick,
 * published to the schedule's topic or sent as a CloudEvent. A failure answers 500 so the
 * tick is redelivered.
 */
export function registerSchedule(framework: FunctionsFramework, def: ScheduleFunctionDefinition, deps: HandlerDeps): void {
  framework.cloudEvent(def.name, skipWarmup(scheduleHandler(def, deps)));
}

function scheduleHandler(def: ScheduleFunctionDefinition, deps: HandlerDeps) {
  return async (event: FrameworkCloudEvent<unknown>): Promise<void> => {
    const operation = `schedule "${def.name}"`;
    const tick = failLoudly(deps, operation, () =>
      event.type === PUBSUB_PUBLISHED_TYPE
        ? decodeSchedule({ delivery: decodePubsub(event, operation) })
        : decodeSchedule({ event: decodeCloudEvent(event, operation) }),
    );
    const outcome = await invokeSchedule(def, tick, eventContext(deps, def, event, { traceparent: traceOf(event) }));
    if (!outcome.ok) throw retry(operation, undefined, 'the tick is redelivered under the subscription retry policy');
  };
}
