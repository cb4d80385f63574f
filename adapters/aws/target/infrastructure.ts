import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkSends,
  producerTargets,
  type App,
  type BuildOptions,
  type BuildResult,
  type FunctionDefinition,
  type HttpFunctionDefinition,
  type QueueDefinition,
  type QueueFunctionDefinition,
} from 'faasport';
import { RUNTIME_NODE_MAJOR } from 'faasport/adapter-kit';
import { envKey } from '../runtime/names.js';
import { addAppEventBus, eventTrigger } from './sam-events.js';
import { addHttpApi, defaultRouteFunction, httpTrigger } from './sam-http.js';
import { addQueues, queueTrigger } from './sam-queues.js';
import { SamResources, arn, pascal, ref, serviceRole, sub, type CfnResource, type Json, type QueueIds, type Trigger } from './sam-resources.js';
import { scheduleTrigger } from './sam-schedules.js';
import { addSubscriptionQueues, addTopics } from './sam-topics.js';
export { subscriptionQueueName } from '../runtime/names.js';
export { toHttpApiPath } from '../runtime/http-api-path.js';
export { APP_EVENT_BUS_ID, eventPattern, isUnfiltered } from './sam-events.js';
export { defaultRouteFunction } from './sam-http.js';
export { visibilitySeconds } from './sam-queues.js';
export { pascal, type CfnResource } from './sam-resources.js';

/** A CloudFormation / SAM template as JSON. */
export interface SamTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Transform: 'AWS::Serverless-2016-10-31';
  Description: string;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Description: string; Value: unknown }>;
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
/** Lambda runtime every function runs on. */
export const LAMBDA_RUNTIME = `nodejs${RUNTIME_NODE_MAJOR}.x` as const;
/** Alias SAM publishes when a function keeps instances warm (provisioned concurrency needs one). */
export const WARM_ALIAS = 'live';

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
 * import { awsTemplate } from 'faasport/aws/target';
 * const app = createApp('shop');
 * app.http('hello', { route: '/hello/:name', public: true }, () => new Response('hi'));
 * const template = awsTemplate(app);
 * template.Resources.HelloFunction.Properties.Handler; // 'index.hello'
 * ```
 */
export function awsTemplate(app: App, options: AwsTemplateOptions = {}): SamTemplate {
  checkSends(app, options.sends);
  const t = new SamResources();
  // Queues and topics first: functions refer to them.
  const queues = addQueues(t, app);
  const topics = addTopics(t, app);
  const subscriptions = addSubscriptionQueues(t, app, topics);
  const busId = addAppEventBus(t, app);
  const apiId = addHttpApi(t, app);
  const shared: SharedIds = { queues, topics, subscriptions, busId, apiId, defaultRoute: defaultRouteFunction(app) };
  for (const fn of app.functions) addFunction(t, app, fn, shared, options);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Transform: 'AWS::Serverless-2016-10-31',
    Description: `faasport app "${app.name}" (generated by faasport build; edit the app, not this file)`,
    Resources: t.resources,
    Outputs: t.outputs,
  };
}

/**
 * Writes `template.json` (the SAM template of {@link awsTemplate}) into `outDir`, atomically:
 * a failure leaves any earlier template in place. Returns the files written, relative to `outDir`.
 *
 * @example
 * ```ts
 * import { writeAwsInfrastructure } from 'faasport/aws/target';
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
 * import { writeInfrastructure } from 'faasport/aws/target';
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

/** The logical ids of what the app's functions refer to: the resources awsTemplate adds before any function. */
interface SharedIds {
  readonly queues: ReadonlyMap<QueueDefinition, QueueIds>;
  readonly topics: ReadonlyMap<QueueDefinition, string>;
  readonly subscriptions: ReadonlyMap<QueueFunctionDefinition, QueueIds>;
  readonly busId: string | undefined;
  readonly apiId: string | undefined;
  readonly defaultRoute: HttpFunctionDefinition | undefined;
}

/** A function: what its trigger adds, its log group, its least-privilege role, the Lambda itself and its ARN in the outputs. */
function addFunction(t: SamResources, app: App, fn: FunctionDefinition, shared: SharedIds, options: AwsTemplateOptions): void {
  const base = pascal(fn.name);
  const fnId = t.id(`${base}Function`, `function "${fn.name}"`);
  const roleId = t.id(`${base}Role`, `function "${fn.name}" role`);
  const logsId = t.id(`${base}Logs`, `function "${fn.name}" log group`);
  const trigger = triggerOf(t, fn, fnId, base, shared, options);
  const producer = producerGrants(app, fn, shared, options.sends);
  t.add(logsId, {
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: sub(`/aws/lambda/\${AWS::StackName}-${fn.name}`), RetentionInDays: options.logRetentionDays ?? 30 },
  });
  const writeLogs = { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arn(logsId) };
  t.add(roleId, serviceRole('lambda.amazonaws.com', `${fn.name}-least-privilege`, [writeLogs, ...trigger.statements, ...producer.statements]));
  t.add(fnId, {
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
      Environment: { Variables: { NODE_ENV: 'production', NODE_OPTIONS: '--enable-source-maps', ...trigger.env, ...producer.env } },
      ...(fn.warm > 0 ? { AutoPublishAlias: WARM_ALIAS, ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: fn.warm } } : {}),
      ...trigger.properties,
      ...(Object.keys(trigger.events).length > 0 ? { Events: trigger.events } : {}),
    },
  });
  t.output(`${base}FunctionArn`, { Description: `Lambda function "${fn.name}"`, Value: arn(fnId) });
}

function triggerOf(t: SamResources, fn: FunctionDefinition, fnId: string, base: string, shared: SharedIds, options: AwsTemplateOptions): Trigger {
  switch (fn.kind) {
    case 'http':
      return httpTrigger(fn, shared.apiId!, fn === shared.defaultRoute, options.functionUrls);
    case 'queue':
      return queueTrigger(fn, shared.queues.get(fn.source)!);
    case 'topic':
      return queueTrigger(fn, shared.subscriptions.get(fn)!);
    case 'schedule':
      return scheduleTrigger(t, fn, fnId, base);
    case 'event':
      return eventTrigger(t, fn, base, shared.busId);
  }
}

/** A producer may send to each queue and publish on each topic it declares in `sends` (or `options.sends`), and learns their URLs / ARNs. */
function producerGrants(app: App, fn: FunctionDefinition, shared: SharedIds, sends: AwsTemplateOptions['sends']): Pick<Trigger, 'statements' | 'env'> {
  const targets = producerTargets(app, fn, sends);
  const statements: Json[] = [];
  const env: Record<string, unknown> = {};
  if (targets.queues.length > 0) {
    statements.push({
      Sid: 'SendToQueues',
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: targets.queues.map((q) => arn(shared.queues.get(q)!.queue)),
    });
    for (const q of targets.queues) env[`FAASPORT_QUEUE_URL_${envKey(q.name)}`] = ref(shared.queues.get(q)!.queue);
  }
  if (targets.topics.length > 0) {
    statements.push({
      Sid: 'PublishToTopics',
      Effect: 'Allow',
      Action: ['sns:Publish'],
      Resource: targets.topics.map((topic) => ref(shared.topics.get(topic)!)),
    });
    for (const topic of targets.topics) env[`FAASPORT_TOPIC_ARN_${envKey(topic.name)}`] = ref(shared.topics.get(topic)!);
  }
  return { statements, env };
}

function timeoutSeconds(fn: FunctionDefinition): number {
  return Math.max(1, Math.ceil(fn.timeoutMs / 1000));
}
