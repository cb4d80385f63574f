import { FaasportError, type App } from '../../../src/index.js';
import { decodeEventGridEvent } from '../../azure/decode-event-grid.js';
import { createAzureProducer } from '../../azure/producer.js';
import { leaseSecondsFromEnv } from './lease.js';
import { needsQueueService, withoutQueues, type ContainerPlatform } from './platform.js';
import { storageQueueSources } from './storage-queue-source.js';

/**
 * The container target on Azure (Container Apps): Storage queues, with the connection
 * string in `AzureWebJobsStorage` (as the Functions adapter reads it; the Container Apps
 * template passes it as a secret). Event functions read the queue `<function>-events`, where
 * their Event Grid subscriptions deliver events in the CloudEvents 1.0 schema. The SDK loads
 * here, not at import.
 *
 * @example
 * ```ts
 * import { startContainer, azurePlatform } from 'faasport/container';
 * import { app } from './app.js';
 * await startContainer(app, await azurePlatform(app));
 * ```
 */
export async function azurePlatform(app: App, env: NodeJS.ProcessEnv = process.env): Promise<ContainerPlatform> {
  if (!needsQueueService(app, 'azure')) return withoutQueues('azure');
  const connectionString = env.AzureWebJobsStorage;
  if (!connectionString) {
    throw new FaasportError('CONFIG_INVALID', `container "${app.name}" on azure: AzureWebJobsStorage is not set; give the container the storage account's connection string in it`);
  }
  const { QueueServiceClient } = await import('@azure/storage-queue');
  const service = QueueServiceClient.fromConnectionString(connectionString);
  const producer = createAzureProducer(app, { connectionString });
  return {
    cloud: 'azure',
    transport: producer,
    sources: storageQueueSources({ service, producer, leaseSeconds: leaseSecondsFromEnv(env, 30) }),
    queuedEvents: (body) => decodeEventGridEvent(body, 'an Event Grid event on an events queue'),
  };
}
