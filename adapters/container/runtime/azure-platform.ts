import { FaasportError, type App } from '../../../src/index.js';
import { createAzureProducer } from '../../azure/producer.js';
import { leaseSecondsFromEnv } from './lease.js';
import { usesQueues, withoutQueues, type ContainerPlatform } from './platform.js';
import { storageQueueSources } from './storage-queue-source.js';

/**
 * The container target on Azure (Container Apps): Storage queues, with the connection
 * string in `AzureWebJobsStorage` (as the Functions adapter reads it; the Container Apps
 * template passes it as a secret). The SDK loads here, not at import.
 *
 * @example
 * ```ts
 * import { startContainer, azurePlatform } from 'faasport/container';
 * import { app } from './app.js';
 * await startContainer(app, await azurePlatform(app));
 * ```
 */
export async function azurePlatform(app: App, env: NodeJS.ProcessEnv = process.env): Promise<ContainerPlatform> {
  if (!usesQueues(app)) return withoutQueues('azure');
  const connectionString = env.AzureWebJobsStorage;
  if (!connectionString) {
    throw new FaasportError('CONFIG_INVALID', `container "${app.name}" on azure: AzureWebJobsStorage is not set; give the container the storage account's connection string in it`);
  }
  const { QueueServiceClient } = await import('@azure/storage-queue');
  const service = QueueServiceClient.fromConnectionString(connectionString);
  const producer = createAzureProducer(app, { connectionString });
  return { cloud: 'azure', transport: producer, sources: storageQueueSources({ service, producer, leaseSeconds: leaseSecondsFromEnv(env, 30) }) };
}
