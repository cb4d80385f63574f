import type { App, QueueDefinition, QueueFunctionDefinition } from 'faasport';
import { deadLetterQueueName, subscriptionQueueName } from '../runtime/names.js';
import { deadLetterQueue, sqsQueue } from './sam-queues.js';
import { arn, pascal, ref, sub, type CfnResource, type QueueIds, type SamResources } from './sam-resources.js';

/** One SNS topic per app topic; returns their logical ids. */
export function addTopics(t: SamResources, app: App): Map<QueueDefinition, string> {
  const topicIds = new Map<QueueDefinition, string>();
  for (const topic of app.topics) {
    const id = t.id(`${pascal(topic.name)}Topic`, `topic "${topic.name}"`);
    topicIds.set(topic, id);
    t.add(id, { Type: 'AWS::SNS::Topic', Properties: { TopicName: sub(`\${AWS::StackName}-${topic.name}`) } });
  }
  return topicIds;
}

/**
 * One SQS queue per topic subscriber, so attempts, backoff and dead letters are per
 * subscriber: the queue (and its dead-letter queue), a policy that lets only its topic send
 * to it, and the SNS subscription. Returns the queue ids by subscriber.
 */
export function addSubscriptionQueues(t: SamResources, app: App, topicIds: ReadonlyMap<QueueDefinition, string>): Map<QueueFunctionDefinition, QueueIds> {
  const subscriptionIds = new Map<QueueFunctionDefinition, QueueIds>();
  for (const fn of app.functions) {
    if (fn.kind !== 'topic') continue;
    const topic = fn.source;
    const base = `${pascal(topic.name)}${pascal(fn.name)}`;
    const owner = `topic "${topic.name}" subscription "${fn.name}"`;
    const id = t.id(`${base}Queue`, owner);
    const dlqId = topic.deadLetter ? t.id(`${base}DeadLetterQueue`, `${owner} dead-letter queue`) : undefined;
    subscriptionIds.set(fn, { queue: id, deadLetter: dlqId });
    t.add(
      id,
      sqsQueue(subscriptionQueueName(topic.name, fn.name), { ...topic, fifo: false, delaySeconds: 0, batchSize: topic.batchSize }, fn.timeoutMs, dlqId),
    );
    if (dlqId) t.add(dlqId, deadLetterQueue(deadLetterQueueName(fn), false, id));
    const topicId = topicIds.get(topic)!;
    t.add(t.id(`${base}QueuePolicy`, `${owner} queue policy`), topicDeliversPolicy(id, topicId));
    t.add(t.id(`${base}Subscription`, owner), {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: ref(topicId), Protocol: 'sqs', Endpoint: arn(id) },
    });
  }
  return subscriptionIds;
}

/** Only the topic (`aws:SourceArn`) may send to its subscription queue. */
function topicDeliversPolicy(queueId: string, topicId: string): CfnResource {
  return {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref(queueId)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TopicDelivers',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: arn(queueId),
            Condition: { ArnEquals: { 'aws:SourceArn': ref(topicId) } },
          },
        ],
      },
    },
  };
}
