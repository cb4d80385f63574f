import { QueueServiceClient } from '@azure/storage-queue';
import type { App, DeadLetterEnvelope } from 'faasport';
import { startLocalSqs } from 'faasport/aws/testing';
import { deadLetterQueueName } from 'faasport/aws';
import { startAzurite } from 'faasport/azure/testing';
import { createAzureProducer } from 'faasport/azure';
import { storageQueueName } from 'faasport/azure';
import type { ContainerCloud } from '../runtime/adapter.js';
import { bodies, depth, provisionSqs } from './aws-queues.js';

/**
 * One cloud's queue service running here (the local SQS/SNS server, Azurite, the Pub/Sub
 * pull stand-in), provisioned for an app as its deploy files would, with what a test
 * needs to look inside.
 */
export interface QueueBackend {
  readonly cloud: ContainerCloud;
  /** The environment the deploy files give the container. */
  readonly env: Record<string, string>;
  /** Messages still on the consumers' queues (ready, delayed or leased); undefined where the service cannot tell. */
  pending(): Promise<number | undefined>;
  /** Dead letters of a queue consumer, or of one topic subscriber. */
  deadLetters(queue: string, functionName?: string): Promise<DeadLetterEnvelope[]>;
  /** Sends a message to `queue` as faasport's producer would. */
  send(queue: string, body: unknown): Promise<void>;
  stop(): Promise<void>;
}

export async function startBackend(cloud: ContainerCloud, app: App): Promise<QueueBackend> {
  if (cloud === 'aws') return awsBackend(app);
  if (cloud === 'azure') return azureBackend(app);
  const { gcpBackend } = await import('./gcp-backend.js');
  return gcpBackend(app);
}

async function awsBackend(app: App): Promise<QueueBackend> {
  const server = await startLocalSqs();
  const { env, consumerQueues } = provisionSqs(server, app);
  const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
  const sqs = new SQSClient({ endpoint: server.address, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    cloud: 'aws',
    env,
    async pending() {
      return consumerQueues.reduce((n, q) => {
        const d = depth(server, q);
        return n + d.ready + d.delayed + d.inflight;
      }, 0);
    },
    async deadLetters(queue, functionName) {
      const name = functionName === undefined ? `${queue}-dlq` : deadLetterQueueName({ name: functionName, source: { kind: 'topic', name: queue } });
      return bodies(server, name) as DeadLetterEnvelope[];
    },
    async send(queue, body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: server.inspectQueue(queue)!.url, MessageBody: JSON.stringify(body) }));
    },
    async stop() {
      sqs.destroy();
      await server.stop();
    },
  };
}

async function azureBackend(app: App): Promise<QueueBackend> {
  const azurite = await startAzurite();
  const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  const queues: string[] = [];
  for (const fn of app.functions) {
    if (fn.kind === 'queue') queues.push(storageQueueName(fn.source.name));
    if (fn.kind === 'topic') queues.push(storageQueueName(fn.source.name, fn.name));
  }
  for (const q of queues) await service.getQueueClient(q).createIfNotExists();
  const producer = createAzureProducer(app, { connectionString: azurite.connectionString });
  return {
    cloud: 'azure',
    env: { AzureWebJobsStorage: azurite.connectionString },
    async pending() {
      let n = 0;
      for (const q of queues) n += (await service.getQueueClient(q).getProperties()).approximateMessagesCount ?? 0;
      return n;
    },
    deadLetters: (queue, functionName) => producer.readDeadLetters(queue, functionName),
    async send(queue, body) {
      await service.getQueueClient(storageQueueName(queue)).sendMessage(Buffer.from(JSON.stringify(body)).toString('base64'));
    },
    stop: () => azurite.stop(),
  };
}
