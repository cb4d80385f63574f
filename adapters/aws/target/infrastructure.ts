import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FaasportError,
  checkSends,
  producerTargets,
  type App,
  type BuildOptions,
  type BuildResult,
  type EventFunctionDefinition,
  type FunctionDefinition,
  type HttpFunctionDefinition,
  type QueueDefinition,
  type QueueFunctionDefinition,
  type ScheduleFunctionDefinition,
} from 'faasport';
import { scheduleExpression } from './encode-schedule-expression.js';
import { toHttpApiPath } from '../runtime/http-api-path.js';
import { SQS_MAX_MESSAGE_BYTES, SQS_MAX_VISIBILITY_SECONDS } from '../runtime/limits.js';
import { deadLetterQueueName, envKey, redriveMaxReceiveCount, sqsQueueName, subscriptionQueueName } from '../runtime/names.js';
import { RUNTIME_NODE_MAJOR } from 'faasport/adapter-kit';
export { subscriptionQueueName, toHttpApiPath };

/** A CloudFormation / SAM template as JSON. */
export interface SamTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Transform: 'AWS::Serverless-2016-10-31';
  Description: string;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Description: string; Value: unknown }>;
}

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
}

export interface AwsTemplateOptions {
  /** Folder holding the bundle (`index.mjs`), relative to the template. Default `.`: `build` writes it beside the template. */
  readonly codeUri?: string;
  /**
   * Queues and topics each function may write to, by function name. Without an entry a
   * function may send to every queue and publish to every topic of the app: faasport cannot
   * see inside handlers which ones they use. List fewer here to grant less.
   */
  readonly sends?: Readonly<Record<string, readonly string[]>>;
  /** Also give each HTTP function a Lambda Function URL (IAM auth unless `public`). Default false. */
  readonly functionUrls?: boolean;
  /** Days CloudWatch keeps each function's logs. Default 30. */
  readonly logRetentionDays?: number;
  /** Default `x86_64`. */
  readonly architecture?: 'x86_64' | 'arm64';
}

/** Name of the template file `faasport build --target aws` writes beside the code. */
export const TEMPLATE_FILE = 'template.json';
/** Folder of the code bundle inside the build output, as the template refers to it. */
export const DEFAULT_CODE_URI = '.';
/** Logical id of the app's own EventBridge bus (named after the stack), made when an event function has no filter. */
export const APP_EVENT_BUS_ID = 'AppEventBus';
/** Lambda runtime every function runs on. */
export const LAMBDA_RUNTIME = `nodejs${RUNTIME_NODE_MAJOR}.x` as const;
/** Alias SAM publishes when a function keeps instances warm (provisioned concurrency needs one). */
export const WARM_ALIAS = 'live';
/** Longest retention SQS allows: dead letters are kept 14 days. */
const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

type Json = Record<string, unknown>;
const ref = (id: string): Json => ({ Ref: id });
const arn = (id: string): Json => ({ 'Fn::GetAtt': [id, 'Arn'] });
const sub = (text: string): Json => ({ 'Fn::Sub': text });

/**
 * The AWS SAM template for an app: one Lambda function per definition (nodejs22.x,
 * handler `index.<name>`, its memory and timeout), an HTTP API whose routes need IAM auth
 * unless the definition is `public`, SQS queues with dead-letter queues and a redrive
 * policy (`maxReceiveCount` = `maxAttempts`), event source mappings that report partial
 * batch failures, topics as SNS with one SQS queue per subscriber, EventBridge schedules
 * and event rules, provisioned concurrency from `warm`, and one IAM role per function that
 * grants exactly what that function does:
 *
 * - logs: `logs:CreateLogStream` / `logs:PutLogEvents` on its own log group;
 * - a queue consumer: `sqs:ReceiveMessage`, `sqs:DeleteMessage`, `sqs:GetQueueAttributes`
 *   on its queue, `sqs:ChangeMessageVisibility` only when the queue has backoff (the SDK
 *   delays the retry), and `sqs:SendMessage` on its dead-letter queue (the SDK writes the
 *   dead-letter envelope there on the last attempt);
 * - a producer: `sqs:SendMessage` on each queue's ARN, `sns:Publish` on each topic's ARN
 *   that the function declares in its `sends` option, and nothing for one that declares
 *   none (`options.sends` replaces a function's list, for an app you cannot edit).
 *
 * No statement uses `"*"` as an action or a resource. Queue URLs and topic ARNs reach the
 * code as `FAASPORT_QUEUE_URL_<NAME>` / `FAASPORT_TOPIC_ARN_<NAME>`, so no function needs
 * `sqs:GetQueueUrl`. S3 notifications reach event functions through EventBridge (turn on
 * "Amazon EventBridge" notifications on the bucket; filter with `source: 'aws.s3'`).
 *
 * An event function with a `type` or `source` filter gets a rule on the default bus. One
 * without a filter (`app.event('x', {}, …)`) is not given a rule that matches every event of
 * the account: the template creates the app's own bus (`AppEventBus`, named after the stack,
 * in the outputs as `EventBusName`) and the rule takes every event put on that bus.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { awsTemplate } from 'faasport/aws';
 * const app = createApp('shop');
 * app.http('hello', { route: '/hello/:name', public: true }, () => new Response('hi'));
 * const template = awsTemplate(app);
 * template.Resources.HelloFunction.Properties.Handler; // 'index.hello'
 * ```
 */
export function awsTemplate(app: App, options: AwsTemplateOptions = {}): SamTemplate {
  checkSends(app, options.sends);
  const ids = new LogicalIds();
  const resources: Record<string, CfnResource> = {};
  const outputs: SamTemplate['Outputs'] = {};
  const add = (id: string, resource: CfnResource): void => {
    resources[id] = resource;
  };

  // Queues and topics first: functions refer to them.
  const queueIds = new Map<QueueDefinition, QueueIds>();
  for (const q of app.queues) {
    const consumer = app.functions.find((f): f is QueueFunctionDefinition => f.kind === 'queue' && f.source === q);
    const id = ids.take(`${pascal(q.name)}Queue`, `queue "${q.name}"`);
    const dlqId = q.deadLetter ? ids.take(`${pascal(q.name)}DeadLetterQueue`, `queue "${q.name}" dead-letter queue`) : undefined;
    queueIds.set(q, { queue: id, deadLetter: dlqId });
    const timeoutMs = consumer?.timeoutMs;
    add(id, sqsQueue(q.name, q, timeoutMs, dlqId));
    if (dlqId) add(dlqId, deadLetterQueue(deadLetterQueueName({ name: consumer?.name ?? '', source: q }), q.fifo, id));
  }
  const topicIds = new Map<QueueDefinition, string>();
  for (const t of app.topics) {
    const id = ids.take(`${pascal(t.name)}Topic`, `topic "${t.name}"`);
    topicIds.set(t, id);
    add(id, { Type: 'AWS::SNS::Topic', Properties: { TopicName: sub(`\${AWS::StackName}-${t.name}`) } });
  }
  // One SQS queue per topic subscriber: per-subscriber attempts, backoff and dead letters.
  const subscriptionIds = new Map<QueueFunctionDefinition, QueueIds>();
  for (const fn of app.functions) {
    if (fn.kind !== 'topic') continue;
    const t = fn.source;
    const base = `${pascal(t.name)}${pascal(fn.name)}`;
    const id = ids.take(`${base}Queue`, `topic "${t.name}" subscription "${fn.name}"`);
    const dlqId = t.deadLetter ? ids.take(`${base}DeadLetterQueue`, `topic "${t.name}" subscription "${fn.name}" dead-letter queue`) : undefined;
    subscriptionIds.set(fn, { queue: id, deadLetter: dlqId });
    add(id, sqsQueue(subscriptionQueueName(t.name, fn.name), { ...t, fifo: false, delaySeconds: 0, batchSize: t.batchSize }, fn.timeoutMs, dlqId));
    if (dlqId) add(dlqId, deadLetterQueue(deadLetterQueueName(fn), false, id));
    const topicId = topicIds.get(t)!;
    add(ids.take(`${base}QueuePolicy`, `topic "${t.name}" subscription "${fn.name}" queue policy`), {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref(id)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TopicDelivers',
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: arn(id),
              Condition: { ArnEquals: { 'aws:SourceArn': ref(topicId) } },
            },
          ],
        },
      },
    });
    add(ids.take(`${base}Subscription`, `topic "${t.name}" subscription "${fn.name}"`), {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: ref(topicId), Protocol: 'sqs', Endpoint: arn(id) },
    });
  }

  // An event function without a filter listens on the app's own bus, never on the account's default bus.
  const busId = app.functions.some((f) => f.kind === 'event' && isUnfiltered(f)) ? ids.take(APP_EVENT_BUS_ID, "the app's event bus") : undefined;
  if (busId) {
    add(busId, { Type: 'AWS::Events::EventBus', Properties: { Name: sub('${AWS::StackName}') } });
    outputs.EventBusName = {
      Description: 'Event bus of the event functions without a type or source filter (PutEvents with this EventBusName)',
      Value: ref(busId),
    };
  }

  const httpFunctions = app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http');
  const apiId = httpFunctions.length > 0 ? ids.take('HttpApi', 'the HTTP API') : undefined;
  if (apiId) {
    add(apiId, {
      Type: 'AWS::Serverless::HttpApi',
      // Every route needs IAM auth (SigV4) unless its definition is public.
      Properties: { Auth: { EnableIamAuthorizer: true, DefaultAuthorizer: 'AWS_IAM' } },
    });
    outputs.HttpApiUrl = { Description: 'Base URL of the HTTP API', Value: sub(`https://\${${apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/`) };
  }

  const defaultRoute = defaultRouteFunction(app);
  for (const fn of app.functions) {
    const base = pascal(fn.name);
    const fnId = ids.take(`${base}Function`, `function "${fn.name}"`);
    const roleId = ids.take(`${base}Role`, `function "${fn.name}" role`);
    const logsId = ids.take(`${base}Logs`, `function "${fn.name}" log group`);
    const statements: Json[] = [{ Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arn(logsId) }];
    const env: Record<string, unknown> = { NODE_ENV: 'production', NODE_OPTIONS: '--enable-source-maps' };
    const events: Record<string, Json> = {};
    const extra: Json = {};

    if (fn.kind === 'queue' || fn.kind === 'topic') {
      const own = fn.kind === 'queue' ? queueIds.get(fn.source)! : subscriptionIds.get(fn)!;
      const actions = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
      if (fn.source.backoff !== false) actions.push('sqs:ChangeMessageVisibility');
      statements.push({ Sid: 'ConsumeQueue', Effect: 'Allow', Action: actions, Resource: arn(own.queue) });
      env[`FAASPORT_QUEUE_URL_${envKey(fn.kind === 'queue' ? fn.source.name : subscriptionQueueName(fn.source.name, fn.name))}`] = ref(own.queue);
      if (own.deadLetter) {
        statements.push({ Sid: 'WriteDeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arn(own.deadLetter) });
        env[`FAASPORT_QUEUE_URL_${envKey(deadLetterQueueName(fn))}`] = ref(own.deadLetter);
      }
      const batchSize = fn.source.fifo ? Math.min(10, fn.source.batchSize) : Math.min(10_000, fn.source.batchSize);
      events.Messages = {
        Type: 'SQS',
        Properties: {
          Queue: arn(own.queue),
          BatchSize: batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          // Standard queues need a batching window for batches above 10.
          ...(batchSize > 10 ? { MaximumBatchingWindowInSeconds: 1 } : {}),
        },
      };
    }
    if (fn.kind === 'http') {
      Object.assign(events, httpEvents(fn, apiId!));
      if (fn === defaultRoute) events.HttpDefault = defaultRouteEvent(fn, apiId!);
      if (options.functionUrls) extra.FunctionUrlConfig = { AuthType: fn.public ? 'NONE' : 'AWS_IAM' };
    }
    if (fn.kind === 'schedule') {
      Object.assign(
        events,
        scheduleEvents(fn, fnId, (id, r) => add(ids.take(id, `schedule "${fn.name}" scheduler role`), r), base),
      );
    }
    if (fn.kind === 'event') {
      const dlqId = ids.take(`${base}FailedEventsQueue`, `event function "${fn.name}" failed-events queue`);
      add(dlqId, {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: sub(`\${AWS::StackName}-${fn.name}-failed-events`),
          MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
          SqsManagedSseEnabled: true,
        },
      });
      // Lambda sends the failed event to the on-failure destination with the function's role.
      statements.push({ Sid: 'WriteFailedEvents', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arn(dlqId) });
      events.Events = eventRule(fn, busId);
      extra.EventInvokeConfig = {
        // Lambda retries an asynchronous invocation at most twice.
        MaximumRetryAttempts: Math.min(2, fn.maxAttempts - 1),
        DestinationConfig: { OnFailure: { Type: 'SQS', Destination: arn(dlqId) } },
      };
    }

    const targets = producerTargets(app, fn, options.sends);
    if (targets.queues.length > 0) {
      statements.push({ Sid: 'SendToQueues', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: targets.queues.map((q) => arn(queueIds.get(q)!.queue)) });
      for (const q of targets.queues) env[`FAASPORT_QUEUE_URL_${envKey(q.name)}`] = ref(queueIds.get(q)!.queue);
    }
    if (targets.topics.length > 0) {
      statements.push({ Sid: 'PublishToTopics', Effect: 'Allow', Action: ['sns:Publish'], Resource: targets.topics.map((t) => ref(topicIds.get(t)!)) });
      for (const t of targets.topics) env[`FAASPORT_TOPIC_ARN_${envKey(t.name)}`] = ref(topicIds.get(t)!);
    }

    add(logsId, {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: sub(`/aws/lambda/\${AWS::StackName}-${fn.name}`), RetentionInDays: options.logRetentionDays ?? 30 },
    });
    add(roleId, {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [{ PolicyName: `${fn.name}-least-privilege`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      },
    });
    add(fnId, {
      Type: 'AWS::Serverless::Function',
      Properties: {
        FunctionName: sub(`\${AWS::StackName}-${fn.name}`),
        CodeUri: options.codeUri ?? DEFAULT_CODE_URI,
        Handler: `index.${fn.name}`,
        Runtime: LAMBDA_RUNTIME,
        Architectures: [options.architecture ?? 'x86_64'],
        MemorySize: fn.memoryMb,
        Timeout: timeoutSeconds(fn),
        Role: arn(roleId),
        LoggingConfig: { LogGroup: ref(logsId) },
        Environment: { Variables: env },
        ...(fn.warm > 0 ? { AutoPublishAlias: WARM_ALIAS, ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: fn.warm } } : {}),
        ...extra,
        ...(Object.keys(events).length > 0 ? { Events: events } : {}),
      },
    });
    outputs[`${base}FunctionArn`] = { Description: `Lambda function "${fn.name}"`, Value: arn(fnId) };
  }

  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Transform: 'AWS::Serverless-2016-10-31',
    Description: `faasport app "${app.name}" (generated by faasport build; edit the app, not this file)`,
    Resources: resources,
    Outputs: outputs,
  };
}

/**
 * Writes `template.json` (the SAM template of {@link awsTemplate}) into `outDir`, atomically:
 * a failure leaves any earlier template in place. Returns the files written, relative to `outDir`.
 *
 * @example
 * ```ts
 * import { writeAwsInfrastructure } from 'faasport/aws';
 * const files = await writeAwsInfrastructure(app, 'dist/aws'); // ['template.json']
 * ```
 */
export async function writeAwsInfrastructure(app: App, outDir: string, options: AwsTemplateOptions = {}): Promise<string[]> {
  const text = JSON.stringify(awsTemplate(app, options), null, 2) + '\n';
  await mkdir(outDir, { recursive: true });
  const target = join(outDir, TEMPLATE_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, target);
  return [TEMPLATE_FILE];
}

/**
 * What `faasport build --target aws` calls after the code is bundled: writes the SAM
 * template beside it.
 *
 * @example
 * ```ts
 * // faasport build app.ts --target aws  →  dist/aws/template.json
 * import { writeInfrastructure } from 'faasport/aws';
 * await writeInfrastructure({ entry, exportName: 'app', outDir: 'dist/aws', app, log: console.log });
 * ```
 */
export async function writeInfrastructure(options: BuildOptions, templateOptions: AwsTemplateOptions = {}): Promise<BuildResult> {
  const files = await writeAwsInfrastructure(options.app, options.outDir, templateOptions);
  options.log(
    `aws: wrote ${files.join(', ')} (SAM: sam deploy --template-file ${TEMPLATE_FILE} --stack-name ${options.app.name} --capabilities CAPABILITY_IAM --resolve-s3)`,
  );
  return { outDir: options.outDir, files };
}

interface QueueIds {
  readonly queue: string;
  readonly deadLetter: string | undefined;
}

function sqsQueue(name: string, q: QueueDefinition, consumerTimeoutMs: number | undefined, deadLetterId: string | undefined): CfnResource {
  const props: Json = {
    QueueName: sub(`\${AWS::StackName}-${sqsQueueName(name, q.fifo)}`),
    VisibilityTimeout: visibilitySeconds(q, consumerTimeoutMs),
    MaximumMessageSize: q.maxMessageBytes === undefined ? SQS_MAX_MESSAGE_BYTES : Math.max(1024, Math.min(SQS_MAX_MESSAGE_BYTES, q.maxMessageBytes)),
    SqsManagedSseEnabled: true,
  };
  if (q.delaySeconds > 0) props.DelaySeconds = q.delaySeconds;
  if (q.fifo) props.FifoQueue = true;
  if (deadLetterId) {
    props.RedrivePolicy = { deadLetterTargetArn: arn(deadLetterId), maxReceiveCount: redriveMaxReceiveCount(q) };
  }
  return { Type: 'AWS::SQS::Queue', Properties: props };
}

function deadLetterQueue(name: string, fifo: boolean, sourceId: string): CfnResource {
  return {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: sub(`\${AWS::StackName}-${sqsQueueName(name, fifo)}`),
      MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
      SqsManagedSseEnabled: true,
      ...(fifo ? { FifoQueue: true } : {}),
      // Only its own source queue may redrive into it.
      RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [arn(sourceId)] },
    },
  };
}

/**
 * Visibility timeout: the queue's own setting, but at least six times the consumer's
 * timeout (what Lambda recommends, so a slow batch is not delivered twice), within SQS's 12 h.
 */
export function visibilitySeconds(q: Pick<QueueDefinition, 'visibilityTimeoutMs'>, consumerTimeoutMs: number | undefined): number {
  const fromQueue = q.visibilityTimeoutMs === undefined ? 0 : Math.ceil(q.visibilityTimeoutMs / 1000);
  const fromConsumer = consumerTimeoutMs === undefined ? 30 : 6 * Math.ceil(consumerTimeoutMs / 1000);
  return Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.max(fromQueue, fromConsumer));
}

function timeoutSeconds(fn: FunctionDefinition): number {
  return Math.max(1, Math.ceil(fn.timeoutMs / 1000));
}

/**
 * The HTTP function that also takes the HTTP API's `$default` route, so a request no route
 * matches gets faasport's 404 JSON (or 405 when another function serves the path) rather than
 * API Gateway's own `{"message":"Not Found"}`: the handler answers it without running user
 * code. A public function when there is one: the `$default` route has that function's auth, so
 * an API with no public function stays closed to anonymous clients (403 from API Gateway).
 */
export function defaultRouteFunction(app: App): HttpFunctionDefinition | undefined {
  const http = app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http');
  return http.find((f) => f.public) ?? http[0];
}

/** A SAM HttpApi event without Path and Method is the API's `$default` route. */
function defaultRouteEvent(fn: HttpFunctionDefinition, apiId: string): Json {
  return { Type: 'HttpApi', Properties: { ApiId: ref(apiId), PayloadFormatVersion: '2.0', Auth: { Authorizer: fn.public ? 'NONE' : 'AWS_IAM' } } };
}

function httpEvents(fn: HttpFunctionDefinition, apiId: string): Record<string, Json> {
  const methods = fn.methods === '*' ? ['ANY'] : fn.methods;
  const events: Record<string, Json> = {};
  for (const method of methods) {
    events[`Http${pascal(method.toLowerCase())}`] = {
      Type: 'HttpApi',
      Properties: {
        ApiId: ref(apiId),
        Method: method,
        Path: toHttpApiPath(fn.route.route),
        PayloadFormatVersion: '2.0',
        Auth: { Authorizer: fn.public ? 'NONE' : 'AWS_IAM' },
      },
    };
  }
  return events;
}

function scheduleEvents(fn: ScheduleFunctionDefinition, fnId: string, addRole: (id: string, r: CfnResource) => void, base: string): Record<string, Json> {
  const expression = scheduleExpression(fn);
  if (fn.timezone === undefined) {
    // A classic EventBridge rule (UTC) sends the "Scheduled Event" the adapter decodes.
    return { Schedule: { Type: 'Schedule', Properties: { Schedule: expression, Enabled: true } } };
  }
  // Time zones need EventBridge Scheduler; its input is shaped like the classic event.
  const roleId = `${base}SchedulerRole`;
  addRole(roleId, {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: `${fn.name}-scheduler-invoke`,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'InvokeScheduledFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [arn(fnId), sub(`\${${fnId}.Arn}:*`)] },
            ],
          },
        },
      ],
    },
  });
  return {
    Schedule: {
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
 * An EventBridge rule: `type` → `detail-type`, `source` → `source`, a final `*` → prefix, on
 * the default bus (where AWS services and custom producers put events). A function without a
 * filter gets a rule on the app's own bus (`busId`) that takes every event put there.
 */
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

function eventRule(fn: EventFunctionDefinition, busId: string | undefined): Json {
  const unfiltered = isUnfiltered(fn);
  const pattern = eventPattern(fn);
  return {
    Type: 'EventBridgeRule',
    Properties: {
      ...(unfiltered ? { EventBusName: ref(busId!) } : {}),
      Pattern: pattern,
      RetryPolicy: { MaximumRetryAttempts: Math.max(0, fn.maxAttempts - 1), MaximumEventAgeInSeconds: 86_400 },
    },
  };
}

/** `place-order` / `placeOrder` → `PlaceOrder`: CloudFormation logical ids are alphanumeric. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Hands out logical ids and refuses two names that would map to the same one. */
class LogicalIds {
  readonly #owners = new Map<string, string>();

  take(id: string, owner: string): string {
    const existing = this.#owners.get(id);
    if (existing !== undefined) {
      throw new FaasportError('CONFIG_INVALID', `aws template: ${owner} and ${existing} both map to the CloudFormation id "${id}"; rename one of them`, {
        details: { id },
      });
    }
    this.#owners.set(id, owner);
    return id;
  }
}
