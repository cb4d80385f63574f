import type { App, EventFunctionDefinition } from 'faasport';
import { DEAD_LETTER_RETENTION_SECONDS, arn, ref, sub, type Json, type SamResources, type Trigger } from './sam-resources.js';

/** Logical id of the app's own EventBridge bus (named after the stack), made when an event function has no filter. */
export const APP_EVENT_BUS_ID = 'AppEventBus';

/**
 * The app's own event bus, when an event function has no filter: such a function listens
 * there, never on the account's default bus. Its name is in the outputs as `EventBusName`.
 */
export function addAppEventBus(t: SamResources, app: App): string | undefined {
  if (!app.functions.some((f) => f.kind === 'event' && isUnfiltered(f))) return undefined;
  const busId = t.id(APP_EVENT_BUS_ID, "the app's event bus");
  t.add(busId, { Type: 'AWS::Events::EventBus', Properties: { Name: sub('${AWS::StackName}') } });
  t.output('EventBusName', {
    Description: 'Event bus of the event functions without a type or source filter (PutEvents with this EventBusName)',
    Value: ref(busId),
  });
  return busId;
}

/**
 * What an event function adds: its EventBridge rule, a queue for the events that fail every
 * attempt (the function's on-failure destination, which Lambda writes to with the function's
 * role) and the asynchronous invocation's retry count.
 */
export function eventTrigger(t: SamResources, fn: EventFunctionDefinition, base: string, busId: string | undefined): Trigger {
  const dlqId = t.id(`${base}FailedEventsQueue`, `event function "${fn.name}" failed-events queue`);
  t.add(dlqId, {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: sub(`\${AWS::StackName}-${fn.name}-failed-events`),
      MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
      SqsManagedSseEnabled: true,
    },
  });
  return {
    statements: [{ Sid: 'WriteFailedEvents', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arn(dlqId) }],
    env: {},
    events: { Events: eventRule(fn, busId) },
    properties: {
      EventInvokeConfig: {
        // Lambda retries an asynchronous invocation at most twice.
        MaximumRetryAttempts: Math.min(2, fn.maxAttempts - 1),
        DestinationConfig: { OnFailure: { Type: 'SQS', Destination: arn(dlqId) } },
      },
    },
  };
}

/**
 * True when an event function's filter lets every event through (no `type` and no `source`,
 * or only `"*"`): on the default bus its rule would match every event of the account (every
 * AWS service's events, CloudTrail included), so it goes on the app's own bus instead.
 */
export function isUnfiltered(fn: Pick<EventFunctionDefinition, 'type' | 'source'>): boolean {
  return (fn.type === undefined || fn.type === '*') && (fn.source === undefined || fn.source === '*');
}

/**
 * The EventBridge pattern of an event function's rule: its `source` and `type` (as
 * `detail-type`, a trailing `*` as a prefix), or, unfiltered, every event (on the app's own bus).
 * The container target's rules use it too.
 */
export function eventPattern(fn: EventFunctionDefinition): Json {
  const match = (pattern: string): unknown[] => [pattern.endsWith('*') ? { prefix: pattern.slice(0, -1) } : pattern];
  const pattern: Json = {};
  if (isUnfiltered(fn)) {
    // EventBridge needs at least one field: every event has a source.
    pattern.source = [{ exists: true }];
  } else {
    if (fn.source !== undefined && fn.source !== '*') pattern.source = match(fn.source);
    if (fn.type !== undefined && fn.type !== '*') pattern['detail-type'] = match(fn.type);
  }
  return pattern;
}

/**
 * An EventBridge rule with the function's {@link eventPattern}, on the default bus (where AWS
 * services and custom producers put events), or for a function without a filter on the app's
 * own bus (`busId`), where it takes every event put there.
 */
function eventRule(fn: EventFunctionDefinition, busId: string | undefined): Json {
  return {
    Type: 'EventBridgeRule',
    Properties: {
      ...(isUnfiltered(fn) ? { EventBusName: ref(busId!) } : {}),
      Pattern: eventPattern(fn),
      RetryPolicy: { MaximumRetryAttempts: Math.max(0, fn.maxAttempts - 1), MaximumEventAgeInSeconds: 86_400 },
    },
  };
}
