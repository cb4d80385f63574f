import { FaasportError, type App } from 'faasport';
import { decodeEventGridEvent } from 'faasport/azure';
import { connectStorageQueues, createAzureProducer, storageEndpoint } from 'faasport/azure';
import { leaseSecondsFromEnv } from './lease.js';
import { needsQueueService, withoutQueues, type ContainerPlatform } from './platform.js';
import { storageQueueSources } from './storage-queue-source.js';

const SETTING = 'AzureWebJobsStorage';

/**
 * The container target on Azure (Container Apps): Storage queues, reached as the Functions
 * adapter reaches them: with the app's managed identity when `AzureWebJobsStorage__accountName`
 * (or `__queueServiceUri`) is set, `AzureWebJobsStorage__clientId` naming a user-assigned
 * identity (what the Container Apps file sets: no secret), else with the connection string in
 * `AzureWebJobsStorage`. Event functions read the queue `<function>-events`, where their Event
 * Grid subscriptions deliver events in the CloudEvents 1.0 schema. The SDKs load here, not at
 * import.
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
  if (!storageEndpoint(env, SETTING)) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `container "${app.name}" on azure: no storage connection; set ${SETTING}__accountName (and ${SETTING}__clientId for a user-assigned managed identity, as the Container Apps file does) or ${SETTING} (a connection string)`,
    );
  }
  const service = await connectStorageQueues(() => env[SETTING], SETTING, env, undefined);
  const producer = createAzureProducer(app, { env, connectionSetting: SETTING });
  return {
    cloud: 'azure',
    transport: producer,
    sources: storageQueueSources({ service, producer, leaseSeconds: leaseSecondsFromEnv(env, 30) }),
    queuedEvents: (body) => decodeEventGridEvent(body, 'an Event Grid event on an events queue'),
  };
}
