import { decodeEventBridge } from 'faasport/aws';
import { AwsProducer } from 'faasport/aws';
import type { EventBridgeEventLike } from 'faasport/aws';
import { leaseSecondsFromEnv } from './lease.js';
import { sqsSources } from './sqs-source.js';
import type { App } from 'faasport';
import { needsQueueService, withoutQueues, type ContainerPlatform } from './platform.js';

/**
 * The container target on AWS (ECS Fargate): SQS for queues, SNS → SQS subscription queues
 * for topics, and for each event function the SQS queue `<function>-events` its EventBridge
 * rule targets (the messages are EventBridge events). Clients take region, credentials and endpoints from the environment as the
 * SDK does (the task role; AWS_ENDPOINT_URL for a local SQS server); queue URLs and topic
 * ARNs from `FAASPORT_QUEUE_URL_<NAME>` / `FAASPORT_TOPIC_ARN_<NAME>` (the template sets
 * them). The SDK loads here, not at import: a gcp or azure server never reaches it.
 *
 * @example
 * ```ts
 * import { startContainer, awsPlatform } from 'faasport/container';
 * import { app } from './app.js';
 * await startContainer(app, await awsPlatform(app));
 * ```
 */
export async function awsPlatform(app: App, env: NodeJS.ProcessEnv = process.env): Promise<ContainerPlatform> {
  if (!needsQueueService(app, 'aws')) return withoutQueues('aws');
  const [sqsModule, snsModule] = await Promise.all([import('@aws-sdk/client-sqs'), import('@aws-sdk/client-sns')]);
  const sqs = new sqsModule.SQSClient({});
  const sns = new snsModule.SNSClient({});
  const producer = new AwsProducer({ sqs, sns, ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}) });
  const { transport, sources } = sqsSources({ sqs, commands: sqsModule, producer, leaseSeconds: leaseSecondsFromEnv(env, 30) });
  return {
    cloud: 'aws',
    transport,
    sources,
    queuedEvents: (body) => decodeEventBridge(body as EventBridgeEventLike),
    async close() {
      sqs.destroy();
      sns.destroy();
    },
  };
}
