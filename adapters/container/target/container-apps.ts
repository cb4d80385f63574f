import type { App, QueueFunctionDefinition } from 'faasport';
import { storageQueueName } from 'faasport/azure';
import { HEALTH_PATH, READY_PATH } from '../runtime/control-api.js';
import { eventQueueName } from '../runtime/event-queue.js';
import { needsQueueService } from '../runtime/platform.js';
import { CONTAINER_PORT } from './dockerfile.js';
import { toYaml, type YamlValue } from './yaml.js';

export const CONTAINER_APP_FILE = 'container-app.yaml';
export const SCHEDULER_APP_FILE = 'container-app-scheduler.yaml';
/** Seconds Container Apps waits after SIGTERM; the server drains within GRACE_MS. */
export const CONTAINER_APPS_TERMINATION_SECONDS = 30;
export const CONTAINER_APPS_GRACE_MS = 25_000;
/** Messages per replica before KEDA adds one. */
export const QUEUE_LENGTH_PER_REPLICA = 20;

/** The user-assigned identity the app runs as (placeholders: its resource id and client id). */
const IDENTITY_ID = '${IDENTITY_ID}';
const IDENTITY_CLIENT_ID = '${IDENTITY_CLIENT_ID}';
const STORAGE_ACCOUNT = '${STORAGE_ACCOUNT}';

/**
 * The Azure Container Apps deployment of a container-built app, in the YAML
 * `az containerapp create --yaml` takes: ingress on port 8080, liveness and readiness probes
 * on the server's own paths, and scale rules: HTTP concurrency plus one KEDA `azure-queue`
 * rule per consumer queue and event function's `<function>-events` queue (a replica per
 * QUEUE_LENGTH_PER_REPLICA waiting messages; `event-grid.json` subscribes those queues).
 *
 * No secret: the app runs as a user-assigned managed identity, and both the server (through
 * `AzureWebJobsStorage__accountName` / `__clientId`, as the Functions adapter reads them) and
 * the KEDA scaler (`identity` on each rule) reach the storage account with it. Grant that
 * identity "Storage Queue Data Contributor" on the storage account (data access to queues
 * plus creating them: the server creates its `-poison` dead-letter queues on first use), e.g.
 * `az role assignment create --assignee ${IDENTITY_CLIENT_ID} --role "Storage Queue Data
 * Contributor" --scope <storage account id>`; a role assignment is not part of a Container
 * App, so this file cannot hold it. A user-assigned identity rather than the system one: the
 * grant can exist before the first revision starts, so it is never unready for lack of it.
 *
 * With schedules, `scheduler` gives the second app: exactly one replica, no ingress,
 * FAASPORT_SCHEDULES=run (the single-runner rule; single revision mode, so a second runner
 * exists only while a new revision replaces the old). `${LOCATION}`, `${ENVIRONMENT_ID}`,
 * `${IMAGE}`, `${IDENTITY_ID}` (the identity's resource id), `${IDENTITY_CLIENT_ID}` and
 * `${STORAGE_ACCOUNT}` are placeholders to fill in (envsubst).
 */
export function containerApp(app: App, role: 'main' | 'scheduler' = 'main'): YamlValue {
  const consumers = app.functions.filter((f): f is QueueFunctionDefinition => f.kind === 'queue' || f.kind === 'topic');
  const events = app.functions.filter((f) => f.kind === 'event');
  const queues = [
    ...consumers.map((fn) => (fn.kind === 'queue' ? storageQueueName(fn.source.name) : storageQueueName(fn.source.name, fn.name))),
    ...events.map((fn) => storageQueueName(eventQueueName(fn))),
  ];
  const usesStorage = needsQueueService(app, 'azure');
  const scheduler = role === 'scheduler';
  return {
    location: '${LOCATION}',
    name: scheduler ? `${app.name}-scheduler` : app.name,
    type: 'Microsoft.App/containerApps',
    ...(usesStorage ? { identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY_ID]: {} } } } : {}),
    properties: {
      managedEnvironmentId: '${ENVIRONMENT_ID}',
      configuration: {
        activeRevisionsMode: 'Single',
        ...(scheduler ? {} : { ingress: { external: true, targetPort: CONTAINER_PORT, transport: 'auto', allowInsecure: false } }),
      },
      template: {
        terminationGracePeriodSeconds: CONTAINER_APPS_TERMINATION_SECONDS,
        containers: [
          {
            name: app.name,
            image: '${IMAGE}',
            env: [
              { name: 'NODE_ENV', value: 'production' },
              { name: 'FAASPORT_GRACE_MS', value: String(CONTAINER_APPS_GRACE_MS) },
              ...(usesStorage
                ? [
                    { name: 'AzureWebJobsStorage__accountName', value: STORAGE_ACCOUNT },
                    { name: 'AzureWebJobsStorage__clientId', value: IDENTITY_CLIENT_ID },
                  ]
                : []),
              ...(scheduler ? [{ name: 'FAASPORT_SCHEDULES', value: 'run' }] : []),
            ],
            resources: { cpu: 0.5, memory: '1Gi' },
            probes: [
              { type: 'Liveness', httpGet: { path: HEALTH_PATH, port: CONTAINER_PORT }, periodSeconds: 15 },
              { type: 'Readiness', httpGet: { path: READY_PATH, port: CONTAINER_PORT }, periodSeconds: 5 },
            ],
          },
        ],
        scale: scheduler
          ? { minReplicas: 1, maxReplicas: 1 }
          : {
              minReplicas: 1,
              maxReplicas: 10,
              rules: [
                { name: 'http', http: { metadata: { concurrentRequests: '50' } } },
                ...queues.map((queueName) => ({
                  name: `queue-${queueName}`,
                  azureQueue: { accountName: STORAGE_ACCOUNT, queueName, queueLength: QUEUE_LENGTH_PER_REPLICA, identity: IDENTITY_ID },
                })),
              ],
            },
      },
    },
  };
}

/** The text of a Container Apps YAML file. */
export function containerAppYaml(app: App, role: 'main' | 'scheduler' = 'main'): string {
  const grant = needsQueueService(app, 'azure')
    ? '# It runs as the user-assigned identity ${IDENTITY_ID}; grant it the storage queues once:\n#   az role assignment create --assignee ${IDENTITY_CLIENT_ID} --role "Storage Queue Data Contributor" --scope <storage account ${STORAGE_ACCOUNT} resource id>\n'
    : '';
  return `# faasport app "${app.name}" on Azure Container Apps${role === 'scheduler' ? ', schedule runner' : ''} (generated by faasport build --target container --cloud azure; edit the app, not this file)\n${grant}${toYaml(containerApp(app, role))}`;
}
