import type { ScheduleFunctionDefinition } from 'faasport';
import { scheduleExpression } from './encode-schedule-expression.js';
import { arn, serviceRole, sub, type SamResources, type Trigger } from './sam-resources.js';

/**
 * What a schedule adds to its function: a classic EventBridge rule (UTC) for a schedule
 * without a time zone, else an EventBridge Scheduler schedule with the role it invokes the
 * function with.
 */
export function scheduleTrigger(t: SamResources, fn: ScheduleFunctionDefinition, fnId: string, base: string): Trigger {
  const expression = scheduleExpression(fn);
  if (fn.timezone === undefined) {
    // A classic EventBridge rule (UTC) sends the "Scheduled Event" the adapter decodes.
    return { statements: [], env: {}, events: { Schedule: { Type: 'Schedule', Properties: { Schedule: expression, Enabled: true } } }, properties: {} };
  }
  // Time zones need EventBridge Scheduler; its input is shaped like the classic event.
  const roleId = t.id(`${base}SchedulerRole`, `schedule "${fn.name}" scheduler role`);
  t.add(
    roleId,
    serviceRole('scheduler.amazonaws.com', `${fn.name}-scheduler-invoke`, [
      { Sid: 'InvokeScheduledFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [arn(fnId), sub(`\${${fnId}.Arn}:*`)] },
    ]),
  );
  const schedule = {
    Type: 'ScheduleV2',
    Properties: {
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: fn.timezone,
      RoleArn: arn(roleId),
      Input: JSON.stringify({
        version: '0',
        id: '<aws.scheduler.execution-id>',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: '<aws.scheduler.scheduled-time>',
        resources: ['<aws.scheduler.schedule-arn>'],
        detail: {},
      }),
    },
  };
  return { statements: [], env: {}, events: { Schedule: schedule }, properties: {} };
}
