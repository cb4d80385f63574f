import type { App } from 'faasport';
import { deadLetterQueueName, envKey, sqsQueueName, subscriptionQueueName } from 'faasport/aws';
import type { Fauxqs } from 'faasport/aws/testing';
import { eventQueueName } from '../runtime/event-queue.js';

/** What a consumer's queues hold right now, in the local SQS server. */
export interface QueueDepth {
  readonly ready: number;
  readonly delayed: number;
  readonly inflight: number;
}

/**
 * Creates in the local SQS/SNS server what the ECS template creates for `app` (queues,
 * dead-letter queues, topics with one subscription queue per subscriber, an events queue and
 * its dead-letter queue per event function) and returns the
 * environment the task definition would give the container.
 */
export function provisionSqs(server: Fauxqs, app: App): { env: Record<string, string>; consumerQueues: string[] } {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: server.address,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  const consumerQueues: string[] = [];
  for (const q of app.queues) {
    env[`FAASPORT_QUEUE_URL_${envKey(q.name)}`] = server.createQueue(sqsQueueName(q.name, q.fifo)).queueUrl;
    if (q.deadLetter) env[`FAASPORT_QUEUE_URL_${envKey(`${q.name}-dlq`)}`] = server.createQueue(sqsQueueName(`${q.name}-dlq`, q.fifo)).queueUrl;
    if (app.functions.some((f) => f.kind === 'queue' && f.source === q)) consumerQueues.push(q.name);
  }
  for (const t of app.topics) env[`FAASPORT_TOPIC_ARN_${envKey(t.name)}`] = server.createTopic(t.name).topicArn;
  for (const fn of app.functions) {
    if (fn.kind !== 'topic') continue;
    const name = subscriptionQueueName(fn.source.name, fn.name);
    env[`FAASPORT_QUEUE_URL_${envKey(name)}`] = server.createQueue(name).queueUrl;
    server.subscribe({ topic: fn.source.name, queue: name });
    if (fn.source.deadLetter) env[`FAASPORT_QUEUE_URL_${envKey(deadLetterQueueName(fn))}`] = server.createQueue(deadLetterQueueName(fn)).queueUrl;
    consumerQueues.push(name);
  }
  // Each event function's queue, which its EventBridge rule targets in the ECS template.
  for (const fn of app.functions) {
    if (fn.kind !== 'event') continue;
    const name = eventQueueName(fn);
    env[`FAASPORT_QUEUE_URL_${envKey(name)}`] = server.createQueue(name).queueUrl;
    env[`FAASPORT_QUEUE_URL_${envKey(`${name}-dlq`)}`] = server.createQueue(`${name}-dlq`).queueUrl;
    consumerQueues.push(name);
  }
  return { env, consumerQueues };
}

export function depth(server: Fauxqs, queue: string): QueueDepth {
  const q = server.inspectQueue(queue);
  if (!q) throw new Error(`no queue "${queue}" in the local SQS server`);
  return { ready: q.messages.ready.length, delayed: q.messages.delayed.length, inflight: q.messages.inflight.length };
}

/** The bodies waiting in `queue` (a dead-letter queue), parsed as JSON. */
export function bodies(server: Fauxqs, queue: string): unknown[] {
  const q = server.inspectQueue(queue);
  if (!q) throw new Error(`no queue "${queue}" in the local SQS server`);
  return [...q.messages.ready, ...q.messages.delayed, ...q.messages.inflight.map((i) => i.message)].map((m) => JSON.parse(m.body));
}
