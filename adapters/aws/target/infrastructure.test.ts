import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createApp, type App } from 'faasport';
import { app as shop } from '../../../examples/shop/app.js';
import { toEventBridgeCron, toEventBridgeRate } from './encode-schedule-expression.js';
import { awsTemplate, toHttpApiPath, visibilitySeconds, writeAwsInfrastructure, type CfnResource, type SamTemplate } from './infrastructure.js';

type Json = Record<string, any>;

function resource(template: SamTemplate, id: string): CfnResource {
  const r = template.Resources[id];
  if (!r) throw new Error(`no resource ${id}; have ${Object.keys(template.Resources).join(', ')}`);
  return r;
}

function statements(template: SamTemplate, fn: string): Json[] {
  const props = resource(template, `${fn}Role`).Properties as Json;
  return props.Policies[0].PolicyDocument.Statement;
}

function statement(template: SamTemplate, fn: string, sid: string): Json | undefined {
  return statements(template, fn).find((s) => s.Sid === sid);
}

describe('toEventBridgeCron', () => {
  test.each([
    ['0 3 * * *', 'cron(0 3 * * ? *)'],
    ['*/15 * * * *', 'cron(0/15 * * * ? *)'],
    ['30 9 * * 1-5', 'cron(30 9 ? * MON-FRI *)'],
    ['0 0 * * 0', 'cron(0 0 ? * SUN *)'],
    ['0 0 * * 7', 'cron(0 0 ? * SUN *)'],
    ['0 0 * * 5-7', 'cron(0 0 ? * SUN,FRI,SAT *)'],
    ['0 12 * * */2', 'cron(0 12 ? * SUN,TUE,THU,SAT *)'],
    ['0 12 * * mon,wed', 'cron(0 12 ? * MON,WED *)'],
    ['0 6 1 * *', 'cron(0 6 1 * ? *)'],
    ['0 6 1,15 jan-mar *', 'cron(0 6 1,15 1-3 ? *)'],
    ['5 */6 * * *', 'cron(5 0/6 * * ? *)'],
    ['0 8-17 * * *', 'cron(0 8-17 * * ? *)'],
    ['0 0 L * *', 'cron(0 0 L * ? *)'],
  ])('%s → %s', (cron, expected) => {
    expect(toEventBridgeCron(cron, 'schedule "t"')).toBe(expected);
  });

  test.each([
    ['0 0 1 * 1', /both day-of-month and day-of-week/],
    ['0 0 * * 5#2', /cannot be converted/],
    ['0 0 * *', /must have 5 fields/],
    ['61 0 * * *', /outside 0-59/],
  ])('%s is refused', (cron, message) => {
    expect(() => toEventBridgeCron(cron, 'schedule "t"')).toThrow(message);
  });
});

describe('toEventBridgeRate', () => {
  test.each([
    [1, 'rate(1 minute)'],
    [5, 'rate(5 minutes)'],
    [60, 'rate(1 hour)'],
    [90, 'rate(90 minutes)'],
    [120, 'rate(2 hours)'],
    [1440, 'rate(1 day)'],
    [2880, 'rate(2 days)'],
  ])('every %i min → %s', (minutes, expected) => {
    expect(toEventBridgeRate(minutes * 60_000)).toBe(expected);
  });
});

describe('toHttpApiPath', () => {
  test.each([
    ['/hello/:name', '/hello/{name}'],
    ['/users/:user/items/:item', '/users/{user}/items/{item}'],
    ['/echo/*', '/echo/{proxy+}'],
    ['/', '/'],
  ])('%s → %s', (route, path) => expect(toHttpApiPath(route)).toBe(path));
});

describe('awsTemplate for the shop example', () => {
  const template = awsTemplate(shop);

  test('one nodejs22.x function per definition, handler index.<name>, memory and timeout', () => {
    for (const fn of shop.functions) {
      const props = resource(template, `${fn.name[0]!.toUpperCase()}${fn.name.slice(1)}Function`).Properties as Json;
      expect(props).toMatchObject({ Runtime: 'nodejs22.x', Handler: `index.${fn.name}`, MemorySize: fn.memoryMb, Timeout: Math.ceil(fn.timeoutMs / 1000) });
      expect(props.Environment.Variables.NODE_ENV).toBe('production');
    }
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
  });

  test('orders: SQS with a DLQ, redrive at maxAttempts, visibility six times the consumer timeout', () => {
    const queue = resource(template, 'OrdersQueue').Properties as Json;
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['OrdersDeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 });
    expect(queue.VisibilityTimeout).toBe(6 * 30);
    const dlq = resource(template, 'OrdersDeadLetterQueue').Properties as Json;
    expect(dlq.MessageRetentionPeriod).toBe(1_209_600);
    expect(dlq.RedriveAllowPolicy.sourceQueueArns).toEqual([{ 'Fn::GetAtt': ['OrdersQueue', 'Arn'] }]);
  });

  test('fulfil consumes orders with partial batch responses', () => {
    const events = (resource(template, 'FulfilFunction').Properties as Json).Events;
    expect(events.Messages).toEqual({
      Type: 'SQS',
      Properties: { Queue: { 'Fn::GetAtt': ['OrdersQueue', 'Arn'] }, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] },
    });
  });

  test('the consumer role: receive/delete/attributes, visibility for backoff, send on its own DLQ only', () => {
    expect(statement(template, 'Fulfil', 'ConsumeQueue')).toEqual({
      Sid: 'ConsumeQueue',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      Resource: { 'Fn::GetAtt': ['OrdersQueue', 'Arn'] },
    });
    expect(statement(template, 'Fulfil', 'WriteDeadLetters')?.Resource).toEqual({ 'Fn::GetAtt': ['OrdersDeadLetterQueue', 'Arn'] });
    expect(statement(template, 'Hello', 'WriteDeadLetters')).toBeUndefined();
    expect(statement(template, 'Hello', 'ConsumeQueue')).toBeUndefined();
  });

  test('producers: SendMessage on the queue ARN, Publish on the topic ARN, with URLs in the environment', () => {
    expect(statement(template, 'PlaceOrder', 'SendToQueues')).toMatchObject({
      Action: ['sqs:SendMessage'],
      Resource: [{ 'Fn::GetAtt': ['OrdersQueue', 'Arn'] }],
    });
    expect(statement(template, 'Fulfil', 'PublishToTopics')).toMatchObject({ Action: ['sns:Publish'], Resource: [{ Ref: 'ShippedTopic' }] });
    const env = (resource(template, 'PlaceOrderFunction').Properties as Json).Environment.Variables;
    expect(env.FAASPORT_QUEUE_URL_ORDERS).toEqual({ Ref: 'OrdersQueue' });
    expect(env.FAASPORT_TOPIC_ARN_SHIPPED).toBeUndefined();
    const fulfilEnv = (resource(template, 'FulfilFunction').Properties as Json).Environment.Variables;
    expect(fulfilEnv.FAASPORT_TOPIC_ARN_SHIPPED).toEqual({ Ref: 'ShippedTopic' });
    // A function that declares no sends gets no producer grant at all.
    expect(statement(template, 'Hello', 'SendToQueues')).toBeUndefined();
    expect(statement(template, 'Hello', 'PublishToTopics')).toBeUndefined();
    expect(statement(template, 'PlaceOrder', 'PublishToTopics')).toBeUndefined();
    expect(fulfilEnv.FAASPORT_QUEUE_URL_ORDERS_DLQ).toEqual({ Ref: 'OrdersDeadLetterQueue' });
  });

  test('shipped: SNS topic, one SQS subscription queue per subscriber, delivery allowed from that topic only', () => {
    expect(resource(template, 'ShippedTopic').Type).toBe('AWS::SNS::Topic');
    expect(resource(template, 'ShippedNotifyCustomerSubscription').Properties).toEqual({
      TopicArn: { Ref: 'ShippedTopic' },
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': ['ShippedNotifyCustomerQueue', 'Arn'] },
    });
    const policy = (resource(template, 'ShippedNotifyCustomerQueuePolicy').Properties as Json).PolicyDocument.Statement[0];
    expect(policy).toMatchObject({
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'ShippedTopic' } } },
    });
    expect(statement(template, 'NotifyCustomer', 'ConsumeQueue')?.Resource).toEqual({ 'Fn::GetAtt': ['ShippedNotifyCustomerQueue', 'Arn'] });
    expect(statement(template, 'NotifyCustomer', 'WriteDeadLetters')?.Resource).toEqual({ 'Fn::GetAtt': ['ShippedNotifyCustomerDeadLetterQueue', 'Arn'] });
  });

  test('HTTP routes on an IAM-default HTTP API; public routes opt out', () => {
    expect(resource(template, 'HttpApi').Properties).toEqual({ Auth: { EnableIamAuthorizer: true, DefaultAuthorizer: 'AWS_IAM' } });
    const hello = (resource(template, 'HelloFunction').Properties as Json).Events.HttpGet;
    expect(hello.Properties).toMatchObject({ Method: 'GET', Path: '/hello/{name}', Auth: { Authorizer: 'NONE' } });
  });

  test('nightlyReport: an EventBridge schedule; onEvent: a rule with retries and an on-failure queue', () => {
    expect((resource(template, 'NightlyReportFunction').Properties as Json).Events.Schedule).toEqual({
      Type: 'Schedule',
      Properties: { Schedule: 'cron(0 3 * * ? *)', Enabled: true },
    });
    const onEvent = resource(template, 'OnEventFunction').Properties as Json;
    // onEvent has no filter: its rule is on the app's own bus, not the account's default bus.
    expect(onEvent.Events.Events.Properties).toMatchObject({ EventBusName: { Ref: 'AppEventBus' }, Pattern: { source: [{ exists: true }] } });
    expect(onEvent.EventInvokeConfig).toEqual({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Type: 'SQS', Destination: { 'Fn::GetAtt': ['OnEventFailedEventsQueue', 'Arn'] } } },
    });
    expect(statement(template, 'OnEvent', 'WriteFailedEvents')?.Resource).toEqual({ 'Fn::GetAtt': ['OnEventFailedEventsQueue', 'Arn'] });
  });

  test('every role writes only to its own log group, and no statement uses "*"', () => {
    for (const fn of ['Hello', 'PlaceOrder', 'Fulfil', 'NotifyCustomer', 'NightlyReport', 'OnEvent']) {
      expect(statement(template, fn, 'WriteLogs')?.Resource).toEqual({ 'Fn::GetAtt': [`${fn}Logs`, 'Arn'] });
      expect((resource(template, `${fn}Function`).Properties as Json).LoggingConfig).toEqual({ LogGroup: { Ref: `${fn}Logs` } });
    }
    const text = JSON.stringify(template);
    expect(text).not.toMatch(/"(Action|Resource)":"\*"/);
    expect(text).not.toMatch(/"(sqs|sns|logs):\*"/);
  });
});

function appWith(define: (app: App) => void): App {
  const app = createApp('t');
  define(app);
  return app;
}

describe('awsTemplate options and edge cases', () => {
  test('no backoff → no ChangeMessageVisibility; no dead letters → no DLQ, no redrive, no DLQ grant', () => {
    const template = awsTemplate(appWith((app) => app.queue('jobs', { backoff: false, deadLetter: false }).consume('work', async () => {})));
    expect(statement(template, 'Work', 'ConsumeQueue')?.Action).toEqual(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']);
    expect(statement(template, 'Work', 'WriteDeadLetters')).toBeUndefined();
    expect(template.Resources.JobsDeadLetterQueue).toBeUndefined();
    expect((resource(template, 'JobsQueue').Properties as Json).RedrivePolicy).toBeUndefined();
  });

  test('FIFO queues and their DLQs are named .fifo; batch size at most 10', () => {
    const template = awsTemplate(appWith((app) => app.queue('ledger', { fifo: true, batchSize: 50 }).consume('book', async () => {})));
    expect(resource(template, 'LedgerQueue').Properties as Json).toMatchObject({ FifoQueue: true, QueueName: { 'Fn::Sub': '${AWS::StackName}-ledger.fifo' } });
    expect(resource(template, 'LedgerDeadLetterQueue').Properties as Json).toMatchObject({
      FifoQueue: true,
      QueueName: { 'Fn::Sub': '${AWS::StackName}-ledger-dlq.fifo' },
    });
    expect((resource(template, 'BookFunction').Properties as Json).Events.Messages.Properties.BatchSize).toBe(10);
  });

  test('warm → provisioned concurrency on a published alias; private routes need IAM; function URLs follow public', () => {
    const template = awsTemplate(
      appWith((app) => {
        app.http('admin', { method: ['GET', 'POST'], route: '/admin/*', warm: 2, timeoutMs: 5000, memoryMb: 1024 }, () => new Response('ok'));
      }),
      { functionUrls: true },
    );
    const props = resource(template, 'AdminFunction').Properties as Json;
    expect(props).toMatchObject({
      AutoPublishAlias: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
      MemorySize: 1024,
      Timeout: 5,
    });
    expect(props.FunctionUrlConfig).toEqual({ AuthType: 'AWS_IAM' });
    // The only HTTP function also takes $default (unknown routes), with its own IAM auth.
    expect(Object.keys(props.Events)).toEqual(['HttpGet', 'HttpPost', 'HttpDefault']);
    expect(props.Events.HttpPost.Properties).toMatchObject({ Path: '/admin/{proxy+}', Auth: { Authorizer: 'AWS_IAM' } });
    expect(props.Events.HttpDefault.Properties).toEqual({ ApiId: { Ref: 'HttpApi' }, PayloadFormatVersion: '2.0', Auth: { Authorizer: 'AWS_IAM' } });
  });

  test('the $default route (unknown paths get faasport 404 JSON) goes to a public HTTP function when there is one, and only to it', () => {
    const template = awsTemplate(
      appWith((app) => {
        app.http('admin', { route: '/admin' }, () => new Response('ok'));
        app.http('hello', { route: '/hello', public: true }, () => new Response('ok'));
      }),
    );
    const withDefault = Object.entries(template.Resources).filter(([, r]) => (r.Properties.Events as Json | undefined)?.HttpDefault);
    expect(withDefault.map(([id]) => id)).toEqual(['HelloFunction']);
    expect((withDefault[0]![1].Properties.Events as Json).HttpDefault.Properties.Auth).toEqual({ Authorizer: 'NONE' });
  });

  test('sends narrows what a function may write to; unknown names are refused', () => {
    const define = (app: App): void => {
      app.queue('a');
      app.queue('b');
      app.topic('news');
      app.http('api', { route: '/x' }, () => new Response('ok'));
    };
    const template = awsTemplate(appWith(define), { sends: { api: ['b'] } });
    expect(statement(template, 'Api', 'SendToQueues')?.Resource).toEqual([{ 'Fn::GetAtt': ['BQueue', 'Arn'] }]);
    expect(statement(template, 'Api', 'PublishToTopics')).toBeUndefined();
    expect(() => awsTemplate(appWith(define), { sends: { api: ['nope'] } })).toThrow(/"nope" is neither a queue nor a topic/);
    expect(() => awsTemplate(appWith(define), { sends: { missing: [] } })).toThrow(/"missing" is not a function/);
  });

  test('a schedule with a time zone uses EventBridge Scheduler with a role that may invoke only that function', () => {
    const template = awsTemplate(appWith((app) => app.schedule('daily', { cron: '0 9 * * *', timezone: 'Europe/Paris' }, async () => {})));
    const schedule = (resource(template, 'DailyFunction').Properties as Json).Events.Schedule;
    expect(schedule).toMatchObject({ Type: 'ScheduleV2', Properties: { ScheduleExpression: 'cron(0 9 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' } });
    expect(JSON.parse(schedule.Properties.Input)).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    const role = (resource(template, 'DailySchedulerRole').Properties as Json).Policies[0].PolicyDocument.Statement[0];
    expect(role).toMatchObject({
      Action: ['lambda:InvokeFunction'],
      Resource: [{ 'Fn::GetAtt': ['DailyFunction', 'Arn'] }, { 'Fn::Sub': '${DailyFunction.Arn}:*' }],
    });
  });

  test('event filters become an EventBridge pattern with prefix matching', () => {
    const template = awsTemplate(appWith((app) => app.event('onS3', { source: 'aws.s3', type: 'Object *', maxAttempts: 1 }, async () => {})));
    const props = resource(template, 'OnS3Function').Properties as Json;
    expect(props.Events.Events.Properties).toEqual({
      Pattern: { source: ['aws.s3'], 'detail-type': [{ prefix: 'Object ' }] },
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 86_400 },
    });
    expect(props.EventInvokeConfig.MaximumRetryAttempts).toBe(0);
  });

  test("an event function without a filter listens on the app's own bus, never on the default bus", () => {
    const template = awsTemplate(shop);
    expect(resource(template, 'AppEventBus')).toEqual({ Type: 'AWS::Events::EventBus', Properties: { Name: { 'Fn::Sub': '${AWS::StackName}' } } });
    expect(template.Outputs.EventBusName?.Value).toEqual({ Ref: 'AppEventBus' });
    // Every rule that matches every event sits on a bus other than the default one.
    for (const [id, r] of Object.entries(template.Resources)) {
      const rule = (r.Properties as Json).Events?.Events;
      if (rule?.Type !== 'EventBridgeRule') continue;
      expect(rule.Properties.EventBusName, id).toEqual({ Ref: 'AppEventBus' });
    }
  });

  test.each([
    ['no filter', {}],
    ['type "*"', { type: '*' }],
    ['source "*" and type "*"', { source: '*', type: '*' }],
  ])('%s counts as no filter: a rule on the app bus', (_label, filter) => {
    const template = awsTemplate(appWith((app) => app.event('all', filter, async () => {})));
    expect((resource(template, 'AllFunction').Properties as Json).Events.Events.Properties).toMatchObject({
      EventBusName: { Ref: 'AppEventBus' },
      Pattern: { source: [{ exists: true }] },
    });
  });

  test('filtered event functions stay on the default bus and no app bus is made for them', () => {
    const template = awsTemplate(appWith((app) => app.event('onS3', { source: 'aws.s3', type: '*' }, async () => {})));
    const rule = (resource(template, 'OnS3Function').Properties as Json).Events.Events.Properties;
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.Pattern).toEqual({ source: ['aws.s3'] });
    expect(template.Resources.AppEventBus).toBeUndefined();
  });

  test('names that map to the same CloudFormation id are refused', () => {
    const app = appWith((a) => {
      a.http('get-x', { route: '/a' }, () => new Response(''));
      a.http('getX', { route: '/b' }, () => new Response(''));
    });
    expect(() => awsTemplate(app)).toThrow(/both map to the CloudFormation id "GetXFunction"/);
  });

  test.each([
    [undefined, 30_000, 180],
    [600_000, 30_000, 600],
    [undefined, 900_000, 5400],
    [43_200_000, 900_000, 43_200],
  ])('visibility: queue %s ms, consumer %i ms → %i s', (queueMs, consumerMs, seconds) => {
    expect(visibilitySeconds({ visibilityTimeoutMs: queueMs }, consumerMs)).toBe(seconds);
  });
});

describe('writeAwsInfrastructure', () => {
  test('writes template.json and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faasport-aws-template-'));
    try {
      expect(await writeAwsInfrastructure(shop, dir)).toEqual(['template.json']);
      expect(await readdir(dir)).toEqual(['template.json']);
      expect(JSON.parse(await readFile(join(dir, 'template.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(awsTemplate(shop))));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
