import { FaasportError, producerTargets, type App, type EventFunctionDefinition, type QueueFunctionDefinition } from 'faasport';
import { APP_EVENT_BUS_ID, awsTemplate, eventPattern, isUnfiltered, pascal, type CfnResource } from 'faasport/aws/target';
import { eventQueueName } from '../runtime/event-queue.js';
import { deadLetterQueueName, envKey, subscriptionQueueName } from 'faasport/aws';
import { HEALTH_PATH } from '../runtime/control-api.js';
import { CONTAINER_PORT } from './dockerfile.js';

/** The CloudFormation template the container target writes for aws. */
export const ECS_TEMPLATE_FILE = 'ecs-template.json';
/** Seconds ECS waits after SIGTERM before SIGKILL (its longest is 120); the server drains within GRACE_MS. */
export const ECS_STOP_TIMEOUT_SECONDS = 30;
export const ECS_GRACE_MS = 25_000;

type Json = Record<string, unknown>;
const ref = (id: string): Json => ({ Ref: id });
const arn = (id: string): Json => ({ 'Fn::GetAtt': [id, 'Arn'] });
const sub = (text: string): Json => ({ 'Fn::Sub': text });

/** Queue resources Lambda's template makes that a container needs as they are: queues, dead-letter queues, topics, subscriptions. */
const QUEUE_TYPES = new Set(['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::SNS::Topic', 'AWS::SNS::Subscription', 'AWS::Events::EventBus']);
/** Days EventBridge's undeliverable events and the consumer's dead letters are kept (SQS's longest). */
const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

/**
 * The ECS Fargate deployment of a container-built app, as one CloudFormation template: the
 * SQS queues, dead-letter queues with their redrive policy, SNS topics and subscription
 * queues taken from the Lambda template (one definition of them, not two), a task
 * definition running the image as uid 1000 with a read-only root file system and the
 * image's health check, a service with CPU target-tracking autoscaling, and a task role
 * that grants exactly what the app's consumers and producers do: receive, delete, change
 * visibility and read attributes on each consumed queue, send to its dead-letter queue,
 * send to / publish on what each function declares in `sends`. No statement has a "*".
 * With schedules, a second service of exactly one task (never two, even while deploying)
 * runs them in-process: the single-runner rule. Each event function gets an EventBridge rule
 * (the Lambda template's pattern, on the app's own bus when unfiltered) whose target is an SQS
 * queue `<function>-events` that the server consumes (retries, maxAttempts and a dead-letter
 * queue as any queue); only that rule may send to it (a queue policy on `aws:SourceArn`).
 * SQS rather than an API destination: nothing has to be reachable from outside the VPC, and a
 * replica that is down or draining loses no event.
 */
export function ecsTemplate(app: App): Json {
  const lambda = awsTemplate(app);
  const resources: Record<string, CfnResource | Json> = {};
  // Lambda's on-failure queues of event functions are not needed: the container dead-letters events itself.
  const lambdaOnly = new Set(app.functions.filter((f) => f.kind === 'event').map((f) => `${pascal(f.name)}FailedEventsQueue`));
  for (const [id, resource] of Object.entries(lambda.Resources)) if (QUEUE_TYPES.has(resource.Type) && !lambdaOnly.has(id)) resources[id] = resource;
  const need = (id: string): string => {
    if (!resources[id])
      throw new FaasportError('INTERNAL', `container template for app "${app.name}": the aws template has no resource "${id}"; report this as a faasport bug`);
    return id;
  };

  const consume: Json[] = [];
  const env: { Name: string; Value: unknown }[] = [];
  const deadLetters: Json[] = [];
  // Queue or topic name → logical id of what each function declares in `sends`.
  const sendTo = new Map<string, string>();
  const publishTo = new Map<string, string>();
  for (const fn of app.functions) {
    if (fn.kind === 'queue' || fn.kind === 'topic') {
      const base = fn.kind === 'queue' ? pascal(fn.source.name) : `${pascal(fn.source.name)}${pascal(fn.name)}`;
      const queueId = need(`${base}Queue`);
      consume.push(arn(queueId));
      env.push({ Name: `FAASPORT_QUEUE_URL_${envKey(logicalQueue(fn))}`, Value: ref(queueId) });
      if (fn.source.deadLetter) {
        const dlqId = need(`${base}DeadLetterQueue`);
        deadLetters.push(arn(dlqId));
        env.push({ Name: `FAASPORT_QUEUE_URL_${envKey(deadLetterQueueName(fn))}`, Value: ref(dlqId) });
      }
    }
    const targets = producerTargets(app, fn);
    for (const q of targets.queues) sendTo.set(q.name, need(`${pascal(q.name)}Queue`));
    for (const t of targets.topics) publishTo.set(t.name, need(`${pascal(t.name)}Topic`));
  }
  const eventFunctions = app.functions.filter((f): f is EventFunctionDefinition => f.kind === 'event');
  for (const fn of eventFunctions) {
    const base = `${pascal(fn.name)}Events`;
    const [queueId, dlqId, ruleId, policyId] = [`${base}Queue`, `${base}DeadLetterQueue`, `${base}Rule`, `${base}QueuePolicy`].map((id) => {
      if (resources[id])
        throw new FaasportError(
          'CONFIG_INVALID',
          `container template for app "${app.name}": event function "${fn.name}" needs the resource id "${id}", which a queue or topic already has; rename the function or that queue`,
        );
      return id;
    }) as [string, string, string, string];
    const name = eventQueueName(fn);
    resources[dlqId] = {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: sub(`\${AWS::StackName}-${name}-dlq`), MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS, SqsManagedSseEnabled: true },
    };
    resources[queueId] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: sub(`\${AWS::StackName}-${name}`),
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: arn(dlqId), maxReceiveCount: fn.maxAttempts },
      },
    };
    resources[ruleId] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        ...(isUnfiltered(fn) ? { EventBusName: ref(APP_EVENT_BUS_ID) } : {}),
        EventPattern: eventPattern(fn),
        State: 'ENABLED',
        // An event EventBridge cannot put on the queue goes to the dead-letter queue, not nowhere.
        Targets: [{ Id: 'container', Arn: arn(queueId), DeadLetterConfig: { Arn: arn(dlqId) } }],
      },
    };
    resources[policyId] = {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref(queueId), ref(dlqId)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: [arn(queueId), arn(dlqId)],
              Condition: { ArnEquals: { 'aws:SourceArn': arn(ruleId) } },
            },
          ],
        },
      },
    };
    consume.push(arn(queueId));
    deadLetters.push(arn(dlqId));
    env.push({ Name: `FAASPORT_QUEUE_URL_${envKey(name)}`, Value: ref(queueId) }, { Name: `FAASPORT_QUEUE_URL_${envKey(`${name}-dlq`)}`, Value: ref(dlqId) });
  }
  for (const [name, id] of sendTo)
    if (!env.some((e) => e.Name === `FAASPORT_QUEUE_URL_${envKey(name)}`)) env.push({ Name: `FAASPORT_QUEUE_URL_${envKey(name)}`, Value: ref(id) });
  for (const [name, id] of publishTo) env.push({ Name: `FAASPORT_TOPIC_ARN_${envKey(name)}`, Value: ref(id) });

  const statements: Json[] = [];
  if (consume.length > 0) {
    // ChangeMessageVisibility always: the consumer extends leases and hands messages back on SIGTERM.
    statements.push({
      Sid: 'ConsumeQueues',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      Resource: consume,
    });
  }
  if (deadLetters.length > 0) statements.push({ Sid: 'WriteDeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: deadLetters });
  if (sendTo.size > 0) statements.push({ Sid: 'SendToQueues', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [...sendTo.values()].map(arn) });
  if (publishTo.size > 0) statements.push({ Sid: 'PublishToTopics', Effect: 'Allow', Action: ['sns:Publish'], Resource: [...publishTo.values()].map(ref) });

  const assume = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  resources.LogGroup = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: sub('/ecs/${AWS::StackName}'), RetentionInDays: 30 } };
  resources.ExecutionRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: assume,
      ManagedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy')],
    },
  };
  resources.TaskRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: assume,
      ...(statements.length > 0
        ? { Policies: [{ PolicyName: `${app.name}-least-privilege`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }] }
        : {}),
    },
  };
  resources.Cluster = { Type: 'AWS::ECS::Cluster', Properties: { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] } };
  const taskDefinition = (runSchedules: boolean): Json => ({
    Type: 'AWS::ECS::TaskDefinition',
    Properties: {
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: ref('Cpu'),
      Memory: ref('Memory'),
      ExecutionRoleArn: arn('ExecutionRole'),
      TaskRoleArn: arn('TaskRole'),
      ContainerDefinitions: [
        {
          Name: app.name,
          Image: ref('ImageUri'),
          Essential: true,
          User: '1000:1000',
          ReadonlyRootFilesystem: true,
          StopTimeout: ECS_STOP_TIMEOUT_SECONDS,
          PortMappings: [{ ContainerPort: CONTAINER_PORT, Protocol: 'tcp' }],
          Environment: [
            { Name: 'NODE_ENV', Value: 'production' },
            { Name: 'FAASPORT_GRACE_MS', Value: String(ECS_GRACE_MS) },
            ...(runSchedules ? [{ Name: 'FAASPORT_SCHEDULES', Value: 'run' }] : []),
            ...env,
          ],
          HealthCheck: {
            Command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${CONTAINER_PORT}${HEALTH_PATH}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
            Interval: 15,
            Timeout: 3,
            Retries: 3,
            StartPeriod: 10,
          },
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: { 'awslogs-group': ref('LogGroup'), 'awslogs-region': ref('AWS::Region'), 'awslogs-stream-prefix': app.name },
          },
        },
      ],
    },
  });
  const network = { AwsvpcConfiguration: { Subnets: ref('Subnets'), SecurityGroups: ref('SecurityGroups'), AssignPublicIp: 'DISABLED' } };
  resources.TaskDefinition = taskDefinition(false);
  resources.Service = {
    Type: 'AWS::ECS::Service',
    Properties: {
      Cluster: ref('Cluster'),
      TaskDefinition: ref('TaskDefinition'),
      LaunchType: 'FARGATE',
      DesiredCount: ref('MinTasks'),
      NetworkConfiguration: network,
      DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 200, DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
      LoadBalancers: {
        'Fn::If': ['HasTargetGroup', [{ ContainerName: app.name, ContainerPort: CONTAINER_PORT, TargetGroupArn: ref('TargetGroupArn') }], ref('AWS::NoValue')],
      },
    },
  };
  resources.ScalableTarget = {
    Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    Properties: {
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId: sub('service/${Cluster}/${Service.Name}'),
      MinCapacity: ref('MinTasks'),
      MaxCapacity: ref('MaxTasks'),
    },
  };
  resources.CpuScaling = {
    Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
    Properties: {
      PolicyName: `${app.name}-cpu`,
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: ref('ScalableTarget'),
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
    },
  };
  if (app.functions.some((f) => f.kind === 'schedule')) {
    resources.SchedulerTaskDefinition = taskDefinition(true);
    resources.SchedulerService = {
      Type: 'AWS::ECS::Service',
      Properties: {
        Cluster: ref('Cluster'),
        TaskDefinition: ref('SchedulerTaskDefinition'),
        LaunchType: 'FARGATE',
        DesiredCount: 1,
        NetworkConfiguration: network,
        // Stop the old task before starting the new one: two schedule runners never overlap.
        DeploymentConfiguration: { MinimumHealthyPercent: 0, MaximumPercent: 100 },
      },
    };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `faasport app "${app.name}" as an ECS Fargate service (generated by faasport build --target container --cloud aws; edit the app, not this file)`,
    Parameters: {
      ImageUri: { Type: 'String', Description: "The image built from this folder's Dockerfile" },
      Subnets: { Type: 'List<AWS::EC2::Subnet::Id>', Description: 'Private subnets for the tasks' },
      SecurityGroups: {
        Type: 'List<AWS::EC2::SecurityGroup::Id>',
        Description: `Security groups for the tasks (allow the load balancer to port ${CONTAINER_PORT})`,
      },
      TargetGroupArn: { Type: 'String', Default: '', Description: 'An ALB target group for HTTP (health check path /_faasport/readyz); empty for none' },
      Cpu: { Type: 'String', Default: '512' },
      Memory: { Type: 'String', Default: '1024' },
      MinTasks: { Type: 'Number', Default: 2, MinValue: 1 },
      MaxTasks: { Type: 'Number', Default: 10, MinValue: 1 },
    },
    Conditions: { HasTargetGroup: { 'Fn::Not': [{ 'Fn::Equals': [ref('TargetGroupArn'), ''] }] } },
    Resources: resources,
    ...(resources[APP_EVENT_BUS_ID]
      ? {
          Outputs: {
            EventBusName: {
              Description: 'Event bus of the event functions without a type or source filter (PutEvents with this EventBusName)',
              Value: ref(APP_EVENT_BUS_ID),
            },
          },
        }
      : {}),
  };
}

function logicalQueue(fn: QueueFunctionDefinition): string {
  return fn.kind === 'queue' ? fn.source.name : subscriptionQueueName(fn.source.name, fn.name);
}
