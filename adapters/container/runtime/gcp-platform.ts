import type { App } from 'faasport';
import { gcpNames } from 'faasport/gcp';
import { createPubsubTransport } from 'faasport/gcp';
import { leaseSecondsFromEnv } from './lease.js';
import { usesQueues, withoutQueues, type ContainerPlatform } from './platform.js';
import { pubsubSources } from './pubsub-source.js';

/**
 * The container target on Google Cloud (Cloud Run): Pub/Sub topics `<app>-<name>` and pull
 * subscriptions `<app>-<source>-<function>`, the Cloud Functions adapter's names. The
 * project comes from GOOGLE_CLOUD_PROJECT, else the metadata server (as the library finds
 * it); PUBSUB_EMULATOR_HOST points the clients at an emulator.
 *
 * @example
 * ```ts
 * import { startContainer, gcpPlatform } from 'faasport/container';
 * import { app } from './app.js';
 * await startContainer(app, await gcpPlatform(app));
 * ```
 */
export async function gcpPlatform(app: App, env: NodeJS.ProcessEnv = process.env): Promise<ContainerPlatform> {
  if (!usesQueues(app)) return withoutQueues('gcp');
  const { PubSub, v1 } = await import('@google-cloud/pubsub');
  const projectId = env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || undefined;
  // The PubSub class works out emulator and endpoint settings; the subscriber client takes the same.
  const pubsub = new PubSub(projectId ? { projectId } : {});
  const subscriber = new v1.SubscriberClient(pubsub.options as ConstructorParameters<typeof v1.SubscriberClient>[0]);
  const transport = createPubsubTransport({ appName: app.name, ...(projectId ? { projectId } : {}) });
  return {
    cloud: 'gcp',
    transport,
    sources: pubsubSources({
      subscriber,
      projectId: projectId ?? (await subscriber.getProjectId()),
      names: gcpNames(app.name),
      publisher: transport.publisher,
      leaseSeconds: leaseSecondsFromEnv(env, 30),
    }),
    async close() {
      await Promise.allSettled([transport.close(), subscriber.close(), pubsub.close()]);
    },
  };
}
